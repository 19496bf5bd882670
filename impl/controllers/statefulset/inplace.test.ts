import type { V1Container, V1Pod, V1PodTemplateSpec } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { applyInPlaceUpdate, calculateInPlaceSpec, graceStep, inPlaceProgress, jsonDiff, needsUnready, podQoS, type InPlaceSpec } from './inplace.ts';

const c = (o: Partial<V1Container> = {}): V1Container => ({
  name: 'main',
  image: 'nginx:1',
  resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } },
  ...o,
});
const tpl = (containers: V1Container[], labels: Record<string, string> = { app: 'web' }): V1PodTemplateSpec => ({
  metadata: { labels },
  spec: { containers, readinessGates: [{ conditionType: 'InPlaceUpdateReady' }] },
});

describe('jsonDiff', () => {
  it.each<[string, unknown, unknown, ReturnType<typeof jsonDiff>]>([
    ['equal', { a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }, []],
    ['replace a leaf', { a: { b: 1 } }, { a: { b: 2 } }, [{ op: 'replace', path: '/a/b', value: 2 }]],
    ['add and remove keys', { a: 1 }, { b: 2 }, [{ op: 'remove', path: '/a' }, { op: 'add', path: '/b', value: 2 }]],
    ['arrays index by index, extra appended', { a: [1, 2] }, { a: [1, 3, 4] }, [{ op: 'add', path: '/a/2', value: 4 }, { op: 'replace', path: '/a/1', value: 3 }]],
    ['arrays shrink from the end', { a: [1, 2, 3] }, { a: [1] }, [{ op: 'remove', path: '/a/2' }, { op: 'remove', path: '/a/1' }]],
    ['keys are escaped', { l: { 'x/y~z': '1' } }, { l: { 'x/y~z': '2' } }, [{ op: 'replace', path: '/l/x~1y~0z', value: '2' }]],
    ['undefined members are absent', { a: 1, b: undefined }, { a: 1 }, []],
  ])('%s', (_n, a, b, want) => expect(jsonDiff(a, b)).toEqual(want));
});

