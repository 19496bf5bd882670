// The CRD conversion webhook (ConversionReview v1) of the kinds served at more than one version
// with different schemas: today SidecarSet (v1alpha1 ⇄ v1beta1, impl/api/sidecarset-conversion.ts).
// The CRD files install with conversion strategy None (the apiserver then only relabels
// apiVersion); the manager switches the CRD to strategy Webhook at start, with its own URL (out of
// cluster) or Service (in cluster) and its CA, as it writes the caBundle of the admission webhook
// configurations, and out of cluster switches it back to None when it stops.
import type { ApiextensionsV1Api, AdmissionregistrationV1WebhookClientConfig, V1CustomResourceConversion, V1CustomResourceDefinition } from '@kubernetes/client-node';
import { SIDECARSET, SIDECARSET_CRD_NAME } from '../api/group.ts';
import { convertSidecarSet, type SidecarSetJSON } from '../api/sidecarset-conversion.ts';

export const CONVERSION_PATH = '/convert';
/** The CRDs whose conversion goes through CONVERSION_PATH. */
export const CONVERTED_CRDS: readonly string[] = [SIDECARSET_CRD_NAME];

export interface ConversionReview {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'ConversionReview';
  request?: { uid: string; desiredAPIVersion: string; objects: SidecarSetJSON[] };
  response?: {
    uid: string;
    result: { status: 'Success' | 'Failure'; message?: string };
    convertedObjects?: SidecarSetJSON[];
  };
}

/** The response to one ConversionReview request: every object converted, or a Failure naming the first that could not be. */
export function convertReview(request: NonNullable<ConversionReview['request']>): NonNullable<ConversionReview['response']> {
  const convertedObjects: SidecarSetJSON[] = [];
  for (const [i, obj] of (request.objects ?? []).entries()) {
    try {
      if (obj.kind !== SIDECARSET.kind) throw new Error(`kind ${obj.kind ?? '(none)'} is not converted here (only ${SIDECARSET.kind})`);
      convertedObjects.push(convertSidecarSet(obj, request.desiredAPIVersion));
    } catch (err) {
      const name = (obj.metadata as { name?: string } | undefined)?.name ?? `objects[${i}]`;
      return { uid: request.uid, result: { status: 'Failure', message: `${name}: ${(err as Error).message}` } };
    }
  }
  return { uid: request.uid, result: { status: 'Success' }, convertedObjects };
}

/** Serves one HTTP request: ConversionReview in, ConversionReview out. */
export function serveConversion(body: string): { status: number; review?: ConversionReview; error?: string } {
  let review: ConversionReview;
  try {
    review = JSON.parse(body) as ConversionReview;
  } catch (err) {
    return { status: 400, error: `body is not JSON: ${(err as Error).message}` };
  }
  if (review.kind !== 'ConversionReview' || !review.request?.uid) return { status: 400, error: 'not a ConversionReview with a request.uid' };
  return { status: 200, review: { apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview', response: convertReview(review.request) } };
}

/** spec.conversion pointing at our webhook. */
export function webhookConversion(clientConfig: AdmissionregistrationV1WebhookClientConfig): V1CustomResourceConversion {
  return { strategy: 'Webhook', webhook: { clientConfig, conversionReviewVersions: ['v1'] } };
}

export const NO_CONVERSION: V1CustomResourceConversion = { strategy: 'None' };

/** Read and replace of one CRD; the real one is kubeCrdPort. */
export interface CrdPort {
  read(name: string): Promise<V1CustomResourceDefinition>;
  replace(name: string, body: V1CustomResourceDefinition): Promise<void>;
}

/** JSON with object keys sorted: the apiserver does not keep our key order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined && x !== null)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

function httpCode(err: unknown): number | undefined {
  const e = err as { code?: unknown; statusCode?: unknown };
  return typeof e?.code === 'number' ? e.code : typeof e?.statusCode === 'number' ? e.statusCode : undefined;
}

/**
 * setCrdConversion makes the CRD's spec.conversion equal to `conversion`, leaving the rest as
 * installed. Returns false when it already was. Retries conflicts; the CRD must exist.
 */
export async function setCrdConversion(port: CrdPort, name: string, conversion: V1CustomResourceConversion): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    let current: V1CustomResourceDefinition;
    try {
      current = await port.read(name);
    } catch (err) {
      if (httpCode(err) === 404) throw new Error(`CRD ${name} not found: install the CRDs (impl/crds or the chart) before the manager`);
      throw err;
    }
    if (canonical(current.spec.conversion ?? NO_CONVERSION) === canonical(conversion)) return false;
    try {
      await port.replace(name, { ...current, spec: { ...current.spec, conversion } });
      return true;
    } catch (err) {
      if (httpCode(err) !== 409 || attempt >= 5) throw err;
    }
  }
}

export function kubeCrdPort(api: ApiextensionsV1Api): CrdPort {
  return {
    read: (name) => api.readCustomResourceDefinition({ name }),
    replace: async (name, body) => void (await api.replaceCustomResourceDefinition({ name, body })),
  };
}
