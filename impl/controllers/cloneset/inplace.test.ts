// The CloneSet's binding of the shared in-place engine: its revision labels, lifecycle, grace
// matching by short hash, the planners' view, and pod conditions.
import { describe, expect, it } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import type { InPlaceSpec } from '../shared/inplace/diff.ts';
import { readInPlaceState } from '../shared/inplace/state.ts';
import { graceProgress, inPlaceView, planInPlaceWrite, withPodCondition } from './inplace.ts';

const T = Date.UTC(2025, 0, 1);

function runningPod(o: { label?: string; gates?: string[] } = {}): V1Pod {
  return {
    metadata: { name: 'web-abcde', uid: 'u1', labels: { app: 'web', 'controller-revision-hash': o.label ?? 'web-5d7f9c', 'lifecycle.apps.kruise.io/state': 'Normal' }, annotations: {} },
    spec: { containers: [{ name: 'main', image: 'nginx:1' }], readinessGates: (o.gates ?? ['InPlaceUpdateReady', 'KruisePodReady']).map((conditionType) => ({ conditionType })) },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'main', image: 'nginx:1', imageID: 'nginx:1@sha256:1', ready: true, restartCount: 0 }] },
  };
}

const imageSpec: InPlaceSpec = { containerImages: { main: 'nginx:2' }, containerResources: {}, metadata: { labels: { tier: 'db' }, annotations: {}, removeLabels: [], removeAnnotations: [] } };
const opts = { revision: 'web-6b8c4d', revisionLabel: 'web-6b8c4d', now: T, gracePeriodSeconds: 0 };

describe('planInPlaceWrite', () => {
  it.each<[string, string, Record<string, string>]>([
    ['full revision names', 'web-6b8c4d', { 'controller-revision-hash': 'web-6b8c4d', 'pod-template-hash': '6b8c4d' }],
    ['CloneSetShortHash', '6b8c4d', { 'controller-revision-hash': '6b8c4d', 'pod-template-hash': '6b8c4d' }],
  ])('%s: revision labels, pod-template-hash always short, lifecycle Updating', (_n, revisionLabel, want) => {
    const w = planInPlaceWrite(runningPod(), imageSpec, { ...opts, revisionLabel });
    const next = w.mutate(runningPod());
    expect(next.metadata?.labels).toEqual({ app: 'web', tier: 'db', ...want, 'lifecycle.apps.kruise.io/state': 'Updating' });
    expect(readInPlaceState(next)?.revision, 'the state always names the full revision').toBe('web-6b8c4d');
    expect(w.markUnready).toBe(true);
  });

  it('does not mark a pod without the InPlaceUpdateReady gate unready', () => {
    expect(planInPlaceWrite(runningPod({ gates: [] }), imageSpec, opts).markUnready).toBe(false);
  });
});

describe('graceProgress', () => {
  const parked = (revisionLabel: string) => planInPlaceWrite(runningPod(), imageSpec, { ...opts, revisionLabel, gracePeriodSeconds: 30 }).mutate(runningPod());

  it.each([['full revision names', 'web-6b8c4d'], ['CloneSetShortHash', '6b8c4d']])('%s: waits, then applies the parked image', (_n, revisionLabel) => {
    const pod = parked(revisionLabel);
    expect(pod.spec?.containers[0]?.image).toBe('nginx:1');
    expect(inPlaceView(pod)).toEqual({ inGracePeriod: true, completed: false });
    expect(graceProgress(pod, T + 10_000)).toEqual({ kind: 'wait', remainingMs: 20_000 });
    const g = graceProgress(pod, T + 30_000);
    if (g.kind !== 'finish') throw new Error(`expected finish, got ${g.kind}`);
    const done = g.mutate(pod);
    expect({ image: done?.spec?.containers[0]?.image, grace: done?.metadata?.annotations?.['apps.kruise.io/inplace-update-grace'] }).toEqual({ image: 'nginx:2', grace: undefined });
    expect(graceProgress(done!, T + 30_000)).toEqual({ kind: 'none' });
  });

  it('a pod moved to another revision since drops the parked update without applying it', () => {
    const pod = parked('web-6b8c4d');
    pod.metadata!.labels!['controller-revision-hash'] = 'web-77aa11';
    const g = graceProgress(pod, T + 10_000);
    expect(g.kind === 'finish' && g.mutate(pod)?.spec?.containers[0]?.image).toBe('nginx:1');
  });
});

describe('inPlaceView', () => {
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

  it('a resize is complete once status resources equal spec', () => {
    const resources = { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } };
    const cached = runningPod();
    cached.spec!.containers[0]!.resources = resources;
    const spec: InPlaceSpec = { ...imageSpec, containerImages: {}, containerResources: { main: { requests: { cpu: '150m' }, limits: {} } } };
    const pod = planInPlaceWrite(cached, spec, opts).mutate(cached);
    pod.spec!.containers[0]!.resources = { ...resources, requests: { cpu: '150m', memory: '64Mi' } };
    pod.status!.containerStatuses![0]!.resources = resources;
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

  it('keeps the transition time when only the message changes', () => {
    const t1 = new Date(T);
    const pod = withPodCondition(runningPod(), { type: 'KruisePodReady', status: 'False', message: 'a', lastTransitionTime: t1 })!;
    const next = withPodCondition(pod, { type: 'KruisePodReady', status: 'False', message: 'b', lastTransitionTime: new Date(T + 5) });
    expect(next?.status?.conditions?.find((c) => c.type === 'KruisePodReady')).toEqual({ type: 'KruisePodReady', status: 'False', message: 'b', lastTransitionTime: t1 });
  });
});
