// The in-place engine: what may change in place, how a pod is rewritten, and when it is done.
import { describe, expect, it } from 'vitest';
import type { V1Pod, V1PodTemplateSpec, V1ResourceRequirements } from '@kubernetes/client-node';
import {
  calculateInPlaceSpec,
  graceProgress,
  inPlaceView,
  jsonDiff,
  needsUnready,
  planInPlaceWrite,
  podQoS,
  readInPlaceState,
  withPodCondition,
  type InPlaceSpec,
} from './inplace.ts';

const T = Date.UTC(2025, 0, 1);
const burstable = { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } };

function tpl(o: { image?: string; resources?: V1ResourceRequirements; labels?: Record<string, string>; command?: string[]; env?: { name: string; value: string }[] } = {}): V1PodTemplateSpec {
  return {
    metadata: { labels: o.labels ?? { app: 'web' } },
    spec: { containers: [{ name: 'main', image: o.image ?? 'nginx:1', ...(o.resources && { resources: o.resources }), ...(o.command && { command: o.command }), ...(o.env && { env: o.env }) }] },
  };
}

const noVertical = { verticalScaling: false };
const vertical = { verticalScaling: true };

describe('jsonDiff', () => {
  it('reports replace, add and remove with escaped pointers', () => {
    expect(jsonDiff({ a: 1, 'x/y': 1, arr: [1, 2] }, { a: 2, b: 3, arr: [1] })).toEqual([
      { op: 'replace', path: '/a', value: 2 },
      { op: 'remove', path: '/x~1y' },
      { op: 'remove', path: '/arr/1' },
      { op: 'add', path: '/b', value: 3 },
    ]);
  });
});

describe('podQoS', () => {
  it.each([
    ['no resources', {}, 'BestEffort'],
    ['requests below limits', burstable, 'Burstable'],
    ['limits only (requests default to them)', { limits: { cpu: '1', memory: '1Gi' } }, 'Guaranteed'],
    ['equal requests and limits in other units', { requests: { cpu: '1000m', memory: '1024Mi' }, limits: { cpu: '1', memory: '1Gi' } }, 'Guaranteed'],
    ['cpu only', { limits: { cpu: '1' } }, 'Burstable'],
  ] as const)('%s -> %s', (_name, resources, want) => {
    expect(podQoS({ containers: [{ name: 'c', resources: resources as V1ResourceRequirements }] })).toBe(want);
  });
});

describe('calculateInPlaceSpec', () => {
  it('an image change goes in place', () => {
    expect(calculateInPlaceSpec(tpl(), tpl({ image: 'nginx:2' }), noVertical)).toEqual({
      possible: true,
      spec: { containerImages: { main: 'nginx:2' }, containerResources: {}, metadata: { labels: {}, annotations: {}, removeLabels: [], removeAnnotations: [] } },
    });
  });

  it('label changes go in place, including removals', () => {
    const d = calculateInPlaceSpec(tpl({ labels: { app: 'web', old: 'x' } }), tpl({ labels: { app: 'web', tier: 'db' } }), noVertical);
    expect(d).toMatchObject({ possible: true, spec: { metadata: { labels: { tier: 'db' }, removeLabels: ['old'] } } });
  });

  it.each([
    ['a command change', tpl(), tpl({ command: ['sleep'] }), vertical],
    ['an env change', tpl({ env: [{ name: 'A', value: '1' }] }), tpl({ env: [{ name: 'A', value: '2' }] }), vertical],
    ['a resource change without the gate', tpl({ resources: burstable }), tpl({ resources: { ...burstable, limits: { cpu: '300m', memory: '128Mi' } } }), noVertical],
    ['adding a resource, even with the gate', tpl({ resources: { limits: { cpu: '1' } } }), tpl({ resources: { limits: { cpu: '1', memory: '1Gi' } } }), vertical],
  ])('%s does not', (_name, from, to, options) => {
    expect(calculateInPlaceSpec(from, to, options).possible).toBe(false);
  });

  it('with vertical scaling, cpu/memory value changes go in place', () => {
    const d = calculateInPlaceSpec(tpl({ resources: burstable }), tpl({ resources: { requests: { cpu: '150m', memory: '64Mi' }, limits: { cpu: '300m', memory: '128Mi' } } }), vertical);
    expect(d).toMatchObject({ possible: true, spec: { containerImages: {}, containerResources: { main: { requests: { cpu: '150m' }, limits: { cpu: '300m' } } } } });
  });

  it('with vertical scaling, a QoS class change does not', () => {
    const d = calculateInPlaceSpec(tpl({ resources: burstable }), tpl({ resources: { requests: { cpu: '200m', memory: '128Mi' }, limits: { cpu: '200m', memory: '128Mi' } } }), vertical);
    expect(d).toEqual({ possible: false, reason: 'the pod QoS class changes' });
  });

  it('differing volumeClaimTemplates hashes force recreation when given', () => {
    expect(calculateInPlaceSpec(tpl(), tpl({ image: 'nginx:2' }), { ...noVertical, vctHashes: { from: '1', to: '2' } }).possible).toBe(false);
    expect(calculateInPlaceSpec(tpl(), tpl({ image: 'nginx:2' }), { ...noVertical, vctHashes: { from: '1', to: '1' } }).possible).toBe(true);
    expect(calculateInPlaceSpec(tpl(), tpl({ image: 'nginx:2' }), { ...noVertical, vctHashes: { from: undefined, to: '2' } }).possible).toBe(true);
  });
});

