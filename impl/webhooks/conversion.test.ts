import type { V1CustomResourceDefinition } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { type CrdPort, convertReview, NO_CONVERSION, serveConversion, setCrdConversion, webhookConversion } from './conversion.ts';

const A = 'apps.kruise.io/v1alpha1';
const B = 'apps.kruise.io/v1beta1';

describe('ConversionReview', () => {
  it('converts every object and echoes the uid', () => {
    const out = serveConversion(
      JSON.stringify({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'ConversionReview',
        request: { uid: 'u1', desiredAPIVersion: B, objects: [{ apiVersion: A, kind: 'SidecarSet', metadata: { name: 'a' }, spec: { namespace: 'n' } }, { apiVersion: B, kind: 'SidecarSet', metadata: { name: 'b' }, spec: {} }] },
      }),
    );
    expect(out.status).toBe(200);
    expect(out.review?.response).toEqual({
      uid: 'u1',
      result: { status: 'Success' },
      convertedObjects: [
        { apiVersion: B, kind: 'SidecarSet', metadata: { name: 'a' }, spec: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'n' } } } },
        { apiVersion: B, kind: 'SidecarSet', metadata: { name: 'b' }, spec: {} },
      ],
    });
  });

  it('fails the whole review, naming the object, on an unknown version or kind', () => {
    expect(convertReview({ uid: 'u', desiredAPIVersion: 'apps.kruise.io/v2', objects: [{ apiVersion: A, kind: 'SidecarSet', metadata: { name: 'x' } }] })).toEqual({
      uid: 'u',
      result: { status: 'Failure', message: expect.stringMatching(/^x: cannot convert SidecarSet to apps.kruise.io\/v2/) },
    });
    expect(convertReview({ uid: 'u', desiredAPIVersion: B, objects: [{ apiVersion: A, kind: 'CloneSet' }] }).result).toEqual({ status: 'Failure', message: expect.stringContaining('objects[0]: kind CloneSet') });
  });

  it('answers 400 to a body that is not a ConversionReview', () => {
    expect(serveConversion('{').status).toBe(400);
    expect(serveConversion(JSON.stringify({ kind: 'AdmissionReview', request: { uid: 'x' } })).status).toBe(400);
  });
});

function fakeCrd(conversion?: V1CustomResourceDefinition['spec']['conversion']): { port: CrdPort; writes: V1CustomResourceDefinition[]; conflicts: number } {
  let current: V1CustomResourceDefinition = {
    metadata: { name: 'sidecarsets.apps.kruise.io', resourceVersion: '1' },
    spec: { group: 'apps.kruise.io', names: { kind: 'SidecarSet', plural: 'sidecarsets' }, scope: 'Cluster', versions: [], ...(conversion ? { conversion } : {}) },
  };
  const state = { writes: [] as V1CustomResourceDefinition[], conflicts: 1 };
  return {
    ...state,
    get writes() {
      return state.writes;
    },
    port: {
      read: async (name) => {
        if (name !== current.metadata?.name) throw Object.assign(new Error('not found'), { code: 404 });
        return structuredClone(current);
      },
      replace: async (_name, body) => {
        if (state.conflicts-- > 0) throw Object.assign(new Error('conflict'), { code: 409 });
        state.writes.push(body);
        current = structuredClone(body);
      },
    },
  };
}

describe('setCrdConversion', () => {
  const wanted = webhookConversion({ caBundle: 'Q0E=', url: 'https://127.0.0.1:9443/convert' });

  it('switches None to Webhook (after a conflict), keeping the rest of the CRD', async () => {
    const f = fakeCrd();
    expect(await setCrdConversion(f.port, 'sidecarsets.apps.kruise.io', wanted)).toBe(true);
    expect(f.writes).toHaveLength(1);
    expect(f.writes[0]?.spec.conversion).toEqual({ strategy: 'Webhook', webhook: { clientConfig: { caBundle: 'Q0E=', url: 'https://127.0.0.1:9443/convert' }, conversionReviewVersions: ['v1'] } });
    expect(f.writes[0]?.spec.names.kind).toBe('SidecarSet');
  });

  it('writes nothing when the conversion is already current, whatever the key order', async () => {
    const f = fakeCrd({ webhook: { conversionReviewVersions: ['v1'], clientConfig: { url: 'https://127.0.0.1:9443/convert', caBundle: 'Q0E=' } }, strategy: 'Webhook' });
    expect(await setCrdConversion(f.port, 'sidecarsets.apps.kruise.io', wanted)).toBe(false);
    expect(f.writes).toHaveLength(0);
  });

  it('replaces a stale caBundle and switches back to None', async () => {
    const f = fakeCrd(webhookConversion({ caBundle: 'b2xk', url: 'https://127.0.0.1:9443/convert' }));
    expect(await setCrdConversion(f.port, 'sidecarsets.apps.kruise.io', wanted)).toBe(true);
    expect(await setCrdConversion(f.port, 'sidecarsets.apps.kruise.io', NO_CONVERSION)).toBe(true);
    expect(f.writes.map((w) => w.spec.conversion?.strategy)).toEqual(['Webhook', 'None']);
  });

  it('says what to do when the CRD is not installed', async () => {
    await expect(setCrdConversion(fakeCrd().port, 'nope.apps.kruise.io', wanted)).rejects.toThrow(/CRD nope.apps.kruise.io not found: install the CRDs/);
  });
});
