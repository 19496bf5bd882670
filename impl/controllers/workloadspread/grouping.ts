// Pure grouping of a WorkloadSpread's pods by version and subset. Pods annotated for this
// WorkloadSpread belong to their subset; pods without (created before it, or injected for
// another one) are adopted once scheduled: the subset whose node terms and tolerations admit the
// pod's node, scored 100 x preferred-term weight + 10 x (the patch is already applied) + 1 x
// (the subset has room). Adoption is returned as a patch for the reconciler to write.
import type { V1Node, V1NodeSelectorRequirement, V1NodeSelectorTerm, V1Pod, V1Taint, V1Toleration } from '@kubernetes/client-node';
import { strategicMergePod } from '../../api/strategic-merge.ts';
import type { WorkloadSpread, WorkloadSpreadSubset } from '../../api/workloadspread.ts';
import { subsetQuota } from './replicas.ts';
import { FAKE_SUBSET, IGNORE_PATCH_EXISTING_PODS, injectedOf, injectedValue, MATCHED_ANNOTATION, podVersion } from './types.ts';

function requirementMatches(r: V1NodeSelectorRequirement, value: string | undefined): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || values.length !== 1) return false;
      const a = Number.parseInt(value, 10);
      const b = Number.parseInt(values[0] as string, 10);
      if (Number.isNaN(a) || Number.isNaN(b)) return false;
      return r.operator === 'Gt' ? a > b : a < b;
    }
    default:
      return false;
  }
}

/** A node selector term matches when all its label and field requirements do; an empty term matches nothing. */
export function termMatches(term: V1NodeSelectorTerm, node: V1Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata?.labels ?? {};
  return (
    exprs.every((r) => requirementMatches(r, Object.hasOwn(labels, r.key) ? labels[r.key] : undefined)) &&
    fields.every((r) => r.key === 'metadata.name' && requirementMatches(r, node.metadata?.name))
  );
}

function tolerates(t: V1Toleration, taint: V1Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.operator === 'Exists') return !t.key || t.key === taint.key;
  return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
}

/** The node has a taint none of the tolerations tolerates (every effect counts). */
export function hasUntoleratedTaint(node: V1Node, tolerations: readonly V1Toleration[]): boolean {
  return (node.spec?.taints ?? []).some((taint) => !tolerations.some((t) => tolerates(t, taint)));
}

/** Necessary condition: tolerations pass and the subset's term, AND-ed into the pod's own required terms, matches the node. */
export function admitsNode(pod: V1Pod, node: V1Node, subset: WorkloadSpreadSubset): boolean {
  if (hasUntoleratedTaint(node, [...(pod.spec?.tolerations ?? []), ...(subset.tolerations ?? [])])) return false;
  const extra = subset.requiredNodeSelectorTerm;
  if (!extra) return true;
  const own = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  const terms = own.length
    ? own.map((t) => ({ matchExpressions: [...(t.matchExpressions ?? []), ...(extra.matchExpressions ?? [])], matchFields: [...(t.matchFields ?? []), ...(extra.matchFields ?? [])] }))
    : [extra];
  return terms.some((t) => termMatches(t, node));
}

/** 1 when applying the subset patch changes nothing but annotations. */
function patchAlreadyApplied(subset: WorkloadSpreadSubset, pod: V1Pod): number {
  if (subset.patch === undefined || subset.patch === null) return 0;
  try {
    const patched = strategicMergePod(pod, subset.patch);
    patched.metadata = { ...patched.metadata, annotations: pod.metadata?.annotations };
    return JSON.stringify(patched) === JSON.stringify(JSON.parse(JSON.stringify(pod))) ? 1 : 0;
  } catch {
    return 0;
  }
}

/** Score of a subset for a pod on a node, or -1 when the subset does not admit the node. */
export function subsetScore(pod: V1Pod, node: V1Node, subset: WorkloadSpreadSubset, missing: number): number {
  if (!admitsNode(pod, node, subset)) return -1;
  const preferred = (subset.preferredNodeSelectorTerms ?? []).reduce((sum, t) => sum + (termMatches(t.preference ?? {}, node) ? t.weight : 0), 0);
  return preferred * 100 + patchAlreadyApplied(subset, pod) * 10 + (missing > 0 ? 1 : 0);
}

