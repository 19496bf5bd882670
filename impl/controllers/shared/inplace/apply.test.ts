// How a pod is rewritten for an in-place update, and how a parked (grace period) update finishes.
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { graceStep, labelIsRevision, needsUnready, planInPlaceUpdate, resizeFor, type InPlaceUpdateOptions } from './apply.ts';
import type { InPlaceSpec } from './diff.ts';
import { inPlaceProgress } from './progress.ts';
import { readGraceSpec, readInPlaceState } from './state.ts';

const T = Date.UTC(2025, 0, 1, 0, 0, 0, 700);
const STAMP = '2025-01-01T00:00:00Z';
const GRACE = 'apps.kruise.io/inplace-update-grace';
const burstable = { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } };
const noMetadata = { labels: {}, annotations: {}, removeLabels: [], removeAnnotations: [] };

function running(o: { gates?: string[]; resources?: V1Container['resources'] | null; resizePolicy?: V1Container['resizePolicy']; sidecar?: boolean } = {}): V1Pod {
  const resources = o.resources === null ? undefined : (o.resources ?? burstable);
  return {
    metadata: { name: 'web-0', labels: { app: 'web', 'controller-revision-hash': 'web-a', 'lifecycle.apps.kruise.io/state': 'Normal', old: 'x' }, annotations: { 'inplace-update-state': '{}' } },
    spec: {
      containers: [
        { name: 'main', image: 'nginx:1', ...(resources && { resources }), ...(o.resizePolicy && { resizePolicy: o.resizePolicy }) },
        ...(o.sidecar ? [{ name: 'side', image: 'busybox:1' }] : []),
      ],
      readinessGates: (o.gates ?? ['InPlaceUpdateReady']).map((conditionType) => ({ conditionType })),
    },
    status: {
      phase: 'Running',
      containerStatuses: [
        { name: 'main', image: 'nginx:1', imageID: 'nginx@sha256:1', ready: true, restartCount: 0 },
        ...(o.sidecar ? [{ name: 'side', image: 'busybox:1', imageID: 'busybox@sha256:1', ready: true, restartCount: 0 }] : []),
      ],
    },
  };
}

const imageSpec: InPlaceSpec = { containerImages: { main: 'nginx:2' }, containerResources: {}, metadata: { ...noMetadata, labels: { v: '2' }, removeLabels: ['old'] } };
const cpuSpec: InPlaceSpec = { containerImages: {}, containerResources: { main: { limits: { cpu: '300m' }, requests: {} } }, metadata: noMetadata };
const opts: InPlaceUpdateOptions = { revision: 'web-b', revisionLabels: { 'controller-revision-hash': 'web-b' }, setUpdating: true, now: T, gracePeriodSeconds: 0 };

