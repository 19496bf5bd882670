// When an in-place update has finished on a pod.
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { containersUpdated, inPlaceProgress, isInPlaceCompleted, resizeProgress, resourcesApplied, withDefaultTag, type InPlaceProgress } from './progress.ts';
import type { InPlaceUpdateState } from './state.ts';

const DIGEST = 'sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae';

describe('withDefaultTag', () => {
  it.each<[string, string]>([
    ['nginx', 'nginx:latest'],
    ['nginx:1.27', 'nginx:1.27'],
    ['docker.io/library/nginx', 'docker.io/library/nginx:latest'],
    ['registry:5000/img', 'registry:5000/img:latest'],
    ['registry:5000/team/img:2', 'registry:5000/team/img:2'],
    [`img@${DIGEST}`, `img@${DIGEST}`],
    [`registry:5000/img@${DIGEST}`, `registry:5000/img@${DIGEST}`],
    [`img:1@${DIGEST}`, `img:1@${DIGEST}`],
  ])('%s -> %s', (image, want) => expect(withDefaultTag(image)).toBe(want));
});

const main = (o: Partial<V1Container> = {}): V1Container => ({ name: 'main', image: 'nginx:1', ...o });

function pod(o: {
  image?: string;
  statusImage?: string;
  imageID?: string;
  annotations?: Record<string, string>;
  resources?: V1Container['resources'];
  statusResources?: V1Container['resources'];
  extraStatus?: boolean;
} = {}): V1Pod {
  const image = o.image ?? 'nginx:1';
  return {
    metadata: { name: 'web-0', annotations: o.annotations ?? {} },
    spec: { containers: [main({ image, ...(o.resources && { resources: o.resources }) })] },
    status: {
      containerStatuses: [
        { name: 'main', image: o.statusImage ?? image, imageID: o.imageID ?? 'nginx@sha256:1', ready: true, restartCount: 0, ...(o.statusResources && { resources: o.statusResources }) },
        ...(o.extraStatus ? [{ name: 'ghost', image: 'x', imageID: 'x', ready: true, restartCount: 0, resources: {} }] : []),
      ],
    },
  };
}