/** The metadata patch that adopts a pod into a subset: the annotation plus the subset patch's metadata. */
export function adoptionPatch(ws: WorkloadSpread, subset: WorkloadSpreadSubset): { metadata: Record<string, unknown> } {
  let metadata: Record<string, unknown> = {};
  const ignore = (ws.metadata.annotations?.[IGNORE_PATCH_EXISTING_PODS] ?? '').toLowerCase() === 'true';
  const patchMeta = (subset.patch as { metadata?: unknown } | undefined)?.metadata;
  if (!ignore && typeof patchMeta === 'object' && patchMeta !== null) metadata = structuredClone(patchMeta) as Record<string, unknown>;
  const value = injectedValue({ name: ws.metadata.name ?? '', subset: subset.name });
  const annotations = typeof metadata.annotations === 'object' && metadata.annotations !== null ? (metadata.annotations as Record<string, unknown>) : {};
  metadata.annotations = { ...annotations, [MATCHED_ANNOTATION]: value };
  return { metadata };
}

export interface Adoption {
  pod: V1Pod;
  subset: string;
  patch: { metadata: Record<string, unknown> };
}

export interface Grouping {
  /** version → subset → pods (every subset present, plus FAKE_SUBSET). */
  versioned: Map<string, Map<string, V1Pod[]>>;
  /** subset → pods over all versions. */
  all: Map<string, V1Pod[]>;
  adoptions: Adoption[];
}

const belongsHere = (ws: WorkloadSpread, pod: V1Pod): string | undefined => {
  const inj = injectedOf(pod);
  return inj && inj.name === ws.metadata.name && inj.subset !== '' ? inj.subset : undefined;
};

function groupOneVersion(ws: WorkloadSpread, pods: readonly V1Pod[], replicas: number, nodes: (name: string) => V1Node | undefined, adoptions: Adoption[]): Map<string, V1Pod[]> {
  const map = new Map<string, V1Pod[]>([[FAKE_SUBSET, []]]);
  const missing = new Map<string, number>();
  for (const s of ws.spec.subsets) {
    map.set(s.name, []);
    missing.set(s.name, subsetQuota(s.maxReplicas, replicas));
  }
  for (const pod of pods) {
    const s = belongsHere(ws, pod);
    if (s !== undefined && missing.has(s)) missing.set(s, (missing.get(s) as number) - 1);
  }
  for (const pod of pods) {
    let name = belongsHere(ws, pod);
    if (name === undefined) {
      const node = pod.spec?.nodeName ? nodes(pod.spec.nodeName) : undefined;
      let best: WorkloadSpreadSubset | undefined;
      let bestScore = -1;
      if (node) {
        for (const s of ws.spec.subsets) {
          const score = subsetScore(pod, node, s, missing.get(s.name) ?? 0);
          if (score > bestScore) {
            best = s;
            bestScore = score;
          }
        }
      }
      if (best) {
        adoptions.push({ pod, subset: best.name, patch: adoptionPatch(ws, best) });
        missing.set(best.name, (missing.get(best.name) ?? 0) - 1);
        name = best.name;
      }
    }
    (map.get(name ?? FAKE_SUBSET) ?? (map.get(FAKE_SUBSET) as V1Pod[])).push(pod);
  }
  return map;
}

/** groupVersionedPods: by version (podVersion), then by subset within each version. */
export function groupPods(ws: WorkloadSpread, pods: readonly V1Pod[], replicas: number, nodes: (name: string) => V1Node | undefined): Grouping {
  const byVersion = new Map<string, V1Pod[]>();
  for (const pod of pods) {
    const v = podVersion(pod);
    byVersion.set(v, [...(byVersion.get(v) ?? []), pod]);
  }
  const adoptions: Adoption[] = [];
  const versioned = new Map<string, Map<string, V1Pod[]>>();
  const all = new Map<string, V1Pod[]>();
  for (const [version, list] of byVersion) {
    const map = groupOneVersion(ws, list, replicas, nodes, adoptions);
    versioned.set(version, map);
    for (const [subset, ps] of map) all.set(subset, [...(all.get(subset) ?? []), ...ps]);
  }
  return { versioned, all, adoptions };
}
