// PVC rules of the Advanced StatefulSet (spec §3.4, §3.8): compatibility with the
// volumeClaimTemplates, readiness of an expansion, status.volumeClaims, the expansion plan of
// TryPatchPVC, and the ownerReferences the persistentVolumeClaimRetentionPolicy asks for.
import { claimName, inRange, type OrdinalRange } from './ordinals.ts';
import { compareQuantityStrings } from './quantity.ts';
import type { ClaimTemplateView, ClaimView, OwnerRefView, RetentionPolicy, StorageClassExpansion } from './types.ts';
import { ASTS_API_VERSION, ASTS_KIND } from './types.ts';

/** Storage class (only when both name one) and accessModes (same order) equal. */
export function isCompatibleWithoutSize(claim: ClaimView, template: ClaimTemplateView): boolean {
  if (template.storageClassName !== undefined && claim.storageClassName !== undefined && claim.storageClassName !== template.storageClassName) return false;
  if (claim.accessModes.length !== template.accessModes.length) return false;
  return claim.accessModes.every((m, i) => template.accessModes[i] === m);
}

/** The claim requests less than the template (a missing request reads as zero). */
export function needsExpansion(claim: ClaimView, template: ClaimTemplateView): boolean {
  return compareQuantityStrings(claim.requestStorage, template.requestStorage) < 0;
}

export interface ClaimCompatibility {
  /** Class and modes equal and request >= template request. */
  readonly compatible: boolean;
  /** capacity >= request (counted only if class and modes are equal). */
  readonly ready: boolean;
}

/** IsPVCCompatibleAndReady. */
export function claimCompatibility(claim: ClaimView, template: ClaimTemplateView): ClaimCompatibility {
  if (!isCompatibleWithoutSize(claim, template)) return { compatible: false, ready: false };
  return {
    compatible: compareQuantityStrings(claim.requestStorage, template.requestStorage) >= 0,
    ready: compareQuantityStrings(claim.capacityStorage, claim.requestStorage) >= 0,
  };
}

/** CompareWithCheckFn(.., IsPVCNeedExpand) == matched: same class and modes, and no expansion needed. */
export function claimMatches(claim: ClaimView, template: ClaimTemplateView): boolean {
  return isCompatibleWithoutSize(claim, template) && !needsExpansion(claim, template);
}

/** IsPatchPVCCompleted: compatible and (ready, or the filesystem resize is pending on the node). */
export function isExpansionCompleted(claim: ClaimView, template: ClaimTemplateView): boolean {
  const { compatible, ready } = claimCompatibility(claim, template);
  return compatible && (ready || claim.fileSystemResizePending === true);
}

/** A lookup of the set's claims by name. */
export type ClaimLookup = (name: string) => ClaimView | undefined;

/** The existing, non-terminating claims of one ordinal, paired with their templates (handlePVCWithCustomFn). */
export function claimsOf(
  setName: string,
  ordinal: number,
  templates: readonly ClaimTemplateView[],
  lookup: ClaimLookup,
): { claim: ClaimView; template: ClaimTemplateView }[] {
  const out: { claim: ClaimView; template: ClaimTemplateView }[] = [];
  for (const template of templates) {
    const claim = lookup(claimName(template.name, setName, ordinal));
    if (claim === undefined || claim.terminating) continue;
    out.push({ claim, template });
  }
  return out;
}

/** IsOwnedPVCsReady: every claim of the pod is ready (class/modes equal and capacity >= request). */
export function areClaimsReady(setName: string, ordinal: number, templates: readonly ClaimTemplateView[], lookup: ClaimLookup): boolean {
  return claimsOf(setName, ordinal, templates, lookup).every(({ claim, template }) => claimCompatibility(claim, template).ready);
}

/** IsClaimsCompatible: every claim matches its template without needing expansion. */
export function areClaimsMatched(setName: string, ordinal: number, templates: readonly ClaimTemplateView[], lookup: ClaimLookup): boolean {
  return claimsOf(setName, ordinal, templates, lookup).every(({ claim, template }) => claimMatches(claim, template));
}

/** IsOwnedPVCsCompleted. */
export function areExpansionsCompleted(setName: string, ordinal: number, templates: readonly ClaimTemplateView[], lookup: ClaimLookup): boolean {
  return claimsOf(setName, ordinal, templates, lookup).every(({ claim, template }) => isExpansionCompleted(claim, template));
}