describe('resourcesApplied', () => {
  const spec = { requests: { cpu: '150m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } };
  it.each<[string, V1Pod, boolean]>([
    ['status equals spec', pod({ resources: spec, statusResources: spec }), true],
    ['units compared by value', pod({ resources: spec, statusResources: { requests: { cpu: '0.15', memory: '65536Ki' }, limits: { cpu: '200m', memory: '128Mi' } } }), true],
    ['a request not applied yet', pod({ resources: spec, statusResources: { ...spec, requests: { cpu: '100m', memory: '64Mi' } } }), false],
    ['no resources in the status', pod({ resources: spec }), false],
    ['a status key the spec lacks', pod({ resources: { limits: { cpu: '1' } }, statusResources: { limits: { cpu: '1', memory: '1Gi' } } }), false],
    ['a status for a container the spec lacks', pod({ resources: spec, statusResources: spec, extraStatus: true }), false],
  ])('%s', (_n, p, want) => expect(resourcesApplied(p)).toBe(want));
});

describe('containersUpdated', () => {
  const state = (o: Partial<InPlaceUpdateState> = {}): InPlaceUpdateState => ({ revision: 'web-b', updateTimestamp: '2025-01-01T00:00:00Z', lastContainerStatuses: { main: { imageID: 'img@sha256:1' } }, ...o });
  it.each<[string, V1Pod, InPlaceUpdateState, boolean, boolean]>([
    ['imageID unchanged, old image still reported', pod({ image: 'nginx:2', statusImage: 'nginx:1', imageID: 'img@sha256:1' }), state(), false, false],
    ['imageID changed', pod({ image: 'nginx:2', imageID: 'img@sha256:2' }), state(), false, true],
    ['imageID unchanged but the status shows the spec image', pod({ image: 'nginx:2', imageID: 'img@sha256:1' }), state(), false, true],
    ['an untagged spec image against a :latest status', pod({ image: 'nginx', statusImage: 'nginx:latest', imageID: 'img@sha256:1' }), state(), false, true],
    ['an untagged registry:port image against its :latest status', pod({ image: 'registry:5000/img', statusImage: 'registry:5000/img:latest', imageID: 'img@sha256:1' }), state(), false, true],
    ['a digest image is compared as written', pod({ image: `img@${DIGEST}`, statusImage: `img:latest`, imageID: 'img@sha256:1' }), state(), false, false],
    ['a recorded container without a status', pod(), state({ lastContainerStatuses: { other: { imageID: 'x' } } }), false, false],
    ['env-from-metadata needs kruise-daemon', pod({ imageID: 'img@sha256:2' }), state({ updateEnvFromMetadata: true }), false, false],
    ['resources not applied, gate on', pod({ resources: { limits: { cpu: '1' } }, statusResources: { limits: { cpu: '500m' } } }), state({ lastContainerStatuses: {}, updateResources: true }), true, false],
    ['resources applied, gate on', pod({ resources: { limits: { cpu: '1' } }, statusResources: { limits: { cpu: '1000m' } } }), state({ lastContainerStatuses: {}, updateResources: true }), true, true],
    ['resources not applied, gate off: not checked', pod({ resources: { limits: { cpu: '1' } }, statusResources: { limits: { cpu: '500m' } } }), state({ lastContainerStatuses: {}, updateResources: true }), false, true],
  ])('%s', (_n, p, s, vertical, want) => expect(containersUpdated(p, s, vertical)).toBe(want));
});

describe('inPlaceProgress', () => {
  const state = (s: object) => ({ 'apps.kruise.io/inplace-update-state': JSON.stringify({ revision: 'web-b', updateTimestamp: '2025-01-01T00:00:00Z', ...s }) });
  const recorded = { lastContainerStatuses: { main: { imageID: 'nginx@sha256:1' } } };
  it.each<[string, V1Pod, boolean, InPlaceProgress | undefined]>([
    ['no state', pod(), false, undefined],
    ['a state that is not an object', pod({ annotations: { 'apps.kruise.io/inplace-update-state': '"web-b"' } }), false, undefined],
    ['in grace without a state', pod({ annotations: { 'apps.kruise.io/inplace-update-grace': '{}' } }), false, { inGrace: true, pendingBatches: false, containersCompleted: false }],
    ['image updated, kubelet not yet', pod({ image: 'nginx:2', statusImage: 'nginx:1', annotations: state(recorded) }), false, { inGrace: false, pendingBatches: false, containersCompleted: false }],
    ['image updated and running', pod({ image: 'nginx:2', imageID: 'nginx@sha256:2', annotations: state(recorded) }), false, { inGrace: false, pendingBatches: false, containersCompleted: true }],
    ['later batch pending', pod({ annotations: state({ nextContainerImages: { side: 'b:2' } }) }), false, { inGrace: false, pendingBatches: true, containersCompleted: true }],
    ['in grace', pod({ annotations: { ...state({}), 'apps.kruise.io/inplace-update-grace': '{}' } }), false, { inGrace: true, pendingBatches: false, containersCompleted: true }],
    [
      'resources not yet applied',
      pod({ annotations: state({ updateResources: true }), resources: { limits: { cpu: '1' } }, statusResources: { limits: { cpu: '500m' } } }),
      true,
      { inGrace: false, pendingBatches: false, containersCompleted: false },
    ],
  ])('%s', (_n, p, vertical, want) => expect(inPlaceProgress(p, vertical)).toEqual(want));
});

describe('isInPlaceCompleted', () => {
  it.each<[InPlaceProgress, boolean]>([
    [{ inGrace: false, pendingBatches: false, containersCompleted: true }, true],
    [{ inGrace: true, pendingBatches: false, containersCompleted: true }, false],
    [{ inGrace: false, pendingBatches: true, containersCompleted: true }, false],
    [{ inGrace: false, pendingBatches: false, containersCompleted: false }, false],
  ])('%j -> %s', (p, want) => expect(isInPlaceCompleted(p)).toBe(want));
});

describe('resizeProgress', () => {
  const spec = { requests: { cpu: '150m', memory: '64Mi' }, limits: { cpu: '300m', memory: '128Mi' } };
  const old = { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } };
  const withStatus = (p: V1Pod, status: Partial<NonNullable<V1Pod['status']>>): V1Pod => ({ ...p, status: { ...p.status, ...status } });
  const cond = (type: string, reason?: string, message?: string, status = 'True') => ({ type, status, ...(reason && { reason }), ...(message && { message }) });
  const applied = pod({ resources: spec, statusResources: spec });
  const notYet = pod({ resources: spec, statusResources: old });
  it.each<[string, V1Pod, ReturnType<typeof resizeProgress>]>([
    ['status resources follow, nothing marked', applied, { kind: 'done' }],
    ['status resources not yet', notYet, { kind: 'inProgress' }],
    ['resources follow but PodResizeInProgress still set (1.33+)', withStatus(applied, { conditions: [cond('PodResizeInProgress')] }), { kind: 'inProgress' }],
    ['a PodResizeInProgress condition that is False does not count', withStatus(applied, { conditions: [cond('PodResizeInProgress', undefined, undefined, 'False')] }), { kind: 'done' }],
    ['PodResizePending Infeasible', withStatus(notYet, { conditions: [cond('PodResizePending', 'Infeasible', 'Node didn\'t have enough capacity: cpu')] }), { kind: 'blocked', reason: 'Infeasible', message: 'Node didn\'t have enough capacity: cpu' }],
    ['PodResizePending Deferred', withStatus(notYet, { conditions: [cond('PodResizePending', 'Deferred', 'not enough room now')] }), { kind: 'blocked', reason: 'Deferred', message: 'not enough room now' }],
    ['PodResizeInProgress Error (actuation failed)', withStatus(notYet, { conditions: [cond('PodResizeInProgress', 'Error', 'runc: invalid argument')] }), { kind: 'blocked', reason: 'Error', message: 'runc: invalid argument' }],
    ['1.30 status.resize Proposed', withStatus(applied, { resize: 'Proposed' }), { kind: 'inProgress' }],
    ['1.30 status.resize InProgress', withStatus(applied, { resize: 'InProgress' }), { kind: 'inProgress' }],
    ['1.30 status.resize Infeasible', withStatus(notYet, { resize: 'Infeasible' }), { kind: 'blocked', reason: 'Infeasible', message: '' }],
    ['1.30 status.resize Deferred', withStatus(notYet, { resize: 'Deferred' }), { kind: 'blocked', reason: 'Deferred', message: '' }],
    ['1.30 status.resize cleared and resources follow', withStatus(applied, { resize: '' }), { kind: 'done' }],
  ])('%s', (_n, p, want) => expect(resizeProgress(p)).toEqual(want));
});
