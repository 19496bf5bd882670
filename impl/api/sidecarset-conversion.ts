// SidecarSet conversion between apps.kruise.io/v1alpha1 (the reference's storage version) and
// v1beta1 (served too, as OpenKruise 1.9 does). The two versions differ in two places only:
//   - v1beta1 has no spec.namespace: a v1alpha1 namespace becomes the namespaceSelector
//     {matchLabels: {kubernetes.io/metadata.name: <namespace>}} (replacing any namespaceSelector,
//     which admission refuses next to a namespace anyway); back to v1alpha1 the selector is kept
//     as a selector, as OpenKruise 1.9 converts it.
//   - v1beta1 has spec.customVersion where v1alpha1 has the label
//     apps.kruise.io/sidecarset-custom-version: moved from the label into the spec (the label is
//     removed) and from the spec into the label.
// Everything else (status included) is the same field at both versions and is copied as is.
import { APPS_V1ALPHA1, APPS_V1BETA1 } from './group.ts';
import { LABEL_SIDECARSET_CUSTOM_VERSION } from './sidecarset.ts';

/** The label every namespace carries with its own name (Kubernetes 1.21+). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** A SidecarSet at either version, as JSON: only the fields conversion reads are typed. */
export interface SidecarSetJSON {
  apiVersion?: string;
  kind?: string;
  metadata?: { labels?: Record<string, string>; [k: string]: unknown };
  spec?: Record<string, unknown>;
  [k: string]: unknown;
}

export const SIDECARSET_API_VERSIONS: readonly string[] = [APPS_V1ALPHA1, APPS_V1BETA1];

function withLabels(obj: SidecarSetJSON, labels: Record<string, string>): SidecarSetJSON {
  const metadata = { ...(obj.metadata ?? {}) };
  if (Object.keys(labels).length) metadata.labels = labels;
  else delete metadata.labels;
  return { ...obj, metadata };
}

/** v1alpha1 → v1beta1. */
export function toV1beta1(obj: SidecarSetJSON): SidecarSetJSON {
  const spec: Record<string, unknown> = { ...(obj.spec ?? {}) };
  const namespace = spec.namespace;
  delete spec.namespace;
  if (typeof namespace === 'string' && namespace !== '') spec.namespaceSelector = { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } };
  const labels = { ...(obj.metadata?.labels ?? {}) };
  const customVersion = labels[LABEL_SIDECARSET_CUSTOM_VERSION];
  if (customVersion !== undefined) {
    if (customVersion !== '') spec.customVersion = customVersion;
    delete labels[LABEL_SIDECARSET_CUSTOM_VERSION];
  }
  const out = customVersion !== undefined ? withLabels(obj, labels) : { ...obj };
  return { ...out, apiVersion: APPS_V1BETA1, ...(obj.spec || Object.keys(spec).length ? { spec } : {}) };
}

/** v1beta1 → v1alpha1. */
export function toV1alpha1(obj: SidecarSetJSON): SidecarSetJSON {
  const spec: Record<string, unknown> = { ...(obj.spec ?? {}) };
  const customVersion = spec.customVersion;
  delete spec.customVersion;
  // v1beta1 has no namespace field; one that got here (a client sending v1alpha1 fields) is dropped.
  delete spec.namespace;
  let out: SidecarSetJSON = { ...obj };
  if (typeof customVersion === 'string' && customVersion !== '') out = withLabels(out, { ...(obj.metadata?.labels ?? {}), [LABEL_SIDECARSET_CUSTOM_VERSION]: customVersion });
  return { ...out, apiVersion: APPS_V1ALPHA1, ...(obj.spec ? { spec } : {}) };
}

/** `obj` at `desiredAPIVersion`; throws on a version neither side knows. */
export function convertSidecarSet(obj: SidecarSetJSON, desiredAPIVersion: string): SidecarSetJSON {
  if (!SIDECARSET_API_VERSIONS.includes(desiredAPIVersion)) throw new Error(`cannot convert SidecarSet to ${desiredAPIVersion}: served versions are ${SIDECARSET_API_VERSIONS.join(', ')}`);
  const from = obj.apiVersion ?? '';
  if (!SIDECARSET_API_VERSIONS.includes(from)) throw new Error(`cannot convert SidecarSet from ${from || '(no apiVersion)'}: served versions are ${SIDECARSET_API_VERSIONS.join(', ')}`);
  if (from === desiredAPIVersion) return obj;
  return desiredAPIVersion === APPS_V1BETA1 ? toV1beta1(obj) : toV1alpha1(obj);
}
