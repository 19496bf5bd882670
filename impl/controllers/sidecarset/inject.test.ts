import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { ANNOTATION_SIDECARSET_HASH, ANNOTATION_SIDECARSET_INJECTED_LIST } from '../../api/sidecarset.ts';
import { injectSidecarSets, jsonMergePatch, mergeMounts, patchPodMetadata, placeSidecars, transferredEnvs } from './inject.ts';
import { podSpec, set, sidecar } from './test/builders.ts';

const names = (p: V1Pod | undefined) => p?.spec?.containers.map((c) => c.name);
const NOW = '2026-01-01T00:00:00Z';

describe('placeSidecars (mergeSidecarContainers)', () => {
  it.each<[string, string[], { name: string; podInjectPolicy?: 'BeforeAppContainer' | 'AfterAppContainer' }[], string[]]>([
    ['before goes first, in order', ['main'], [{ name: 'a', podInjectPolicy: 'BeforeAppContainer' }, { name: 'b', podInjectPolicy: 'BeforeAppContainer' }], ['a', 'b', 'main']],
    ['after goes last', ['main', 'helper'], [{ name: 'a', podInjectPolicy: 'AfterAppContainer' }], ['main', 'helper', 'a']],
    ['no policy counts as after', ['main'], [{ name: 'a' }], ['main', 'a']],
    ['a name the pod already has is replaced in place', ['x', 'main'], [{ name: 'x', podInjectPolicy: 'BeforeAppContainer' }], ['x', 'main']],
  ])('%s', (_, pod, sidecars, want) => {
    const out = placeSidecars(pod.map((name) => ({ name })), sidecars);
    expect(out.map((c) => c.name)).toEqual(want);
    expect(out.some((c) => 'podInjectPolicy' in c), 'SidecarSet-only fields are dropped').toBe(false);
  });
});

describe('injectSidecarSets', () => {
  it('returns undefined when nothing matched', () => expect(injectSidecarSets(podSpec(), [], NOW)).toBeUndefined());

  it('injects, adds IS_INJECTED and the mounted volume, and records hashes and the injected list', () => {
    const s = set('log', { containers: [sidecar('sidecar', 'sidecar:v1', { volumeMounts: [{ name: 'shared', mountPath: '/s' }] })], volumes: [{ name: 'shared', emptyDir: {} }, { name: 'unused', emptyDir: {} }] });
    const pod = injectSidecarSets(podSpec(), [s], NOW)!;
    expect(names(pod)).toEqual(['sidecar', 'main']);
    expect(pod.spec?.containers[0]?.env).toEqual([{ name: 'IS_INJECTED', value: 'true' }]);
    expect(pod.spec?.volumes?.map((v) => v.name), 'only mounted SidecarSet volumes').toEqual(['shared']);
    expect(pod.metadata?.annotations?.[ANNOTATION_SIDECARSET_INJECTED_LIST]).toBe('log');
    const entry = JSON.parse(pod.metadata!.annotations![ANNOTATION_SIDECARSET_HASH]!).log;
    expect(entry).toMatchObject({ hash: s.metadata!.annotations![ANNOTATION_SIDECARSET_HASH], sidecarList: ['sidecar'], controllerRevision: 'log-rev1', updateTimestamp: NOW });
  });

  it('keeps the pod volume on a name clash and dedupes imagePullSecrets', () => {
    const s = set('s', { containers: [sidecar('sc', 'i', { volumeMounts: [{ name: 'v', mountPath: '/v' }] })], volumes: [{ name: 'v', emptyDir: {} }], imagePullSecrets: [{ name: 'a' }, { name: 'b' }] });
    const base = podSpec();
    base.spec!.volumes = [{ name: 'v', configMap: { name: 'mine' } }];
    base.spec!.imagePullSecrets = [{ name: 'b' }];
    const pod = injectSidecarSets(base, [s], NOW)!;
    expect(pod.spec?.volumes).toEqual([{ name: 'v', configMap: { name: 'mine' } }]);
    expect(pod.spec?.imagePullSecrets?.map((x) => x.name)).toEqual(['b', 'a']);
  });

  it('sorts sidecar initContainers by name after the pod\'s own; a plain one is not in sidecarList', () => {
    const s = set('s', { initContainers: [sidecar('z-init', 'i'), sidecar('a-init', 'i')] });
    const base = podSpec();
    base.spec!.initContainers = [{ name: 'own', image: 'x' }];
    const pod = injectSidecarSets(base, [s], NOW)!;
    expect(pod.spec?.initContainers?.map((c) => c.name)).toEqual(['own', 'a-init', 'z-init']);
    expect(JSON.parse(pod.metadata!.annotations![ANNOTATION_SIDECARSET_HASH]!).s.sidecarList).toEqual(['sidecar']);
  });

  it('hot upgrade: <name>-1 with the image, <name>-2 with the empty image, version annotations 1/0 and 0/1', () => {
    const s = set('h', { containers: [sidecar('hot', 'v1', { upgradeStrategy: { upgradeType: 'HotUpgrade', hotUpgradeEmptyImage: 'empty' } })] });
    const pod = injectSidecarSets(podSpec(), [s], NOW)!;
    expect(pod.spec?.containers.map((c) => [c.name, c.image])).toEqual([['hot-1', 'v1'], ['hot-2', 'empty'], ['main', 'app:v1']]);
    const a = pod.metadata!.annotations!;
    expect([a['version.sidecarset.kruise.io/hot-1'], a['versionalt.sidecarset.kruise.io/hot-1'], a['version.sidecarset.kruise.io/hot-2'], a['versionalt.sidecarset.kruise.io/hot-2']]).toEqual(['1', '0', '0', '1']);
    expect(JSON.parse(a['kruise.io/sidecarset-working-hotupgrade-container']!)).toEqual({ hot: 'hot-1' });
  });
});

