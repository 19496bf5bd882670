// The second step of an images + resources in-place update: the held images go on once the
// kubelet reports the resize done; a blocked resize is reported and keeps the update pending.
import type { V1Pod, V1PodCondition } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { labelIsRevision, planInPlaceUpdate, type InPlaceUpdateOptions } from './apply.ts';
import type { InPlaceSpec } from './diff.ts';
import { inPlaceProgress, isInPlaceCompleted } from './progress.ts';
import { blockedResize, pendingImagesStep } from './sequence.ts';
import { readInPlaceState } from './state.ts';

const T = Date.UTC(2025, 0, 1);
const STAMP = '2025-01-01T00:00:00Z';
const LATER = T + 5000;
const LATER_STAMP = '2025-01-01T00:00:05Z';
const STATE = 'apps.kruise.io/inplace-update-state';
const OLD = { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } };
const NEW = { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '300m', memory: '128Mi' } };
const noMetadata = { labels: {}, annotations: {}, removeLabels: [], removeAnnotations: [] };
const both: InPlaceSpec = { containerImages: { main: 'nginx:2' }, containerResources: { main: { limits: { cpu: '300m' }, requests: {} } }, metadata: noMetadata };
const opts: InPlaceUpdateOptions = { revision: 'web-b', revisionLabels: { 'controller-revision-hash': 'web-b' }, setUpdating: true, now: T, gracePeriodSeconds: 0 };

function running(): V1Pod {
  return {
    metadata: { name: 'web-0', labels: { 'controller-revision-hash': 'web-a' }, annotations: {} },
    spec: { containers: [{ name: 'main', image: 'nginx:1', resources: OLD }], readinessGates: [{ conditionType: 'InPlaceUpdateReady' }] },
    status: { phase: 'Running', containerStatuses: [{ name: 'main', image: 'nginx:1', imageID: 'nginx@sha256:1', ready: true, restartCount: 0, resources: OLD }] },
  };
}

/** After the first step: what the reconciler wrote (resize + pod update), before the kubelet acted. */
function afterFirstStep(): V1Pod {
  const plan = planInPlaceUpdate(running(), both, opts);
  const pod = plan.mutate(running());
  for (const c of pod.spec!.containers) c.resources = plan.resize[c.name] ?? c.resources;
  return pod;
}

/** The kubelet's report: status resources, conditions, status.resize (1.30). */
function kubelet(pod: V1Pod, o: { resources?: typeof OLD; conditions?: V1PodCondition[]; resize?: string } = {}): V1Pod {
  const next = structuredClone(pod);
  const s = next.status!.containerStatuses![0]!;
  s.resources = o.resources ?? next.spec!.containers[0]!.resources!;
  next.status = { ...next.status, ...(o.conditions && { conditions: o.conditions }), ...(o.resize !== undefined && { resize: o.resize }) };
  return next;
}

const cond = (type: string, reason?: string, message?: string): V1PodCondition => ({ type, status: 'True', ...(reason && { reason }), ...(message && { message }) });