describe('podQoS', () => {
  it.each<[string, V1Container[], string]>([
    ['no resources', [c({ resources: {} })], 'BestEffort'],
    ['requests below limits', [c()], 'Burstable'],
    ['limits only (requests default to limits)', [c({ resources: { limits: { cpu: '1', memory: '1Gi' } } })], 'Guaranteed'],
    ['requests equal limits', [c({ resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1000m', memory: '1024Mi' } } })], 'Guaranteed'],
    ['cpu limit only', [c({ resources: { limits: { cpu: '1' } } })], 'Burstable'],
    ['one guaranteed and one best-effort container', [c({ resources: { limits: { cpu: '1', memory: '1Gi' } } }), c({ name: 'b', resources: {} })], 'Burstable'],
    ['a zero request with a limit', [c({ resources: { requests: { cpu: '0', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } } })], 'Burstable'],
  ])('%s -> %s', (_n, containers, want) => expect(podQoS({ containers })).toBe(want));
});

describe('calculateInPlaceSpec', () => {
  const cases: [string, V1PodTemplateSpec, V1PodTemplateSpec, boolean, InPlaceSpec | string][] = [
    ['identical templates: an empty in-place update', tpl([c()]), tpl([c()]), false, { containerImages: {}, containerResources: {}, metadata: { labels: {}, annotations: {}, removeLabels: [], removeAnnotations: [] } }],
    ['image only', tpl([c()]), tpl([c({ image: 'nginx:2' })]), false, { containerImages: { main: 'nginx:2' }, containerResources: {}, metadata: { labels: {}, annotations: {}, removeLabels: [], removeAnnotations: [] } }],
    ['image of the second container', tpl([c(), c({ name: 'side', image: 'busybox:1' })]), tpl([c(), c({ name: 'side', image: 'busybox:2' })]), false, { containerImages: { side: 'busybox:2' }, containerResources: {}, metadata: { labels: {}, annotations: {}, removeLabels: [], removeAnnotations: [] } }],
    ['labels change in place too', tpl([c()]), tpl([c({ image: 'nginx:2' })], { app: 'web', v: '2' }), false, { containerImages: { main: 'nginx:2' }, containerResources: {}, metadata: { labels: { v: '2' }, annotations: {}, removeLabels: [], removeAnnotations: [] } }],
    ['an env change: recreate', tpl([c()]), tpl([c({ env: [{ name: 'A', value: '1' }] })]), false, 'add /spec/containers/0/env'],
    ['a new container: recreate', tpl([c()]), tpl([c(), c({ name: 'b' })]), false, 'add /spec/containers/1'],
    ['cpu without the gate: recreate', tpl([c()]), tpl([c({ resources: { requests: { cpu: '150m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } } })]), false, 'replace /spec/containers/0/resources/requests/cpu'],
    [
      'cpu and memory with the gate: in place',
      tpl([c()]),
      tpl([c({ resources: { requests: { cpu: '150m', memory: '96Mi' }, limits: { cpu: '300m', memory: '128Mi' } } })]),
      true,
      { containerImages: {}, containerResources: { main: { limits: { cpu: '300m' }, requests: { cpu: '150m', memory: '96Mi' } } }, metadata: { labels: {}, annotations: {}, removeLabels: [], removeAnnotations: [] } },
    ],
    ['adding a limit with the gate: recreate', tpl([c({ resources: { requests: { cpu: '1' } } })]), tpl([c({ resources: { requests: { cpu: '1' }, limits: { cpu: '2' } } })]), true, 'add /spec/containers/0/resources/limits'],
    ['ephemeral-storage with the gate: recreate', tpl([c({ resources: { requests: { 'ephemeral-storage': '1Gi' } } })]), tpl([c({ resources: { requests: { 'ephemeral-storage': '2Gi' } } })]), true, 'resource ephemeral-storage cannot be resized in place'],
    [
      'Burstable -> Guaranteed with the gate: the QoS changes, recreate',
      tpl([c()]),
      tpl([c({ resources: { requests: { cpu: '200m', memory: '128Mi' }, limits: { cpu: '200m', memory: '128Mi' } } })]),
      true,
      'the pod QoS class changes',
    ],
  ];
  it.each(cases)('%s', (_n, from, to, vertical, want) => {
    const got = calculateInPlaceSpec(from, to, vertical);
    if (typeof want === 'string') expect(got).toEqual({ possible: false, reason: want });
    else expect(got).toEqual({ possible: true, spec: want });
  });
});

const running = (o: { image?: string; statusImage?: string; imageID?: string; annotations?: Record<string, string>; resources?: V1Container['resources']; statusResources?: V1Container['resources'] } = {}): V1Pod => ({
  metadata: { name: 'web-0', labels: { 'controller-revision-hash': 'web-a', 'lifecycle.apps.kruise.io/state': 'Normal' }, annotations: o.annotations ?? {} },
  spec: { containers: [c({ image: o.image ?? 'nginx:1', ...(o.resources && { resources: o.resources }) })], readinessGates: [{ conditionType: 'InPlaceUpdateReady' }] },
  status: {
    phase: 'Running',
    containerStatuses: [
      { name: 'main', image: o.statusImage ?? o.image ?? 'nginx:1', imageID: o.imageID ?? 'nginx@sha256:1', ready: true, restartCount: 0, ...(o.statusResources && { resources: o.statusResources }) },
    ],
  },
});

describe('inPlaceProgress', () => {
  const state = (s: object) => ({ 'apps.kruise.io/inplace-update-state': JSON.stringify({ revision: 'web-b', updateTimestamp: '2025-01-01T00:00:00Z', ...s }) });
  it.each<[string, V1Pod, boolean, ReturnType<typeof inPlaceProgress>]>([
    ['no state', running(), false, undefined],
    ['image updated, kubelet not yet', running({ image: 'nginx:2', statusImage: 'nginx:1', annotations: state({ lastContainerStatuses: { main: { imageID: 'nginx@sha256:1' } } }) }), false, { inGrace: false, pendingBatches: false, containersCompleted: false }],
    ['image updated, same imageID but the status shows the new image', running({ image: 'nginx:2', annotations: state({ lastContainerStatuses: { main: { imageID: 'nginx@sha256:1' } } }) }), false, { inGrace: false, pendingBatches: false, containersCompleted: true }],
    ['an untagged image compares as :latest', running({ image: 'nginx', statusImage: 'nginx:latest', annotations: state({ lastContainerStatuses: { main: { imageID: 'nginx@sha256:1' } } }) }), false, { inGrace: false, pendingBatches: false, containersCompleted: true }],
    ['image updated and running', running({ image: 'nginx:2', imageID: 'nginx@sha256:2', annotations: state({ lastContainerStatuses: { main: { imageID: 'nginx@sha256:1' } } }) }), false, { inGrace: false, pendingBatches: false, containersCompleted: true }],
    ['a container status missing', { ...running({ annotations: state({ lastContainerStatuses: { other: { imageID: 'x' } } }) }) }, false, { inGrace: false, pendingBatches: false, containersCompleted: false }],
    ['later batch pending', running({ annotations: state({ nextContainerImages: { side: 'b:2' } }) }), false, { inGrace: false, pendingBatches: true, containersCompleted: true }],
    ['in grace', running({ annotations: { ...state({}), 'apps.kruise.io/inplace-update-grace': '{}' } }), false, { inGrace: true, pendingBatches: false, containersCompleted: true }],
    [
      'resources not yet applied',
      running({ annotations: state({ updateResources: true }), resources: { limits: { cpu: '1' } }, statusResources: { limits: { cpu: '500m' } } }),
      true,
      { inGrace: false, pendingBatches: false, containersCompleted: false },
    ],
    [
      'resources applied (quantities compared by value)',
      running({ annotations: state({ updateResources: true }), resources: { limits: { cpu: '1' } }, statusResources: { limits: { cpu: '1000m' } } }),
      true,
      { inGrace: false, pendingBatches: false, containersCompleted: true },
    ],
  ])('%s', (_n, pod, vertical, want) => expect(inPlaceProgress(pod, vertical)).toEqual(want));
});

describe('applyInPlaceUpdate', () => {
  const now = new Date(Date.UTC(2025, 0, 1, 0, 0, 0, 123));
  it('writes revision, images, recorded imageIDs, lifecycle Updating and the state annotation', () => {
    const spec: InPlaceSpec = { containerImages: { main: 'nginx:2' }, containerResources: {}, metadata: { labels: { v: '2' }, annotations: {}, removeLabels: ['old'], removeAnnotations: [] } };
    const before = running();
    before.metadata!.labels!.old = 'x';
    const { pod, resize, markUnready } = applyInPlaceUpdate(before, spec, false, { revision: 'web-b', now, setUpdating: true });
    expect(pod.metadata?.labels).toEqual({ 'controller-revision-hash': 'web-b', 'lifecycle.apps.kruise.io/state': 'Updating', v: '2' });
    expect(pod.metadata?.annotations?.['lifecycle.apps.kruise.io/timestamp']).toBe('2025-01-01T00:00:00Z');
    expect(pod.spec?.containers[0]?.image).toBe('nginx:2');
    expect(JSON.parse(pod.metadata?.annotations?.['apps.kruise.io/inplace-update-state'] ?? '')).toEqual({
      revision: 'web-b',
      updateTimestamp: '2025-01-01T00:00:00Z',
      updateImages: true,
      lastContainerStatuses: { main: { imageID: 'nginx@sha256:1' } },
      containerBatchesRecord: [{ timestamp: '2025-01-01T00:00:00Z', containers: ['main'] }],
    });
    expect(resize).toEqual({});
    expect(markUnready).toBe(true);
    expect(before.spec?.containers[0]?.image).toBe('nginx:1'); // input untouched
  });

  it('sends resources through resize, merged over the current ones', () => {
    const spec: InPlaceSpec = { containerImages: {}, containerResources: { main: { limits: { cpu: '300m' }, requests: {} } }, metadata: { labels: {}, annotations: {}, removeLabels: [], removeAnnotations: [] } };
    const { pod, resize } = applyInPlaceUpdate(running(), spec, true, { revision: 'web-b', now, setUpdating: false });
    expect(resize).toEqual({ main: { limits: { cpu: '300m', memory: '128Mi' }, requests: { cpu: '100m', memory: '64Mi' } } });
    expect(pod.spec?.containers[0]?.resources?.limits?.cpu).toBe('200m'); // the pod update does not touch resources
    expect(pod.metadata?.labels?.['lifecycle.apps.kruise.io/state']).toBe('Normal');
    expect(JSON.parse(pod.metadata?.annotations?.['apps.kruise.io/inplace-update-state'] ?? '').updateResources).toBe(true);
  });
});

describe('needsUnready', () => {
  const vertical: InPlaceSpec = { containerImages: {}, containerResources: { main: { limits: { cpu: '1' }, requests: {} } }, metadata: { labels: {}, annotations: {}, removeLabels: [], removeAnnotations: [] } };
  const image: InPlaceSpec = { ...vertical, containerImages: { main: 'nginx:2' }, containerResources: {} };
  const withPolicy = (policy: 'RestartContainer' | 'NotRequired'): V1Pod => {
    const p = running();
    p.spec!.containers[0]!.resizePolicy = [{ resourceName: 'cpu', restartPolicy: policy }];
    return p;
  };
  const noGate = (): V1Pod => ({ ...running(), spec: { containers: [c()] } });
  it.each<[string, V1Pod, InPlaceSpec, boolean, boolean]>([
    ['image update with the gate', running(), image, true, true],
    ['no readiness gate', noGate(), image, true, false],
    ['resources only, no restart policy', running(), vertical, true, false],
    ['resources only, cpu RestartContainer', withPolicy('RestartContainer'), vertical, true, true],
    ['resources only, NotRequired', withPolicy('NotRequired'), vertical, true, false],
    ['without the vertical gate every update goes unready', running(), vertical, false, true],
  ])('%s', (_n, pod, spec, gate, want) => expect(needsUnready(pod, spec, gate)).toBe(want));
});

describe('gracePeriodSeconds (applyInPlaceUpdate with grace, graceStep)', () => {
  const now = new Date(Date.UTC(2025, 0, 1, 0, 0, 0, 700));
  const imageSpec: InPlaceSpec = { containerImages: { main: 'nginx:2' }, containerResources: {}, metadata: { labels: {}, annotations: {}, removeLabels: [], removeAnnotations: [] } };
  const marked = () => applyInPlaceUpdate(running(), imageSpec, false, { revision: 'web-b', now, setUpdating: true, gracePeriodSeconds: 3 }).pod;

  it('marks the pod (revision, state, grace annotation) without touching the image', () => {
    const { pod, resize, markUnready } = applyInPlaceUpdate(running(), imageSpec, false, { revision: 'web-b', now, setUpdating: true, gracePeriodSeconds: 3 });
    expect(pod.spec?.containers[0]?.image).toBe('nginx:1');
    expect(pod.metadata?.labels?.['controller-revision-hash']).toBe('web-b');
    expect(JSON.parse(pod.metadata?.annotations?.['apps.kruise.io/inplace-update-grace'] ?? '')).toEqual({ revision: 'web-b', containerImages: { main: 'nginx:2' }, containerResources: {}, graceSeconds: 3 });
    expect(JSON.parse(pod.metadata?.annotations?.['apps.kruise.io/inplace-update-state'] ?? '')).toMatchObject({ revision: 'web-b', updateTimestamp: '2025-01-01T00:00:00Z', updateImages: true });
    expect(inPlaceProgress(pod, false)?.inGrace).toBe(true);
    expect({ resize, markUnready }).toEqual({ resize: {}, markUnready: true });
  });

  it('parks resizes too (vertical scaling)', () => {
    const spec: InPlaceSpec = { ...imageSpec, containerImages: {}, containerResources: { main: { limits: { cpu: '300m' }, requests: {} } } };
    const { pod, resize } = applyInPlaceUpdate(running(), spec, true, { revision: 'web-b', now, setUpdating: false, gracePeriodSeconds: 3 });
    expect(resize).toEqual({});
    const step = graceStep(pod, Date.parse('2025-01-01T00:00:03Z'));
    expect(step.kind === 'finish' && step.resize).toEqual({ main: { limits: { cpu: '300m', memory: '128Mi' }, requests: { cpu: '100m', memory: '64Mi' } } });
  });

  it.each<[string, number | undefined, InPlaceSpec]>([
    ['gracePeriodSeconds 0', 0, imageSpec],
    ['gracePeriodSeconds unset', undefined, imageSpec],
    ['nothing to change in containers (metadata only)', 3, { ...imageSpec, containerImages: {} }],
  ])('no grace annotation with %s', (_n, grace, spec) => {
    const { pod } = applyInPlaceUpdate(running(), spec, false, { revision: 'web-b', now, setUpdating: false, ...(grace !== undefined && { gracePeriodSeconds: grace }) });
    expect(pod.metadata?.annotations?.['apps.kruise.io/inplace-update-grace']).toBeUndefined();
  });

  // updateTimestamp is 00:00:00 (second precision); the grace is 3 s.
  it.each<[string, number, { kind: string; remainingMs?: number }]>([
    ['right after marking', Date.parse('2025-01-01T00:00:00.700Z'), { kind: 'wait', remainingMs: 3000 }],
    ['1.2 s later: rounded up to whole seconds', Date.parse('2025-01-01T00:00:01.800Z'), { kind: 'wait', remainingMs: 2000 }],
    ['exactly due', Date.parse('2025-01-01T00:00:03Z'), { kind: 'finish' }],
    ['long after', Date.parse('2025-01-01T01:00:00Z'), { kind: 'finish' }],
  ])('graceStep %s', (_n, at, want) => {
    const step = graceStep(marked(), at);
    expect(step.kind === 'wait' ? { kind: step.kind, remainingMs: step.remainingMs } : { kind: step.kind }).toEqual(want);
  });

  it('finishing applies the parked image and drops the grace annotation; again it is a no-op', () => {
    const step = graceStep(marked(), Date.parse('2025-01-01T00:00:03Z'));
    if (step.kind !== 'finish') throw new Error(`expected finish, got ${step.kind}`);
    const done = step.mutate(marked());
    expect(done?.spec?.containers[0]?.image).toBe('nginx:2');
    expect(done?.metadata?.annotations?.['apps.kruise.io/inplace-update-grace']).toBeUndefined();
    expect(done?.metadata?.annotations?.['apps.kruise.io/inplace-update-state']).toBeDefined();
    expect(step.mutate(done!)).toBeUndefined();
    expect(graceStep(done!, Date.parse('2025-01-01T00:00:03Z'))).toEqual({ kind: 'none' });
  });

  it('a pod whose revision label moved on only loses the stale grace annotation', () => {
    const pod = marked();
    pod.metadata!.labels!['controller-revision-hash'] = 'web-c';
    const step = graceStep(pod, Date.parse('2025-01-01T00:00:00.700Z'));
    if (step.kind !== 'finish') throw new Error(`expected finish, got ${step.kind}`);
    const next = step.mutate(pod);
    expect({ image: next?.spec?.containers[0]?.image, grace: next?.metadata?.annotations?.['apps.kruise.io/inplace-update-grace'], resize: step.resize }).toEqual({ image: 'nginx:1', grace: undefined, resize: {} });
  });

  it('no grace annotation: none', () => expect(graceStep(running(), 0)).toEqual({ kind: 'none' }));
});