describe('planInPlaceUpdate', () => {
  it('writes revision labels, lifecycle Updating, template metadata, images and the state annotation', () => {
    const before = running();
    const plan = planInPlaceUpdate(before, imageSpec, opts);
    const pod = plan.mutate(before);
    expect({ markUnready: plan.markUnready, resize: plan.resize }).toEqual({ markUnready: true, resize: {} });
    expect(pod.metadata?.labels).toEqual({ app: 'web', 'controller-revision-hash': 'web-b', 'lifecycle.apps.kruise.io/state': 'Updating', v: '2' });
    expect(pod.metadata?.annotations?.['lifecycle.apps.kruise.io/timestamp']).toBe(STAMP);
    expect(pod.metadata?.annotations?.['inplace-update-state'], 'the old state key is dropped').toBeUndefined();
    expect(pod.spec?.containers[0]?.image).toBe('nginx:2');
    expect(readInPlaceState(pod)).toEqual({
      revision: 'web-b',
      updateTimestamp: STAMP,
      updateImages: true,
      lastContainerStatuses: { main: { imageID: 'nginx@sha256:1' } },
      containerBatchesRecord: [{ timestamp: STAMP, containers: ['main'] }],
    });
    expect(before.spec?.containers[0]?.image, 'the input is not modified').toBe('nginx:1');
  });

  it('records the imageIDs of the live pod it is applied to', () => {
    const live = running();
    live.status!.containerStatuses![0]!.imageID = 'nginx@sha256:live';
    expect(readInPlaceState(planInPlaceUpdate(running(), imageSpec, opts).mutate(live))?.lastContainerStatuses).toEqual({ main: { imageID: 'nginx@sha256:live' } });
  });

  it('template metadata is applied after the revision labels (kruise patches it last)', () => {
    const spec: InPlaceSpec = { ...imageSpec, metadata: { ...noMetadata, labels: { 'lifecycle.apps.kruise.io/state': 'Normal' } } };
    expect(planInPlaceUpdate(running(), spec, opts).mutate(running()).metadata?.labels?.['lifecycle.apps.kruise.io/state']).toBe('Normal');
  });

  it('without setUpdating the lifecycle label and timestamp stay as they were', () => {
    const pod = planInPlaceUpdate(running(), imageSpec, { ...opts, setUpdating: false }).mutate(running());
    expect({ state: pod.metadata?.labels?.['lifecycle.apps.kruise.io/state'], stamp: pod.metadata?.annotations?.['lifecycle.apps.kruise.io/timestamp'] }).toEqual({ state: 'Normal', stamp: undefined });
  });

  it('writes every revision label the workload asks for', () => {
    const pod = planInPlaceUpdate(running(), imageSpec, { ...opts, revisionLabels: { 'controller-revision-hash': 'b', 'pod-template-hash': 'b' } }).mutate(running());
    expect(pod.metadata?.labels).toMatchObject({ 'controller-revision-hash': 'b', 'pod-template-hash': 'b' });
  });

  it('sends resources through a resize, leaves spec resources to it, and records updateResources', () => {
    const plan = planInPlaceUpdate(running(), cpuSpec, opts);
    const pod = plan.mutate(running());
    expect(plan.resize).toEqual({ main: { limits: { cpu: '300m', memory: '128Mi' }, requests: { cpu: '100m', memory: '64Mi' } } });
    expect(plan.markUnready, 'no RestartContainer resize policy').toBe(false);
    expect(pod.spec?.containers[0]?.resources?.limits?.cpu).toBe('200m');
    expect(readInPlaceState(pod)).toEqual({ revision: 'web-b', updateTimestamp: STAMP, updateResources: true, containerBatchesRecord: [{ timestamp: STAMP, containers: ['main'] }] });
  });

  it('a metadata-only update records an empty batch and sets no grace', () => {
    const spec: InPlaceSpec = { containerImages: {}, containerResources: {}, metadata: { ...noMetadata, labels: { v: '2' } } };
    const pod = planInPlaceUpdate(running(), spec, { ...opts, gracePeriodSeconds: 3 }).mutate(running());
    expect(readInPlaceState(pod)?.containerBatchesRecord).toEqual([{ timestamp: STAMP, containers: [] }]);
    expect(pod.metadata?.annotations?.[GRACE]).toBeUndefined();
  });

  it('only the changed containers are recorded, sorted', () => {
    const spec: InPlaceSpec = { containerImages: { side: 'busybox:2', main: 'nginx:2' }, containerResources: {}, metadata: noMetadata };
    const state = readInPlaceState(planInPlaceUpdate(running({ sidecar: true }), spec, opts).mutate(running({ sidecar: true })));
    expect({ last: state?.lastContainerStatuses, batch: state?.containerBatchesRecord }).toEqual({
      last: { main: { imageID: 'nginx@sha256:1' }, side: { imageID: 'busybox@sha256:1' } },
      batch: [{ timestamp: STAMP, containers: ['main', 'side'] }],
    });
    const imageOnly = readInPlaceState(planInPlaceUpdate(running({ sidecar: true }), { ...spec, containerImages: { side: 'busybox:2' } }, opts).mutate(running({ sidecar: true })));
    expect(imageOnly?.containerBatchesRecord, 'an unchanged container is not recorded').toEqual([{ timestamp: STAMP, containers: ['side'] }]);
  });

  it('images and resources together: resizes, and holds the images in nextContainerImages until the resize is done', () => {
    const spec: InPlaceSpec = { ...imageSpec, containerResources: cpuSpec.containerResources };
    const plan = planInPlaceUpdate(running(), spec, opts);
    const pod = plan.mutate(running());
    expect({ markUnready: plan.markUnready, resize: plan.resize }).toEqual({ markUnready: true, resize: { main: { limits: { cpu: '300m', memory: '128Mi' }, requests: { cpu: '100m', memory: '64Mi' } } } });
    expect(pod.spec?.containers[0]?.image, 'the image waits for the resize').toBe('nginx:1');
    expect(pod.metadata?.labels).toMatchObject({ 'controller-revision-hash': 'web-b', 'lifecycle.apps.kruise.io/state': 'Updating', v: '2' });
    expect(readInPlaceState(pod)).toEqual({
      revision: 'web-b',
      updateTimestamp: STAMP,
      updateImages: true,
      updateResources: true,
      nextContainerImages: { main: 'nginx:2' },
      containerBatchesRecord: [{ timestamp: STAMP, containers: ['main'] }],
    });
    expect(inPlaceProgress(pod, true)?.pendingBatches, 'not completed while the images wait').toBe(true);
  });

  it('holds every new image when any container is resized; the batch records only the resized ones', () => {
    const spec: InPlaceSpec = { containerImages: { side: 'busybox:2' }, containerResources: { main: { limits: { cpu: '300m' }, requests: {} } }, metadata: noMetadata };
    const pod = planInPlaceUpdate(running({ sidecar: true }), spec, opts).mutate(running({ sidecar: true }));
    const state = readInPlaceState(pod);
    expect({ images: pod.spec?.containers.map((c) => c.image), next: state?.nextContainerImages, last: state?.lastContainerStatuses, batch: state?.containerBatchesRecord }).toEqual({
      images: ['nginx:1', 'busybox:1'],
      next: { side: 'busybox:2' },
      last: undefined,
      batch: [{ timestamp: STAMP, containers: ['main'] }],
    });
  });

  it('an image for a container the pod lacks holds nothing', () => {
    const spec: InPlaceSpec = { containerImages: { ghost: 'x:2' }, containerResources: cpuSpec.containerResources, metadata: noMetadata };
    const state = readInPlaceState(planInPlaceUpdate(running(), spec, opts).mutate(running()));
    expect({ next: state?.nextContainerImages, images: state?.updateImages }).toEqual({ next: undefined, images: undefined });
  });

  it('with gracePeriodSeconds parks images and resizes in the grace annotation', () => {
    const spec: InPlaceSpec = { ...imageSpec, containerResources: cpuSpec.containerResources };
    const plan = planInPlaceUpdate(running(), spec, { ...opts, gracePeriodSeconds: 3 });
    const pod = plan.mutate(running());
    expect(plan.resize).toEqual({});
    expect(pod.spec?.containers[0]?.image).toBe('nginx:1');
    expect(pod.metadata?.labels?.['controller-revision-hash']).toBe('web-b');
    expect(readGraceSpec(pod)).toEqual({ revision: 'web-b', containerImages: { main: 'nginx:2' }, containerResources: cpuSpec.containerResources, graceSeconds: 3 });
    expect(readInPlaceState(pod)).toMatchObject({ revision: 'web-b', updateTimestamp: STAMP, updateImages: true, updateResources: true });
    expect(inPlaceProgress(pod, true)?.inGrace).toBe(true);
  });

  it('a later update without grace drops a leftover grace annotation', () => {
    const parked = planInPlaceUpdate(running(), imageSpec, { ...opts, gracePeriodSeconds: 3 }).mutate(running());
    expect(planInPlaceUpdate(parked, imageSpec, opts).mutate(parked).metadata?.annotations?.[GRACE]).toBeUndefined();
  });
});