describe('pendingImagesStep', () => {
  it.each<[string, V1Pod, string]>([
    ['no in-place state', running(), 'none'],
    ['an image-only update holds nothing', planInPlaceUpdate(running(), { ...both, containerResources: {} }, opts).mutate(running()), 'none'],
    ['held, the kubelet has not resized yet', afterFirstStep(), 'wait'],
    ['held, resources follow but PodResizeInProgress is still set', kubelet(afterFirstStep(), { conditions: [cond('PodResizeInProgress')] }), 'wait'],
    ['held, PodResizePending Infeasible', kubelet(afterFirstStep(), { resources: OLD, conditions: [cond('PodResizePending', 'Infeasible', 'no room')] }), 'wait'],
    ['held, PodResizePending Deferred', kubelet(afterFirstStep(), { resources: OLD, conditions: [cond('PodResizePending', 'Deferred')] }), 'wait'],
    ['held, 1.30 status.resize InProgress', kubelet(afterFirstStep(), { resize: 'InProgress' }), 'wait'],
    ['held, resize done (1.33+)', kubelet(afterFirstStep()), 'apply'],
    ['held, resize done (1.30: status.resize cleared)', kubelet(afterFirstStep(), { resize: '' }), 'apply'],
  ])('%s -> %s', (_n, pod, want) => expect(pendingImagesStep(pod, LATER, labelIsRevision).kind).toBe(want));

  it('held images in a grace period wait for the grace first', () => {
    const pod = kubelet(afterFirstStep());
    pod.metadata!.annotations!['apps.kruise.io/inplace-update-grace'] = '{}';
    expect(pendingImagesStep(pod, LATER, labelIsRevision).kind).toBe('none');
  });

  it('once the resize is done writes the images, records the imageIDs they replace and the batch, and completes after the restart', () => {
    const resized = kubelet(afterFirstStep());
    const step = pendingImagesStep(resized, LATER, labelIsRevision);
    if (step.kind !== 'apply') throw new Error(`expected apply, got ${step.kind}`);
    const next = step.mutate(resized);
    expect(next?.spec?.containers[0]?.image).toBe('nginx:2');
    expect(next?.spec?.containers[0]?.resources, 'resources stay as resized').toEqual(NEW);
    expect(readInPlaceState(next!)).toEqual({
      revision: 'web-b',
      updateTimestamp: STAMP,
      updateImages: true,
      updateResources: true,
      lastContainerStatuses: { main: { imageID: 'nginx@sha256:1' } },
      containerBatchesRecord: [{ timestamp: STAMP, containers: ['main'] }, { timestamp: LATER_STAMP, containers: ['main'] }],
    });
    expect(isInPlaceCompleted(inPlaceProgress(next!, true)!), 'not completed before the kubelet restarts the container').toBe(false);
    const restarted = structuredClone(next!);
    Object.assign(restarted.status!.containerStatuses![0]!, { image: 'nginx:2', imageID: 'nginx@sha256:2', restartCount: 1 });
    expect(isInPlaceCompleted(inPlaceProgress(restarted, true)!)).toBe(true);
    expect(step.mutate(next!), 'applied: the live pod holds nothing any more').toBeUndefined();
    expect(pendingImagesStep(next!, LATER, labelIsRevision).kind).toBe('none');
  });

  it('the held images keep the update from completing while the resize runs', () => {
    expect(inPlaceProgress(kubelet(afterFirstStep()), true)).toEqual({ inGrace: false, pendingBatches: true, containersCompleted: true });
  });

  it.each<[string, (live: V1Pod) => void]>([
    ['the live pod reports the resize not done', (live) => (live.status!.containerStatuses![0]!.resources = OLD)],
    ['the live pod has another update state', (live) => (live.metadata!.annotations![STATE] = JSON.stringify({ ...readInPlaceState(live), revision: 'web-c' }))],
    ['the live pod holds other images', (live) => (live.metadata!.annotations![STATE] = JSON.stringify({ ...readInPlaceState(live), nextContainerImages: { main: 'nginx:3' } }))],
    ['the live pod moved to another revision', (live) => (live.metadata!.labels!['controller-revision-hash'] = 'web-c')],
  ])('writes nothing when %s', (_n, change) => {
    const resized = kubelet(afterFirstStep());
    const step = pendingImagesStep(resized, LATER, labelIsRevision);
    const live = structuredClone(resized);
    change(live);
    expect(step.kind === 'apply' && step.mutate(live)).toBeUndefined();
  });

  it('images held for a revision the pod has left are dropped, not written', () => {
    const pod = afterFirstStep();
    pod.metadata!.labels!['controller-revision-hash'] = 'web-c';
    const step = pendingImagesStep(pod, LATER, labelIsRevision);
    if (step.kind !== 'apply') throw new Error(`expected apply, got ${step.kind}`);
    const next = step.mutate(pod);
    expect({ image: next?.spec?.containers[0]?.image, next: readInPlaceState(next!)?.nextContainerImages }).toEqual({ image: 'nginx:1', next: undefined });
    const back = structuredClone(pod);
    back.metadata!.labels!['controller-revision-hash'] = 'web-b';
    expect(step.mutate(back), 'back at the revision by the time of the write: left alone').toBeUndefined();
  });
});

describe('blockedResize', () => {
  const resizeOnly = (): V1Pod => {
    const plan = planInPlaceUpdate(running(), { ...both, containerImages: {} }, opts);
    const pod = plan.mutate(running());
    pod.spec!.containers[0]!.resources = NEW;
    return pod;
  };
  it.each<[string, V1Pod, ReturnType<typeof blockedResize>]>([
    ['no in-place state', kubelet(running(), { resources: OLD, conditions: [cond('PodResizePending', 'Infeasible')] }), undefined],
    ['an image-only update', kubelet(planInPlaceUpdate(running(), { ...both, containerResources: {} }, opts).mutate(running()), { conditions: [cond('PodResizePending', 'Infeasible')] }), undefined],
    ['resize in progress', afterFirstStep(), undefined],
    ['resize done', kubelet(afterFirstStep()), undefined],
    [
      'Infeasible, images held',
      kubelet(afterFirstStep(), { resources: OLD, conditions: [cond('PodResizePending', 'Infeasible', "Node didn't have enough capacity: cpu, requested: 4000, capacity: 2000")] }),
      {
        reason: 'Infeasible',
        message: "in-place update of pod web-0 (revision web-b) is pending: the kubelet reports its resize Infeasible: Node didn't have enough capacity: cpu, requested: 4000, capacity: 2000; the new images of main wait for it",
      },
    ],
    [
      'Deferred, resources only',
      kubelet(resizeOnly(), { resources: OLD, conditions: [cond('PodResizePending', 'Deferred', 'later')] }),
      { reason: 'Deferred', message: 'in-place update of pod web-0 (revision web-b) is pending: the kubelet reports its resize Deferred: later' },
    ],
    ['1.30 status.resize Infeasible', kubelet(afterFirstStep(), { resources: OLD, resize: 'Infeasible' }), { reason: 'Infeasible', message: 'in-place update of pod web-0 (revision web-b) is pending: the kubelet reports its resize Infeasible; the new images of main wait for it' }],
  ])('%s', (_n, pod, want) => expect(blockedResize(pod)).toEqual(want));

  it('a parked update (grace period) is not reported', () => {
    const pod = kubelet(afterFirstStep(), { resources: OLD, conditions: [cond('PodResizePending', 'Infeasible')] });
    pod.metadata!.annotations!['apps.kruise.io/inplace-update-grace'] = '{}';
    expect(blockedResize(pod)).toBeUndefined();
  });
});
