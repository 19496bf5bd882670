// The custom-workload whitelist: ConfigMap kruise-configuration in the kruise namespace, key
// WorkloadSpread_Watch_Custom_Workload_WhiteList, JSON {"workloads":[{Group, Version, Kind,
// ReplicasPath, subResources:[{Group, Version, Kind}]}]}. Field names match case-insensitively,
// as Go's encoding/json reads them. Read once at startup: a change needs a restart, as in OpenKruise.

export const KRUISE_CONFIGURATION = 'kruise-configuration';
export const WHITELIST_KEY = 'WorkloadSpread_Watch_Custom_Workload_WhiteList';
export const DEFAULT_KRUISE_NAMESPACE = 'kruise-system';

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface CustomWorkload extends GroupVersionKind {
  /** Dot path of the replica count, e.g. spec.replicas; empty when the workload has none. */
  replicasPath: string;
  /** Kinds the workload creates that own its pods (followed when matching a pod to its workload). */
  subResources: GroupVersionKind[];
  /** Cluster-wide list path (/apis/<group>/<version>/<plural>), when discovery found the kind at startup: the controller watches it. */
  listPath?: string;
}

export interface Whitelist {
  workloads: CustomWorkload[];
}

export const EMPTY_WHITELIST: Whitelist = { workloads: [] };

/** Value of `key` in a JSON object, matched case-insensitively (an exact match wins). */
function field(obj: unknown, key: string): unknown {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return undefined;
  const rec = obj as Record<string, unknown>;
  if (key in rec) return rec[key];
  const k = Object.keys(rec).find((x) => x.toLowerCase() === key.toLowerCase());
  return k === undefined ? undefined : rec[k];
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function gvk(v: unknown): GroupVersionKind {
  return { group: str(field(v, 'group')), version: str(field(v, 'version')), kind: str(field(v, 'kind')) };
}

/** Parses the whitelist JSON; throws with the reason when it is not valid JSON of that shape. */
export function parseWhitelist(text: string | undefined): Whitelist {
  if (text === undefined || text.trim() === '') return EMPTY_WHITELIST;
  const doc = JSON.parse(text) as unknown;
  const list = field(doc, 'workloads');
  if (list === undefined || list === null) return EMPTY_WHITELIST;
  if (!Array.isArray(list)) throw new Error(`${WHITELIST_KEY}: "workloads" must be a list`);
  return {
    workloads: list.map((w) => {
      const subs = field(w, 'subResources');
      return { ...gvk(w), replicasPath: str(field(w, 'replicasPath')), subResources: Array.isArray(subs) ? subs.map(gvk) : [] };
    }),
  };
}

/** The whitelist entry for a group and kind, if any. */
export function whitelisted(list: Whitelist, group: string, kind: string): CustomWorkload | undefined {
  return list.workloads.find((w) => w.group === group && w.kind === kind);
}

/** Group/kind pairs a pod's owner may have to be followed: whitelisted kinds and their subresources. */
export function whitelistedOwnerKinds(list: Whitelist): { group: string; kind: string }[] {
  return list.workloads.flatMap((w) => [{ group: w.group, kind: w.kind }, ...w.subResources.map((s) => ({ group: s.group, kind: s.kind }))]);
}
