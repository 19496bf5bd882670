// What may change in place between two templates: the JSON diff it rests on, the QoS rule, and
// the decision itself.
import type { V1Container, V1PodTemplateSpec } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { calculateInPlaceSpec, metadataChange, type InPlaceOptions, type InPlaceSpec } from './diff.ts';
import { jsonDiff, type PatchOp } from './json-diff.ts';
import { podQoS, type QoSClass } from './qos.ts';

const burstable = { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } };
const c = (o: Partial<V1Container> = {}): V1Container => ({ name: 'main', image: 'nginx:1', resources: burstable, ...o });
const tpl = (containers: V1Container[], labels: Record<string, string> = { app: 'web' }, annotations?: Record<string, string>): V1PodTemplateSpec => ({
  metadata: { labels, ...(annotations && { annotations }) },
  spec: { containers, readinessGates: [{ conditionType: 'InPlaceUpdateReady' }] },
});
const noMetadata = { labels: {}, annotations: {}, removeLabels: [], removeAnnotations: [] };

describe('jsonDiff', () => {
  it.each<[string, unknown, unknown, PatchOp[]]>([
    ['equal', { a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }, []],
    ['replace a leaf', { a: { b: 1 } }, { a: { b: 2 } }, [{ op: 'replace', path: '/a/b', value: 2 }]],
    ['add and remove keys', { a: 1 }, { b: 2 }, [{ op: 'remove', path: '/a' }, { op: 'add', path: '/b', value: 2 }]],
    [
      'replace, remove and add in one object, pointers escaped',
      { a: 1, 'x/y': 1, arr: [1, 2] },
      { a: 2, b: 3, arr: [1] },
      [{ op: 'replace', path: '/a', value: 2 }, { op: 'remove', path: '/x~1y' }, { op: 'remove', path: '/arr/1' }, { op: 'add', path: '/b', value: 3 }],
    ],
    ['arrays index by index, extra appended', { a: [1, 2] }, { a: [1, 3, 4] }, [{ op: 'add', path: '/a/2', value: 4 }, { op: 'replace', path: '/a/1', value: 3 }]],
    ['arrays shrink from the end', { a: [1, 2, 3] }, { a: [1] }, [{ op: 'remove', path: '/a/2' }, { op: 'remove', path: '/a/1' }]],
    ['keys are escaped', { l: { 'x/y~z': '1' } }, { l: { 'x/y~z': '2' } }, [{ op: 'replace', path: '/l/x~1y~0z', value: '2' }]],
    ['undefined members are absent', { a: 1, b: undefined }, { a: 1 }, []],
    ['an object becoming an array is replaced', { a: { b: 1 } }, { a: [1] }, [{ op: 'replace', path: '/a', value: [1] }]],
    ['null becoming an object is replaced', { a: null }, { a: { b: 1 } }, [{ op: 'replace', path: '/a', value: { b: 1 } }]],
  ])('%s', (_n, a, b, want) => expect(jsonDiff(a, b)).toEqual(want));
});

describe('podQoS', () => {
  it.each<[string, V1Container[], QoSClass]>([
    ['no resources', [c({ resources: {} })], 'BestEffort'],
    ['requests below limits', [c()], 'Burstable'],
    ['limits only (requests default to limits)', [c({ resources: { limits: { cpu: '1', memory: '1Gi' } } })], 'Guaranteed'],
    ['requests equal limits in other units', [c({ resources: { requests: { cpu: '1000m', memory: '1024Mi' }, limits: { cpu: '1', memory: '1Gi' } } })], 'Guaranteed'],
    ['cpu limit only', [c({ resources: { limits: { cpu: '1' } } })], 'Burstable'],
    ['one guaranteed and one best-effort container', [c({ resources: { limits: { cpu: '1', memory: '1Gi' } } }), c({ name: 'b', resources: {} })], 'Burstable'],
    ['a zero request with a limit', [c({ resources: { requests: { cpu: '0', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } } })], 'Burstable'],
  ])('%s -> %s', (_n, containers, want) => expect(podQoS({ containers })).toBe(want));

  it('counts init containers', () => {
    expect(podQoS({ containers: [c({ resources: { limits: { cpu: '1', memory: '1Gi' } } })], initContainers: [c({ name: 'init', resources: {} })] })).toBe('Burstable');
  });
});