describe('transferredEnvs', () => {
  const pod = podSpec([
    { name: 'main', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] },
    { name: 'other', env: [{ name: 'A', value: 'decoy' }] },
  ]);
  pod.metadata!.labels = { biz: 'other' };
  it.each<[string, object, string[]]>([
    ['by name, missing skipped', { sourceContainerName: 'main', envNames: ['B', 'A', 'MISSING'] }, ['A=1', 'B=2']],
    ['through a label fieldRef', { sourceContainerNameFrom: { fieldRef: { fieldPath: "metadata.labels['biz']" } }, envName: 'A' }, ['A=decoy']],
    ['a fieldRef to another field transfers nothing', { sourceContainerNameFrom: { fieldRef: { fieldPath: 'spec.nodeName' } }, envName: 'A' }, []],
  ])('%s', (_, t, want) => {
    expect(transferredEnvs(sidecar('s', 'i', { transferEnv: [t] }), pod).map((e) => `${e.name}=${e.value}`)).toEqual(want);
  });
});

describe('patchPodMetadata and merges', () => {
  it.each<[string, string, Record<string, string>, Record<string, string>]>([
    ['Retain keeps an existing key', 'Retain', { k: 'old' }, { k: 'old' }],
    ['Retain sets a missing key', 'Retain', {}, { k: '{"b":2}' }],
    ['Overwrite replaces', 'Overwrite', { k: 'old' }, { k: '{"b":2}' }],
    ['MergePatchJson merges into the existing JSON', 'MergePatchJson', { k: '{"a":1}' }, { k: '{"a":1,"b":2}' }],
  ])('%s', (_, patchPolicy, before, after) => {
    const meta = { annotations: { ...before } };
    patchPodMetadata(meta, [{ patchPolicy, annotations: { k: '{"b":2}' } }]);
    expect(meta.annotations).toEqual(after);
  });
  it('jsonMergePatch deletes nulls', () => expect(jsonMergePatch({ a: 1, b: { c: 1 } }, { a: null, b: { d: 2 } })).toEqual({ b: { c: 1, d: 2 } }));
  it('mergeMounts: the sidecar\'s own mount wins a mountPath', () =>
    expect(mergeMounts([{ name: 'own', mountPath: '/d' }], [{ name: 'app', mountPath: '/d' }, { name: 'x', mountPath: '/x' }]).map((m) => m.name)).toEqual(['own', 'x']));
});
