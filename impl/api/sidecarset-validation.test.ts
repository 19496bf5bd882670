import { describe, expect, it } from 'vitest';
import { isSelectorOverlapping } from './selector-overlap.ts';
import { defaultSidecarSet, sidecarSetHashes } from './sidecarset-defaults.ts';
import { type SidecarSetValidationContext, validateSidecarSet } from './sidecarset-validation.ts';
import type { SidecarSet, SidecarSetSpec } from './sidecarset.ts';

const ss = (name: string, spec: Partial<SidecarSetSpec> = {}, labels?: Record<string, string>): SidecarSet =>
  defaultSidecarSet({ metadata: { name, ...(labels ? { labels } : {}) }, spec: { selector: { matchLabels: { app: 'a' } }, containers: [{ name: 'sidecar', image: 'i' }], ...spec } });

const ctx = (over: Partial<SidecarSetValidationContext> = {}): SidecarSetValidationContext => ({
  sidecarSets: () => [],
  revisionExists: () => false,
  patchMetadataWhitelist: () => undefined,
  namespaceLabels: () => undefined,
  patchMetadataDefaultsAllowed: false,
  ...over,
});
const fields = (s: SidecarSet, c = ctx(), old?: SidecarSet) => validateSidecarSet(s, old, c).map((e) => e.message);

describe('defaultSidecarSet', () => {
  it('fills the OpenKruise defaults', () => {
    const s = defaultSidecarSet({ metadata: { name: 'x' }, spec: { initContainers: [{ name: 'i', image: 'x' }], containers: [{ name: 'c', image: 'x:1', transferEnv: [{ sourceContainerNameFrom: { fieldRef: { fieldPath: "metadata.labels['a']" } } }] }], injectionStrategy: { revision: { customVersion: '1' } }, patchPodMetadata: [{ annotations: { a: 'b' } }] } });
    expect(s.spec?.updateStrategy).toEqual({ type: 'RollingUpdate', maxUnavailable: 1, partition: 0 });
    expect([s.spec?.containers?.[0]?.podInjectPolicy, s.spec?.initContainers?.[0]?.podInjectPolicy]).toEqual(['BeforeAppContainer', 'AfterAppContainer']);
    expect([s.spec?.containers?.[0]?.upgradeStrategy?.upgradeType, s.spec?.containers?.[0]?.shareVolumePolicy?.type, s.spec?.containers?.[0]?.imagePullPolicy]).toEqual(['ColdUpgrade', 'disabled', 'IfNotPresent']);
    expect(s.spec?.containers?.[0]?.transferEnv?.[0]?.sourceContainerNameFrom?.fieldRef?.apiVersion).toBe('v1');
    expect([s.spec?.revisionHistoryLimit, s.spec?.injectionStrategy?.revision?.policy, s.spec?.patchPodMetadata?.[0]?.patchPolicy]).toEqual([10, 'Always', 'Retain']);
  });
  it('the hash covers containers (and native sidecar initContainers only); the image-less hash ignores images', () => {
    const a = ss('a');
    const b = ss('a', { containers: [{ name: 'sidecar', image: 'other' }] });
    const c = ss('a', { initContainers: [{ name: 'plain', image: 'x' }] });
    const h = (s: SidecarSet) => Object.values(sidecarSetHashes(s));
    expect(h(a)[0]).not.toBe(h(b)[0]);
    expect(h(a)[1]).toBe(h(b)[1]);
    expect(h(c)).toEqual(h(a));
  });
});