describe('calculateInPlaceSpec', () => {
  const off: InPlaceOptions = { verticalScaling: false };
  const on: InPlaceOptions = { verticalScaling: true };
  const cases: [string, V1PodTemplateSpec, V1PodTemplateSpec, InPlaceOptions, InPlaceSpec | string][] = [
    ['identical templates: an empty in-place update', tpl([c()]), tpl([c()]), off, { containerImages: {}, containerResources: {}, metadata: noMetadata }],
    ['image only', tpl([c()]), tpl([c({ image: 'nginx:2' })]), off, { containerImages: { main: 'nginx:2' }, containerResources: {}, metadata: noMetadata }],
    ['image of the second container', tpl([c(), c({ name: 'side', image: 'busybox:1' })]), tpl([c(), c({ name: 'side', image: 'busybox:2' })]), off, { containerImages: { side: 'busybox:2' }, containerResources: {}, metadata: noMetadata }],
    ['labels change in place too', tpl([c()]), tpl([c({ image: 'nginx:2' })], { app: 'web', v: '2' }), off, { containerImages: { main: 'nginx:2' }, containerResources: {}, metadata: { ...noMetadata, labels: { v: '2' } } }],
    [
      'label and annotation removals',
      tpl([c()], { app: 'web', old: 'x' }, { note: 'a' }),
      tpl([c()], { app: 'web', tier: 'db' }),
      off,
      { containerImages: {}, containerResources: {}, metadata: { labels: { tier: 'db' }, annotations: {}, removeLabels: ['old'], removeAnnotations: ['note'] } },
    ],
    ['an env change: recreate', tpl([c()]), tpl([c({ env: [{ name: 'A', value: '1' }] })]), on, 'add /spec/containers/0/env'],
    ['an env value change: recreate', tpl([c({ env: [{ name: 'A', value: '1' }] })]), tpl([c({ env: [{ name: 'A', value: '2' }] })]), on, 'replace /spec/containers/0/env/0/value'],
    ['a command change: recreate', tpl([c()]), tpl([c({ command: ['sleep'] })]), on, 'add /spec/containers/0/command'],
    ['a new container: recreate', tpl([c()]), tpl([c(), c({ name: 'b' })]), off, 'add /spec/containers/1'],
    ['cpu without the gate: recreate', tpl([c()]), tpl([c({ resources: { ...burstable, requests: { cpu: '150m', memory: '64Mi' } } })]), off, 'replace /spec/containers/0/resources/requests/cpu'],
    [
      'cpu and memory with the gate: in place',
      tpl([c()]),
      tpl([c({ resources: { requests: { cpu: '150m', memory: '96Mi' }, limits: { cpu: '300m', memory: '128Mi' } } })]),
      on,
      { containerImages: {}, containerResources: { main: { limits: { cpu: '300m' }, requests: { cpu: '150m', memory: '96Mi' } } }, metadata: noMetadata },
    ],
    ['adding a limit with the gate: recreate', tpl([c({ resources: { requests: { cpu: '1' } } })]), tpl([c({ resources: { requests: { cpu: '1' }, limits: { cpu: '2' } } })]), on, 'add /spec/containers/0/resources/limits'],
    ['adding a resource key with the gate: recreate', tpl([c({ resources: { limits: { cpu: '1' } } })]), tpl([c({ resources: { limits: { cpu: '1', memory: '1Gi' } } })]), on, 'add /spec/containers/0/resources/limits/memory'],
    ['ephemeral-storage with the gate: recreate', tpl([c({ resources: { requests: { 'ephemeral-storage': '1Gi' } } })]), tpl([c({ resources: { requests: { 'ephemeral-storage': '2Gi' } } })]), on, 'resource ephemeral-storage cannot be resized in place'],
    [
      'Burstable -> Guaranteed with the gate: the QoS changes, recreate',
      tpl([c()]),
      tpl([c({ resources: { requests: { cpu: '200m', memory: '128Mi' }, limits: { cpu: '200m', memory: '128Mi' } } })]),
      on,
      'the pod QoS class changes',
    ],
    ['differing volumeClaimTemplates hashes: recreate', tpl([c()]), tpl([c({ image: 'nginx:2' })]), { ...off, vctHashes: { from: '1', to: '2' } }, 'volumeClaimTemplates changed'],
    ['equal volumeClaimTemplates hashes', tpl([c()]), tpl([c({ image: 'nginx:2' })]), { ...off, vctHashes: { from: '1', to: '1' } }, { containerImages: { main: 'nginx:2' }, containerResources: {}, metadata: noMetadata }],
    ['one revision without a hash', tpl([c()]), tpl([c({ image: 'nginx:2' })]), { ...off, vctHashes: { from: undefined, to: '2' } }, { containerImages: { main: 'nginx:2' }, containerResources: {}, metadata: noMetadata }],
  ];
  it.each(cases)('%s', (_n, from, to, opts, want) => {
    const got = calculateInPlaceSpec(from, to, opts);
    if (typeof want === 'string') expect(got).toEqual({ possible: false, reason: want });
    else expect(got).toEqual({ possible: true, spec: want });
  });
});

describe('metadataChange', () => {
  it('removes keys that only look like members of Object.prototype', () => {
    const from = tpl([c()], { app: 'web', constructor: 'x' });
    expect(metadataChange(from, tpl([c()], { app: 'web' }))).toEqual({ ...noMetadata, removeLabels: ['constructor'] });
  });
});