function runningPod(o: { image?: string; imageID?: string; resources?: V1ResourceRequirements; gates?: string[]; resizePolicy?: { resourceName: string; restartPolicy: string }[] } = {}): V1Pod {
  return {
    metadata: { name: 'web-abcde', uid: 'u1', labels: { app: 'web', 'controller-revision-hash': 'web-old', 'lifecycle.apps.kruise.io/state': 'Normal' }, annotations: {} },
    spec: {
      containers: [{ name: 'main', image: o.image ?? 'nginx:1', ...(o.resources && { resources: o.resources }), ...(o.resizePolicy && { resizePolicy: o.resizePolicy }) }],
      readinessGates: (o.gates ?? ['InPlaceUpdateReady', 'KruisePodReady']).map((conditionType) => ({ conditionType })),
    },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [{ name: 'main', image: o.image ?? 'nginx:1', imageID: o.imageID ?? 'nginx:1@sha256:1', ready: true, restartCount: 0, ...(o.resources && { resources: o.resources }) }],
    },
  };
}

const imageSpec: InPlaceSpec = { containerImages: { main: 'nginx:2' }, containerResources: {}, metadata: { labels: { tier: 'db' }, annotations: {}, removeLabels: [], removeAnnotations: [] } };
const opts = { revision: 'web-new', revisionLabel: 'web-new', now: T, gracePeriodSeconds: 0 };

describe('planInPlaceWrite', () => {
  it('rewrites labels, lifecycle, images and the state annotation; the pod goes unready first', () => {
    const cached = runningPod();
    const w = planInPlaceWrite(cached, imageSpec, opts);
    expect(w.markUnready).toBe(true);
    expect(w.resize).toEqual({});
    const next = w.mutate(cached);
    expect(next.metadata?.labels).toEqual({ app: 'web', tier: 'db', 'controller-revision-hash': 'web-new', 'pod-template-hash': 'new', 'lifecycle.apps.kruise.io/state': 'Updating' });
    expect(next.spec?.containers[0]?.image).toBe('nginx:2');
    expect(readInPlaceState(next)).toEqual({
      revision: 'web-new', updateTimestamp: '2025-01-01T00:00:00Z', updateImages: true,
      lastContainerStatuses: { main: { imageID: 'nginx:1@sha256:1' } },
      containerBatchesRecord: [{ timestamp: '2025-01-01T00:00:00Z', containers: ['main'] }],
    });
    expect(cached.spec?.containers[0]?.image, 'the input is not modified').toBe('nginx:1');
  });

  it('parks the images in the grace annotation when gracePeriodSeconds is set', () => {
    const next = planInPlaceWrite(runningPod(), imageSpec, { ...opts, gracePeriodSeconds: 30 }).mutate(runningPod());
    expect(next.spec?.containers[0]?.image).toBe('nginx:1');
    expect(inPlaceView(next)).toEqual({ inGracePeriod: true, completed: false });
    expect(graceProgress(next, T + 10_000)).toEqual({ kind: 'wait', remainingMs: 20_000 });
    const g = graceProgress(next, T + 30_000);
    if (g.kind !== 'finish') throw new Error(`expected finish, got ${g.kind}`);
    const done = g.mutate(next);
    expect(done.spec?.containers[0]?.image).toBe('nginx:2');
    expect(done.metadata?.annotations?.['apps.kruise.io/inplace-update-grace']).toBeUndefined();
    expect(graceProgress(done, T + 30_000)).toEqual({ kind: 'none' });
  });

  it('sends resource changes through a resize with the full new resources, and stays ready without a RestartContainer policy', () => {
    const cached = runningPod({ resources: burstable });
    const spec: InPlaceSpec = { ...imageSpec, containerImages: {}, containerResources: { main: { requests: { cpu: '150m' }, limits: { cpu: '300m' } } } };
    const w = planInPlaceWrite(cached, spec, opts);
    expect(w.resize).toEqual({ main: { requests: { cpu: '150m', memory: '64Mi' }, limits: { cpu: '300m', memory: '128Mi' } } });
    expect(w.markUnready).toBe(false);
    expect(readInPlaceState(w.mutate(cached))).toMatchObject({ updateResources: true });
    expect(needsUnready(runningPod({ resources: burstable, resizePolicy: [{ resourceName: 'cpu', restartPolicy: 'RestartContainer' }] }), spec)).toBe(true);
  });

  it('does not mark a pod without the InPlaceUpdateReady gate unready', () => {
    expect(planInPlaceWrite(runningPod({ gates: [] }), imageSpec, opts).markUnready).toBe(false);
  });
});