export interface VolumeClaimStatus {
  readonly volumeClaimName: string;
  readonly compatibleReplicas: number;
  readonly compatibleReadyReplicas: number;
}

/**
 * status.volumeClaims (updatePVCStatus): one entry per template; for each given ordinal and
 * template, an existing non-terminating claim counts as compatible, and as ready if also ready.
 */
export function volumeClaimsStatus(
  setName: string,
  ordinals: readonly number[],
  templates: readonly ClaimTemplateView[],
  lookup: ClaimLookup,
): VolumeClaimStatus[] {
  return templates.map((template) => {
    let compatibleReplicas = 0;
    let compatibleReadyReplicas = 0;
    for (const ordinal of ordinals) {
      const claim = lookup(claimName(template.name, setName, ordinal));
      if (claim === undefined || claim.terminating) continue;
      const { compatible, ready } = claimCompatibility(claim, template);
      if (!compatible) continue;
      compatibleReplicas++;
      if (ready) compatibleReadyReplicas++;
    }
    return { volumeClaimName: template.name, compatibleReplicas, compatibleReadyReplicas };
  });
}

/** One claim to expand: its spec.resources become the template's (whole block), plus the owned-by annotation. */
export interface ClaimExpansion {
  readonly claim: string;
  readonly template: string;
}

export type ExpansionPlan =
  /** Nothing to patch, or these claims to patch (possibly none). */
  | { readonly ok: true; readonly expansions: readonly ClaimExpansion[] }
  /**
   * Refused: a claim differs in class/modes (`event` says FailedUpdatePVC), or its StorageClass
   * does not allow expansion. Kruise stops the rolling update with this error.
   */
  | { readonly ok: false; readonly claim: string; readonly reason: 'incompatible' | 'storageClassMissing' | 'expansionNotAllowed'; readonly message: string };

/**
 * TryPatchPVC for one pod: walk its claims in template order (failing fast like kruise); a claim
 * that only needs to grow is planned for expansion when its StorageClass (if it names one) exists
 * and has allowVolumeExpansion: true. Claims are never shrunk.
 */
export function planClaimExpansion(
  setName: string,
  podName: string,
  ordinal: number,
  templates: readonly ClaimTemplateView[],
  lookup: ClaimLookup,
  storageClasses: StorageClassExpansion,
): ExpansionPlan {
  const expansions: ClaimExpansion[] = [];
  for (const { claim, template } of claimsOf(setName, ordinal, templates, lookup)) {
    if (!isCompatibleWithoutSize(claim, template)) {
      return {
        ok: false,
        claim: claim.name,
        reason: 'incompatible',
        message: `failed to update pvc ${claim.name}: contains diff other than spec resource, wait pvc to be deleted`,
      };
    }
    if (!needsExpansion(claim, template)) continue;
    if (claim.storageClassName !== undefined) {
      const allow = storageClasses.get(claim.storageClassName);
      if (allow === undefined) {
        return { ok: false, claim: claim.name, reason: 'storageClassMissing', message: `could not get sc ${claim.storageClassName} for ${podName} when checking PVC spec` };
      }
      if (allow !== true) {
        return {
          ok: false,
          claim: claim.name,
          reason: 'expansionNotAllowed',
          message: `storage class ${claim.storageClassName} for ${podName} does not support volume expansion`,
        };
      }
    }
    expansions.push({ claim: claim.name, template: template.name });
  }
  return { ok: true, expansions };
}

// ---- persistentVolumeClaimRetentionPolicy ----

export interface OwnerIdentity {
  readonly name: string;
  readonly uid: string;
}

const hasOwnerRef = (claim: Pick<ClaimView, 'ownerReferences'>, owner: OwnerIdentity): boolean =>
  (claim.ownerReferences ?? []).some((r) => r.uid === owner.uid);

/** hasStaleOwnerRef: a ref with the owner's name but another UID (including "no UID yet"). */
export function hasStaleOwnerRef(claim: Pick<ClaimView, 'ownerReferences'>, owner: { name: string; uid?: string }): boolean {
  return (claim.ownerReferences ?? []).some((r) => r.name === owner.name && r.uid !== (owner.uid ?? ''));
}