describe('validateSidecarSet', () => {
  it.each<[string, SidecarSet, RegExp]>([
    ['name syntax', ss('bad_name'), /^metadata\.name: Invalid value/],
    ['no selector', { ...ss('x'), spec: { ...ss('x').spec, selector: undefined } } as SidecarSet, /^spec\.selector: Required value/],
    ['empty selector', ss('x', { selector: {} }), /^spec\.selector: Invalid value.*empty selector/],
    ['namespace and namespaceSelector', ss('x', { namespace: 'n', namespaceSelector: { matchLabels: { a: 'b' } } }), /^spec\.namespace, namespaceSelector: Required value/],
    ['no containers', ss('x', { containers: [] }), /^spec\.containers: Required value: no initContainer or container/],
    ['podInjectPolicy', ss('x', { containers: [{ name: 'c', image: 'i', podInjectPolicy: 'Nowhere' as never }] }), /^spec\.containers\[0\]\.podInjectPolicy: Unsupported value/],
    ['shareVolumePolicy', ss('x', { containers: [{ name: 'c', image: 'i', shareVolumePolicy: { type: 'Enabled' as never } }] }), /^spec\.containers\[0\]\.shareVolumePolicy\.type: Unsupported value/],
    ['transferEnv spec.nodeName', ss('x', { containers: [{ name: 'c', image: 'i', transferEnv: [{ sourceContainerNameFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nodeName' } } }] }] }), /transferEnv\[0\]\.sourceContainerNameFrom\.fieldRef\.fieldPath: Invalid value.*field label not supported/],
    ['transferEnv apiVersion v2', ss('x', { containers: [{ name: 'c', image: 'i', transferEnv: [{ sourceContainerNameFrom: { fieldRef: { apiVersion: 'v2', fieldPath: "metadata.labels['a']" } } }] }] }), /fieldRef\.fieldPath: Invalid value.*unsupported pod version: v2/],
    ['mount of an undeclared volume', ss('x', { containers: [{ name: 'c', image: 'i', volumeMounts: [{ name: 'v', mountPath: '/v' }] }] }), /^spec\.containers\[0\]\.volumeMounts\[0\]\.name: Not found: "v"/],
    ['native sidecar initContainer with RollingUpdate', ss('x', { initContainers: [{ name: 'n', image: 'i', restartPolicy: 'Always' }] }), /^spec\.updateStrategy: Required value: The initContainer in-place upgrade/],
    ['maxUnavailable 12.5%', ss('x', { updateStrategy: { maxUnavailable: '12.5%' } }), /^spec\.updateStrategy\.maxUnavailable: Invalid value: "12.5%"/],
    ['partition -1', ss('x', { updateStrategy: { partition: -1 } }), /^spec\.updateStrategy\.partition: Invalid value: -1/],
    ['partition with selector', ss('x', { updateStrategy: { partition: 1, selector: { matchLabels: { a: 'b' } } } }), /^spec\.updateStrategy: Invalid value.*Partition and Selector cannot be used together/],
    ['revision without name and version', ss('x', { injectionStrategy: { revision: { policy: 'Always' } } }), /^spec\.injectionStrategy\.revision: Invalid value.*cannot be empty simultaneously/],
    ['revision that does not exist', ss('x', { injectionStrategy: { revision: { revisionName: 'none' } } }), /^spec\.injectionStrategy\.revision: Invalid value.*Cannot find specific ControllerRevision/],
    ['patchPodMetadata without whitelist', ss('x', { patchPodMetadata: [{ annotations: { k: 'v' } }] }), /^spec\.patchPodMetadata: Required value: SidecarSet patch metadata whitelist not found/],
  ])('%s', (_, s, want) => expect(fields(s).some((m) => want.test(m)), fields(s).join('\n')).toBe(true));

  it('accepts a valid SidecarSet', () => expect(fields(ss('ok', { updateStrategy: { partition: '30%', maxUnavailable: '50%' } }))).toEqual([]));

  it('whitelist: a rule selecting the SidecarSet by label allows matching keys only', () => {
    const c = ctx({ patchMetadataWhitelist: () => [{ selector: { matchLabels: { ok: 'yes' } }, allowedAnnotationKeyExprs: ['^x/.*$'] }] });
    expect(fields(ss('a', { patchPodMetadata: [{ annotations: { 'x/k': 'v' } }] }, { ok: 'yes' }), c)).toEqual([]);
    expect(fields(ss('a', { patchPodMetadata: [{ annotations: { 'y/k': 'v' } }] }, { ok: 'yes' }), c)[0]).toMatch(/annotation\(y\/k\) is not allowed/);
    expect(fields(ss('a', { patchPodMetadata: [{ annotations: { 'x/k': 'v' } }] }), c)[0]).toMatch(/is not allowed/);
  });

  it('update: no new container, upgradeType immutable', () => {
    const old = ss('u');
    expect(fields(ss('u', { containers: [{ name: 'sidecar', image: 'i' }, { name: 'second', image: 'i' }] }), ctx(), old)).toContain('spec.containers.name: Invalid value: "second": container second is not found');
    expect(fields(ss('u', { containers: [{ name: 'sidecar', image: 'i', upgradeStrategy: { upgradeType: 'HotUpgrade', hotUpgradeEmptyImage: 'e' } }] }), ctx(), old)[0]).toMatch(/^spec\.containers\.upgradeStrategy\.upgradeType: Invalid value/);
  });

  it('conflicts only with overlapping SidecarSets', () => {
    const first = ss('first', { namespace: 'n', volumes: [{ name: 'v', emptyDir: {} }] });
    const c = ctx({ sidecarSets: () => [first] });
    expect(fields(ss('second', { namespace: 'n' }), c)[0]).toMatch(/^spec\.containers: Invalid value: "sidecar": container sidecar already exist in first/);
    expect(fields(ss('second', { namespace: 'other' }), c)).toEqual([]);
    expect(fields(ss('second', { namespace: 'n', selector: { matchLabels: { app: 'b' } } }), c)).toEqual([]);
    const vol = ss('second', { namespace: 'n', containers: [{ name: 'o', image: 'i', volumeMounts: [{ name: 'v', mountPath: '/v' }] }], volumes: [{ name: 'v', configMap: { name: 'x' } }] });
    expect(fields(vol, c)[0]).toMatch(/^spec\.volumes: Invalid value: "v": volume v is in conflict with sidecarset first/);
  });
});

describe('isSelectorOverlapping', () => {
  it.each<[string, object, object, boolean]>([
    ['same label', { matchLabels: { a: '1' } }, { matchLabels: { a: '1' } }, true],
    ['different value', { matchLabels: { a: '1' } }, { matchLabels: { a: '2' } }, false],
    ['In covering the value', { matchExpressions: [{ key: 'a', operator: 'In', values: ['1', '2'] }] }, { matchLabels: { a: '2' } }, true],
    ['unrelated keys', { matchLabels: { a: '1' } }, { matchLabels: { b: '1' } }, true],
    ['NotIn excluding every value', { matchLabels: { a: '1' } }, { matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['1'] }] }, false],
  ])('%s', (_, a, b, want) => expect(isSelectorOverlapping(a, b)).toBe(want));
});