describe('inPlaceView (completion)', () => {
  const updated = () => planInPlaceWrite(runningPod(), imageSpec, opts).mutate(runningPod());

  it('is undefined for a pod never updated in place', () => {
    expect(inPlaceView(runningPod())).toBeUndefined();
  });

  it('is not complete while the container still runs the recorded imageID', () => {
    expect(inPlaceView(updated())).toEqual({ inGracePeriod: false, completed: false });
  });

  it('is complete once the imageID changed', () => {
    const pod = updated();
    pod.status!.containerStatuses![0] = { ...pod.status!.containerStatuses![0]!, image: 'nginx:2', imageID: 'nginx:2@sha256:2' };
    expect(inPlaceView(pod)).toEqual({ inGracePeriod: false, completed: true });
  });

  it('a resize is complete once status resources equal spec (units compared by value)', () => {
    const spec: InPlaceSpec = { ...imageSpec, containerImages: {}, containerResources: { main: { requests: { cpu: '150m' }, limits: {} } } };
    const cached = runningPod({ resources: burstable });
    const pod = planInPlaceWrite(cached, spec, opts).mutate(cached);
    pod.spec!.containers[0]!.resources = { requests: { cpu: '150m', memory: '64Mi' }, limits: burstable.limits };
    expect(inPlaceView(pod)?.completed).toBe(false);
    pod.status!.containerStatuses![0]!.resources = { requests: { cpu: '0.15', memory: '65536Ki' }, limits: { cpu: '200m', memory: '128Mi' } };
    expect(inPlaceView(pod)?.completed).toBe(true);
  });
});

describe('withPodCondition', () => {
  it('adds, flips (new transition time) and leaves an unchanged condition alone', () => {
    const pod = runningPod();
    const t1 = new Date(T);
    const added = withPodCondition(pod, { type: 'InPlaceUpdateReady', status: 'True', lastTransitionTime: t1 });
    expect(added?.status?.conditions?.at(-1)).toEqual({ type: 'InPlaceUpdateReady', status: 'True', lastTransitionTime: t1 });
    expect(withPodCondition(added!, { type: 'InPlaceUpdateReady', status: 'True', lastTransitionTime: new Date(T + 1) })).toBeUndefined();
    const flipped = withPodCondition(added!, { type: 'InPlaceUpdateReady', status: 'False', reason: 'StartInPlaceUpdate', lastTransitionTime: new Date(T + 5) });
    expect(flipped?.status?.conditions?.find((c) => c.type === 'InPlaceUpdateReady')).toEqual({ type: 'InPlaceUpdateReady', status: 'False', reason: 'StartInPlaceUpdate', lastTransitionTime: new Date(T + 5) });
  });
});