function effectivePolicy(policy: RetentionPolicy | undefined): { whenDeleted: 'Retain' | 'Delete'; whenScaled: 'Retain' | 'Delete' } {
  // Unknown values are treated as Retain, as kruise does.
  return {
    whenDeleted: policy?.whenDeleted === 'Delete' ? 'Delete' : 'Retain',
    whenScaled: policy?.whenScaled === 'Delete' ? 'Delete' : 'Retain',
  };
}

/**
 * The ownerReferences a claim should have (updateClaimOwnerRefForSetAndPod), or undefined when
 * they already match (claimOwnerMatchesSetAndPod). Retain/Retain: neither; WhenDeleted=Delete:
 * the set; WhenScaled=Delete: the pod once it is scaled down; both: the set while in range, the
 * pod once scaled down. Other ownerReferences are kept.
 */
export function desiredClaimOwnerRefs(
  claim: Pick<ClaimView, 'ownerReferences'>,
  policy: RetentionPolicy | undefined,
  set: OwnerIdentity,
  pod: OwnerIdentity,
  podScaledDown: boolean,
): OwnerRefView[] | undefined {
  const { whenDeleted, whenScaled } = effectivePolicy(policy);
  let wantSet: boolean;
  let wantPod: boolean;
  if (whenScaled === 'Retain') {
    wantSet = whenDeleted === 'Delete';
    wantPod = false;
  } else if (whenDeleted === 'Retain') {
    wantSet = false;
    wantPod = podScaledDown;
  } else {
    wantSet = !podScaledDown;
    wantPod = podScaledDown;
  }
  if (hasOwnerRef(claim, set) === wantSet && hasOwnerRef(claim, pod) === wantPod) return undefined;
  let refs: OwnerRefView[] = [...(claim.ownerReferences ?? [])];
  const drop = (owner: OwnerIdentity): void => {
    refs = refs.filter((r) => r.uid !== owner.uid);
  };
  const add = (owner: OwnerIdentity, apiVersion: string, kind: string): void => {
    if (!refs.some((r) => r.uid === owner.uid)) refs.push({ apiVersion, kind, name: owner.name, uid: owner.uid });
  };
  if (wantSet) add(set, ASTS_API_VERSION, ASTS_KIND);
  else drop(set);
  if (wantPod) add(pod, 'v1', 'Pod');
  else drop(pod);
  return refs;
}

/** A claim whose ownerReferences must change for one pod. */
export interface ClaimOwnerFix {
  readonly claim: string;
  readonly ownerReferences: readonly OwnerRefView[];
}

/** UpdatePodClaimForRetentionPolicy: the claims of one pod whose ownerReferences must change. */
export function planClaimOwnerFixes(
  setName: string,
  set: OwnerIdentity,
  pod: { name: string; uid?: string; ordinal: number },
  templates: readonly ClaimTemplateView[],
  lookup: ClaimLookup,
  policy: RetentionPolicy | undefined,
  range: OrdinalRange,
): ClaimOwnerFix[] {
  // A pod not created yet has no UID to reference; its claims are fixed after creation.
  if (pod.uid === undefined) return [];
  const fixes: ClaimOwnerFix[] = [];
  for (const template of templates) {
    const name = claimName(template.name, setName, pod.ordinal);
    const claim = lookup(name);
    if (claim === undefined) continue;
    const refs = desiredClaimOwnerRefs(claim, policy, set, { name: pod.name, uid: pod.uid }, !inRange(pod.ordinal, range));
    if (refs !== undefined) fixes.push({ claim: name, ownerReferences: refs });
  }
  return fixes;
}

/** PodClaimIsStale: with WhenScaled=Delete, a claim owned by an earlier pod of that name blocks creation. */
export function isPodClaimStale(
  setName: string,
  pod: { name: string; uid?: string; ordinal: number },
  templates: readonly ClaimTemplateView[],
  lookup: ClaimLookup,
  policy: RetentionPolicy | undefined,
): boolean {
  if (effectivePolicy(policy).whenScaled === 'Retain') return false;
  return templates.some((t) => {
    const claim = lookup(claimName(t.name, setName, pod.ordinal));
    return claim !== undefined && hasStaleOwnerRef(claim, pod);
  });
}
