// API group, versions and resource names of the kinds the reference implementation serves.

export const GROUP = 'apps.kruise.io';

export const V1ALPHA1 = 'v1alpha1';
export const V1BETA1 = 'v1beta1';

export const APPS_V1ALPHA1 = `${GROUP}/${V1ALPHA1}`;
export const APPS_V1BETA1 = `${GROUP}/${V1BETA1}`;

/** Kind, plural, singular and short names of one custom resource. */
export interface ResourceNames {
  readonly kind: string;
  readonly listKind: string;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
}

export const CLONESET: ResourceNames = {
  kind: 'CloneSet',
  listKind: 'CloneSetList',
  plural: 'clonesets',
  singular: 'cloneset',
  shortNames: ['clone'],
};

/** The Advanced StatefulSet: kind StatefulSet in apps.kruise.io. `sts` collides with apps/v1; prefer `asts`. */
export const ADVANCED_STATEFULSET: ResourceNames = {
  kind: 'StatefulSet',
  listKind: 'StatefulSetList',
  plural: 'statefulsets',
  singular: 'statefulset',
  shortNames: ['sts', 'asts'],
};

/** SidecarSet: cluster-scoped, v1alpha1 in OpenKruise 1.8, v1alpha1 and v1beta1 in 1.9. */
export const SIDECARSET: ResourceNames = {
  kind: 'SidecarSet',
  listKind: 'SidecarSetList',
  plural: 'sidecarsets',
  singular: 'sidecarset',
  shortNames: [],
};
/** Storage version (and the one the manager works on); v1beta1 is served too (OpenKruise 1.9), converted by the webhook. */
export const SIDECARSET_VERSION = V1ALPHA1;
export const SIDECARSET_API_VERSION = APPS_V1ALPHA1;
export const SIDECARSET_SERVED_VERSIONS = [V1ALPHA1, V1BETA1] as const;

/** CloneSet is served at v1alpha1 only in OpenKruise 1.8. */
export const CLONESET_VERSION = V1ALPHA1;
export const CLONESET_API_VERSION = APPS_V1ALPHA1;

/** Advanced StatefulSet: v1beta1 is the storage version, v1alpha1 is also served. */
export const STATEFULSET_VERSION = V1BETA1;
export const STATEFULSET_API_VERSION = APPS_V1BETA1;
export const STATEFULSET_SERVED_VERSIONS = [V1BETA1, V1ALPHA1] as const;

/** Collection path of a namespaced resource, e.g. /apis/apps.kruise.io/v1alpha1/clonesets or .../namespaces/ns/clonesets. */
export function resourcePath(version: string, plural: string, namespace?: string, name?: string): string {
  const ns = namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  const n = name ? `/${encodeURIComponent(name)}` : '';
  return `/apis/${GROUP}/${version}${ns}/${plural}${n}`;
}

export const CLONESETS_PATH = resourcePath(CLONESET_VERSION, CLONESET.plural);
export const STATEFULSETS_PATH = resourcePath(STATEFULSET_VERSION, ADVANCED_STATEFULSET.plural);
export const SIDECARSETS_PATH = resourcePath(SIDECARSET_VERSION, SIDECARSET.plural);

/** CRD object names (`<plural>.<group>`). */
export const CLONESET_CRD_NAME = `${CLONESET.plural}.${GROUP}`;
export const STATEFULSET_CRD_NAME = `${ADVANCED_STATEFULSET.plural}.${GROUP}`;

export const WORKLOADSPREAD: ResourceNames = {
  kind: 'WorkloadSpread',
  listKind: 'WorkloadSpreadList',
  plural: 'workloadspreads',
  singular: 'workloadspread',
  shortNames: ['ws'],
};

/** WorkloadSpread is served at v1alpha1 only. */
export const WORKLOADSPREAD_VERSION = V1ALPHA1;
export const WORKLOADSPREAD_API_VERSION = APPS_V1ALPHA1;
export const WORKLOADSPREADS_PATH = resourcePath(WORKLOADSPREAD_VERSION, WORKLOADSPREAD.plural);
export const WORKLOADSPREAD_CRD_NAME = `${WORKLOADSPREAD.plural}.${GROUP}`;
export const SIDECARSET_CRD_NAME = `${SIDECARSET.plural}.${GROUP}`;

/** PodProbeMarker: namespaced, v1alpha1 only, status subresource, no short names. */
export const PODPROBEMARKER: ResourceNames = {
  kind: 'PodProbeMarker',
  listKind: 'PodProbeMarkerList',
  plural: 'podprobemarkers',
  singular: 'podprobemarker',
  shortNames: [],
};
/** NodePodProbe: cluster-scoped, one per (non-virtual) node, named as the node. */
export const NODEPODPROBE: ResourceNames = {
  kind: 'NodePodProbe',
  listKind: 'NodePodProbeList',
  plural: 'nodepodprobes',
  singular: 'nodepodprobe',
  shortNames: [],
};
export const PODPROBEMARKER_VERSION = V1ALPHA1;
export const PODPROBEMARKER_API_VERSION = APPS_V1ALPHA1;
export const PODPROBEMARKERS_PATH = resourcePath(V1ALPHA1, PODPROBEMARKER.plural);
export const NODEPODPROBES_PATH = resourcePath(V1ALPHA1, NODEPODPROBE.plural);
