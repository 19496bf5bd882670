import { describe, expect, it } from 'vitest';
import { convertSidecarSet, type SidecarSetJSON, toV1alpha1, toV1beta1 } from './sidecarset-conversion.ts';

const A = 'apps.kruise.io/v1alpha1';
const B = 'apps.kruise.io/v1beta1';
const CV = 'apps.kruise.io/sidecarset-custom-version';
const containers = [{ name: 'sidecar', image: 'img:1', podInjectPolicy: 'BeforeAppContainer', upgradeStrategy: { upgradeType: 'ColdUpgrade' } }];
const status = { observedGeneration: 2, matchedPods: 3, updatedPods: 2, readyPods: 1, updatedReadyPods: 1, latestRevision: 'r-1', collisionCount: 0 };
const ss = (apiVersion: string, spec: Record<string, unknown>, labels?: Record<string, string>, extra: Record<string, unknown> = {}): SidecarSetJSON => ({
  apiVersion,
  kind: 'SidecarSet',
  metadata: { name: 's', uid: 'u1', ...(labels ? { labels } : {}) },
  spec,
  ...extra,
});

describe('SidecarSet conversion v1alpha1 -> v1beta1', () => {
  it.each<[string, SidecarSetJSON, SidecarSetJSON]>([
    ['shared fields and status copied', ss(A, { selector: { matchLabels: { app: 'a' } }, containers, volumes: [{ name: 'v', emptyDir: {} }] }, undefined, { status }), ss(B, { selector: { matchLabels: { app: 'a' } }, containers, volumes: [{ name: 'v', emptyDir: {} }] }, undefined, { status })],
    ['namespace becomes a metadata.name selector', ss(A, { namespace: 'ns1', containers }), ss(B, { containers, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ns1' } } })],
    ['namespace wins over a namespaceSelector', ss(A, { namespace: 'ns1', namespaceSelector: { matchLabels: { team: 'x' } } }), ss(B, { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ns1' } } })],
    ['an empty namespace is dropped, the selector kept', ss(A, { namespace: '', namespaceSelector: { matchLabels: { team: 'x' } } }), ss(B, { namespaceSelector: { matchLabels: { team: 'x' } } })],
    ['custom-version label moves into spec.customVersion', ss(A, { containers }, { [CV]: 'v7', other: 'o' }), ss(B, { containers, customVersion: 'v7' }, { other: 'o' })],
    ['the last label gone: no labels', ss(A, { containers }, { [CV]: 'v7' }), ss(B, { containers, customVersion: 'v7' })],
    ['an empty custom-version label is removed, no customVersion', ss(A, {}, { [CV]: '' }), ss(B, {})],
  ])('%s', (_name, input, want) => {
    expect(toV1beta1(input)).toEqual(want);
    expect(convertSidecarSet(input, B)).toEqual(want);
  });
});

describe('SidecarSet conversion v1beta1 -> v1alpha1', () => {
  it.each<[string, SidecarSetJSON, SidecarSetJSON]>([
    ['shared fields and status copied', ss(B, { selector: { matchLabels: { app: 'a' } }, containers }, undefined, { status }), ss(A, { selector: { matchLabels: { app: 'a' } }, containers }, undefined, { status })],
    ['a namespaceSelector stays a selector (no namespace)', ss(B, { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ns1' } } }), ss(A, { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ns1' } } })],
    ['customVersion becomes the label, other labels kept', ss(B, { containers, customVersion: 'v7' }, { other: 'o' }), ss(A, { containers }, { other: 'o', [CV]: 'v7' })],
    ['customVersion with no labels', ss(B, { customVersion: 'v7' }), ss(A, {}, { [CV]: 'v7' })],
    ['a v1alpha1-only namespace sent at v1beta1 is dropped', ss(B, { namespace: 'ns1' }), ss(A, {})],
  ])('%s', (_name, input, want) => {
    expect(toV1alpha1(input)).toEqual(want);
    expect(convertSidecarSet(input, A)).toEqual(want);
  });
});

describe('convertSidecarSet', () => {
  it('returns the object itself at its own version', () => {
    const o = ss(A, { namespace: 'n' });
    expect(convertSidecarSet(o, A)).toBe(o);
  });

  it('round-trips v1beta1 -> v1alpha1 -> v1beta1 without loss', () => {
    const o = ss(B, { selector: { matchLabels: { app: 'a' } }, namespaceSelector: { matchLabels: { team: 'x' } }, containers, customVersion: 'v1' }, { keep: 'me' }, { status });
    expect(toV1beta1(toV1alpha1(o))).toEqual(o);
  });

  it('refuses versions it does not serve', () => {
    expect(() => convertSidecarSet(ss(A, {}), 'apps.kruise.io/v1')).toThrow(/cannot convert SidecarSet to apps.kruise.io\/v1/);
    expect(() => convertSidecarSet(ss('apps/v1', {}), B)).toThrow(/from apps\/v1/);
  });

  it('does not modify its input', () => {
    const o = ss(A, { namespace: 'n' }, { [CV]: 'v' });
    const copy = structuredClone(o);
    toV1beta1(o);
    toV1alpha1(toV1beta1(o));
    expect(o).toEqual(copy);
  });
});
