// Names, timeouts and small shared helpers of WorkloadSpread (values as in OpenKruise 1.8).
import type { V1Pod } from '@kubernetes/client-node';
import type { InjectedWorkloadSpread, WorkloadSpreadSubsetCondition, WorkloadSpreadSubsetStatus } from '../../api/workloadspread.ts';

/** Pod annotation naming the WorkloadSpread and subset a pod was placed in. */
export const MATCHED_ANNOTATION = 'apps.kruise.io/matched-workloadspread';
/** WorkloadSpread annotation: do not copy the subset patch's metadata onto adopted pods. */
export const IGNORE_PATCH_EXISTING_PODS = 'workloadspread.kruise.io/ignore-patch-existing-pods-metadata';
/** Subset of pods that match no real subset (their own subset was removed, or none fits). */
export const FAKE_SUBSET = 'kruise.io/workloadspread-fake-subset-name';
/** Version key of pods whose workload does not use versioned subset status. */
export const VERSION_IGNORED = 'versionIgnored';
/**
 * Workload kinds (lower case) whose pods are counted per version. OpenKruise's default
 * (--ws-enabled-versioned-status) is deployment and replicaset; the 1.6 fix it announces covers
 * CloneSet too, and its flag cannot turn that on (the set is built in init(), before flags are
 * parsed; reports/known deviation 7), so the reference versions CloneSet pods as well.
 */
export const VERSIONED_KINDS: ReadonlySet<string> = new Set(['deployment', 'replicaset', 'cloneset']);

/** A creatingPods entry not observed within this time is dropped (event CreatePodFailed). */
export const CREATE_POD_TIMEOUT_MS = 30_000;
/** A deletingPods entry still observed after this time is dropped (event DeletePodFailed). */
export const DELETE_POD_TIMEOUT_MS = 15_000;
/** A subset marked Schedulable=False becomes schedulable again this long after the transition. */
export const MAX_SCHEDULED_FAILED_MS = 300_000;

export const LABEL_POD_TEMPLATE_HASH = 'pod-template-hash';
export const LABEL_CONTROLLER_REVISION_HASH = 'controller-revision-hash';

/** Parses the matched-workloadspread annotation; undefined when absent or not JSON of that shape. */
export function injectedOf(pod: V1Pod): InjectedWorkloadSpread | undefined {
  const raw = pod.metadata?.annotations?.[MATCHED_ANNOTATION];
  if (!raw) return undefined;
  try {
    const v = JSON.parse(raw) as Partial<InjectedWorkloadSpread> | null;
    if (!v || typeof v !== 'object') return undefined;
    return { name: typeof v.name === 'string' ? v.name : '', subset: typeof v.subset === 'string' ? v.subset : '', ...(typeof v.uid === 'string' && v.uid ? { uid: v.uid } : {}) };
  } catch {
    return undefined;
  }
}

/** The annotation value written by the webhook and the controller: {"name","subset"[,"uid"]}. */
export function injectedValue(v: InjectedWorkloadSpread): string {
  return JSON.stringify({ name: v.name, subset: v.subset, ...(v.uid ? { uid: v.uid } : {}) });
}

/** kube's IsPodActive: not Succeeded, not Failed, not being deleted. */
export function isPodActive(pod: V1Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata?.deletionTimestamp;
}

/** The controller owner reference of an object, if any. */
export function controllerOf(obj: { metadata?: { ownerReferences?: Array<{ controller?: boolean; apiVersion: string; kind: string; name: string; uid: string }> } }) {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

/** The text after the last '-' (a revision name's short hash). */
export function shortHash(revision: string): string {
  const i = revision.lastIndexOf('-');
  return i < 0 ? revision : revision.slice(i + 1);
}

/** The version key of a pod: pod-template-hash (or the short controller-revision-hash) for versioned kinds. */
export function podVersion(pod: V1Pod): string {
  const owner = controllerOf(pod);
  if (!owner || !VERSIONED_KINDS.has(owner.kind.toLowerCase())) return VERSION_IGNORED;
  const labels = pod.metadata?.labels ?? {};
  if (labels[LABEL_POD_TEMPLATE_HASH] !== undefined) return labels[LABEL_POD_TEMPLATE_HASH] as string;
  if (labels[LABEL_CONTROLLER_REVISION_HASH] !== undefined) return shortHash(labels[LABEL_CONTROLLER_REVISION_HASH] as string);
  return VERSION_IGNORED;
}

export function conditionOf(status: WorkloadSpreadSubsetStatus | undefined, type: string): WorkloadSpreadSubsetCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/** Times in status maps are RFC 3339 with second precision, as metav1.Time serialises. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export function parseTime(t: string | undefined): number | undefined {
  if (!t) return undefined;
  const v = Date.parse(t);
  return Number.isNaN(v) ? undefined : v;
}