describe('needsUnready', () => {
  const withPolicy = (resourceName: string, restartPolicy: string): V1Pod => running({ resizePolicy: [{ resourceName, restartPolicy }] });
  it.each<[string, V1Pod, InPlaceSpec, boolean]>([
    ['image update with the gate', running(), imageSpec, true],
    ['no InPlaceUpdateReady readiness gate', running({ gates: ['KruisePodReady'] }), imageSpec, false],
    ['metadata only with the gate', running(), { ...imageSpec, containerImages: {} }, true],
    ['resources only, no resize policy', running(), cpuSpec, false],
    ['resources only, cpu RestartContainer', withPolicy('cpu', 'RestartContainer'), cpuSpec, true],
    ['resources only, cpu NotRequired', withPolicy('cpu', 'NotRequired'), cpuSpec, false],
    ['resources only, RestartContainer for memory, which did not change', withPolicy('memory', 'RestartContainer'), cpuSpec, false],
    ['resources and image', running(), { ...cpuSpec, containerImages: { main: 'nginx:2' } }, true],
  ])('%s -> %s', (_n, pod, spec, want) => expect(needsUnready(pod, spec)).toBe(want));
});

describe('resizeFor', () => {
  it.each<[string, V1Pod, InPlaceSpec['containerResources'], ReturnType<typeof resizeFor>]>([
    ['changes merged over the current resources', running(), { main: { limits: { cpu: '300m' }, requests: { memory: '96Mi' } } }, { main: { limits: { cpu: '300m', memory: '128Mi' }, requests: { cpu: '100m', memory: '96Mi' } } }],
    ['a container without limits gets no limits', running({ resources: { requests: { cpu: '1' } } }), { main: { limits: {}, requests: { cpu: '2' } } }, { main: { requests: { cpu: '2' } } }],
    ['a container without resources', running({ resources: null }), { main: { limits: { cpu: '1' }, requests: {} } }, { main: { limits: { cpu: '1' } } }],
    ['unknown containers are skipped', running(), { other: { limits: { cpu: '1' }, requests: {} } }, {}],
  ])('%s', (_n, pod, changes, want) => expect(resizeFor(pod, changes)).toEqual(want));
});

