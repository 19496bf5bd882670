// The Advanced StatefulSet's binding of the shared in-place engine: the revision label holds the
// revision name, lifecycle Updating only when asked, and grace periods matched on that label.
import type { V1Pod, V1PodTemplateSpec } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { InPlaceSpec } from '../shared/inplace/diff.ts';
import { applyInPlaceUpdate, calculateInPlaceSpec, graceStep } from './inplace.ts';

const tpl = (image: string, cpu = '200m'): V1PodTemplateSpec => ({
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'main', image, resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu, memory: '128Mi' } } }] },
});

const running = (): V1Pod => ({
  metadata: { name: 'web-0', labels: { 'controller-revision-hash': 'web-a', 'lifecycle.apps.kruise.io/state': 'Normal' }, annotations: {} },
  spec: { containers: [{ name: 'main', image: 'nginx:1', resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } } }], readinessGates: [{ conditionType: 'InPlaceUpdateReady' }] },
  status: { phase: 'Running', containerStatuses: [{ name: 'main', image: 'nginx:1', imageID: 'nginx@sha256:1', ready: true, restartCount: 0 }] },
});

const now = new Date(Date.UTC(2025, 0, 1, 0, 0, 0, 123));
const imageSpec: InPlaceSpec = { containerImages: { main: 'nginx:2' }, containerResources: {}, metadata: { labels: {}, annotations: {}, removeLabels: [], removeAnnotations: [] } };

describe('calculateInPlaceSpec', () => {
  it.each<[string, boolean, boolean]>([
    ['an image change goes in place without the gate', false, true],
    ['a cpu change needs InPlaceWorkloadVerticalScaling', false, false],
    ['a cpu change goes in place with it', true, true],
  ])('%s', (name, vertical, want) => {
    const to = name.startsWith('an image') ? tpl('nginx:2') : tpl('nginx:1', '300m');
    expect(calculateInPlaceSpec(tpl('nginx:1'), to, vertical).possible).toBe(want);
  });
});

describe('applyInPlaceUpdate', () => {
  it.each<[string, boolean, Record<string, string>, string | undefined]>([
    ['a pod with a lifecycle goes Updating', true, { 'controller-revision-hash': 'web-b', 'lifecycle.apps.kruise.io/state': 'Updating' }, '2025-01-01T00:00:00Z'],
    ['otherwise the lifecycle label is left alone', false, { 'controller-revision-hash': 'web-b', 'lifecycle.apps.kruise.io/state': 'Normal' }, undefined],
  ])('%s; the revision label is the revision name', (_n, setUpdating, labels, stamp) => {
    const { pod, resize, markUnready } = applyInPlaceUpdate(running(), imageSpec, false, { revision: 'web-b', now, setUpdating });
    expect({ labels: pod.metadata?.labels, stamp: pod.metadata?.annotations?.['lifecycle.apps.kruise.io/timestamp'], image: pod.spec?.containers[0]?.image }).toEqual({ labels, stamp, image: 'nginx:2' });
    expect({ resize, markUnready }).toEqual({ resize: {}, markUnready: true });
  });

  it('sends resources through resize and parks everything with a grace period', () => {
    const spec: InPlaceSpec = { ...imageSpec, containerImages: {}, containerResources: { main: { limits: { cpu: '300m' }, requests: {} } } };
    expect(applyInPlaceUpdate(running(), spec, true, { revision: 'web-b', now, setUpdating: false }).resize).toEqual({ main: { limits: { cpu: '300m', memory: '128Mi' }, requests: { cpu: '100m', memory: '64Mi' } } });
    const parked = applyInPlaceUpdate(running(), spec, true, { revision: 'web-b', now, setUpdating: false, gracePeriodSeconds: 3 });
    expect({ resize: parked.resize, grace: JSON.parse(parked.pod.metadata?.annotations?.['apps.kruise.io/inplace-update-grace'] ?? '{}').revision }).toEqual({ resize: {}, grace: 'web-b' });
  });
});

describe('graceStep', () => {
  const marked = () => applyInPlaceUpdate(running(), imageSpec, false, { revision: 'web-b', now, setUpdating: true, gracePeriodSeconds: 3 }).pod;

  it('waits for the grace period, then applies the parked image', () => {
    expect(graceStep(marked(), now.getTime())).toEqual({ kind: 'wait', remainingMs: 3000 });
    const step = graceStep(marked(), Date.parse('2025-01-01T00:00:03Z'));
    expect(step.kind === 'finish' && step.mutate(marked())?.spec?.containers[0]?.image).toBe('nginx:2');
  });

  it('a short hash does not count as the revision (no CloneSetShortHash for StatefulSets)', () => {
    const pod = marked();
    pod.metadata!.labels!['controller-revision-hash'] = 'b';
    const step = graceStep(pod, now.getTime());
    expect(step.kind === 'finish' && step.mutate(pod)?.spec?.containers[0]?.image).toBe('nginx:1');
  });
});