describe('graceStep (finishGracePeriod)', () => {
  const parked = (spec: InPlaceSpec = imageSpec): V1Pod => planInPlaceUpdate(running(), spec, { ...opts, gracePeriodSeconds: 3 }).mutate(running());

  // updateTimestamp is 00:00:00 (second precision); the grace is 3 s.
  it.each<[string, number, { kind: string; remainingMs?: number }]>([
    ['right after marking', Date.parse('2025-01-01T00:00:00.700Z'), { kind: 'wait', remainingMs: 3000 }],
    ['1.8 s later: rounded up to whole seconds', Date.parse('2025-01-01T00:00:01.800Z'), { kind: 'wait', remainingMs: 2000 }],
    ['exactly due', Date.parse('2025-01-01T00:00:03Z'), { kind: 'finish' }],
    ['long after', Date.parse('2025-01-01T01:00:00Z'), { kind: 'finish' }],
  ])('%s', (_n, at, want) => {
    const step = graceStep(parked(), at, labelIsRevision);
    expect(step.kind === 'wait' ? { kind: step.kind, remainingMs: step.remainingMs } : { kind: step.kind }).toEqual(want);
  });

  it('finishing applies the parked image and drops the grace annotation; again it is a no-op', () => {
    const step = graceStep(parked(), Date.parse('2025-01-01T00:00:03Z'), labelIsRevision);
    if (step.kind !== 'finish') throw new Error(`expected finish, got ${step.kind}`);
    const done = step.mutate(parked());
    expect({ image: done?.spec?.containers[0]?.image, grace: done?.metadata?.annotations?.[GRACE], state: done?.metadata?.annotations?.['apps.kruise.io/inplace-update-state'] !== undefined }).toEqual({
      image: 'nginx:2',
      grace: undefined,
      state: true,
    });
    expect(step.mutate(done!), 'the live pod has no grace annotation any more').toBeUndefined();
    expect(graceStep(done!, Date.parse('2025-01-01T00:00:03Z'), labelIsRevision)).toEqual({ kind: 'none' });
  });

  it('finishing images and resources together resizes and holds the images, as without grace', () => {
    const spec: InPlaceSpec = { ...imageSpec, containerResources: cpuSpec.containerResources };
    const step = graceStep(parked(spec), Date.parse('2025-01-01T00:00:03Z'), labelIsRevision);
    if (step.kind !== 'finish') throw new Error(`expected finish, got ${step.kind}`);
    const done = step.mutate(parked(spec));
    const state = readInPlaceState(done!);
    expect({ resize: step.resize, image: done?.spec?.containers[0]?.image, grace: done?.metadata?.annotations?.[GRACE], next: state?.nextContainerImages, last: state?.lastContainerStatuses }).toEqual({
      resize: { main: { limits: { cpu: '300m', memory: '128Mi' }, requests: { cpu: '100m', memory: '64Mi' } } },
      image: 'nginx:1',
      grace: undefined,
      next: { main: 'nginx:2' },
      last: undefined,
    });
    expect(state).toMatchObject({ revision: 'web-b', updateTimestamp: STAMP, updateImages: true, updateResources: true });
  });

  it('finishing resizes the parked resources', () => {
    const step = graceStep(parked(cpuSpec), Date.parse('2025-01-01T00:00:03Z'), labelIsRevision);
    expect(step.kind === 'finish' && step.resize).toEqual({ main: { limits: { cpu: '300m', memory: '128Mi' }, requests: { cpu: '100m', memory: '64Mi' } } });
  });

  it('a pod whose revision label moved on only loses the stale grace annotation, at once', () => {
    const pod = parked(cpuSpec);
    pod.metadata!.labels!['controller-revision-hash'] = 'web-c';
    const step = graceStep(pod, T, labelIsRevision);
    if (step.kind !== 'finish') throw new Error(`expected finish, got ${step.kind}`);
    const next = step.mutate(pod);
    expect({ resize: step.resize, image: next?.spec?.containers[0]?.image, grace: next?.metadata?.annotations?.[GRACE] }).toEqual({ resize: {}, image: 'nginx:1', grace: undefined });
  });

  it('the revision comes from the grace annotation, as in kruise', () => {
    const pod = parked();
    pod.metadata!.annotations![GRACE] = JSON.stringify({ ...readGraceSpec(pod), revision: 'web-c' });
    expect(graceStep(pod, T, labelIsRevision).kind, 'parked for another revision: stale').toBe('finish');
  });

  it('an older grace annotation without a revision is timed against the state revision', () => {
    const pod = parked();
    const { revision: _dropped, ...rest } = readGraceSpec(pod)!;
    pod.metadata!.annotations![GRACE] = JSON.stringify(rest);
    expect(graceStep(pod, T, labelIsRevision)).toEqual({ kind: 'wait', remainingMs: 3000 });
  });

  it('without a readable state the grace annotation is dropped', () => {
    const pod = parked();
    pod.metadata!.annotations!['apps.kruise.io/inplace-update-state'] = '[]';
    const step = graceStep(pod, T, labelIsRevision);
    expect(step.kind === 'finish' && step.mutate(pod)?.spec?.containers[0]?.image).toBe('nginx:1');
  });

  it('a revision moving on between planning and writing keeps the old image', () => {
    const step = graceStep(parked(), Date.parse('2025-01-01T00:00:03Z'), labelIsRevision);
    const live = parked();
    live.metadata!.labels!['controller-revision-hash'] = 'web-c';
    expect(step.kind === 'finish' && step.mutate(live)?.spec?.containers[0]?.image).toBe('nginx:1');
  });

  it('no grace annotation: none', () => expect(graceStep(running(), T, labelIsRevision)).toEqual({ kind: 'none' }));
});
