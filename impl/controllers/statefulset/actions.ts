// The writes a reconcile plans, in the order the reconciler applies them. Each is one API call
// (or a short fixed sequence, noted per kind); the reconciler stops at the first failure.
import type { LifecycleState, OwnerRefView } from './types.ts';

export type Action =
  /** Create the missing PVCs of the ordinal, then the pod, then fix the claims' ownerReferences. */
  | { readonly kind: 'createPod'; readonly pod: string; readonly ordinal: number; readonly revision: string; readonly lifecycleState: 'Normal' | 'PreparingNormal' }
  /** A Pending pod lost a PVC: create the missing ones (createMissingPersistentVolumeClaims). */
  | { readonly kind: 'createMissingClaims'; readonly pod: string; readonly ordinal: number }
  /** Delete the pod (failed/succeeded pod, scale-in, recreate update, specified delete). */
  | { readonly kind: 'deletePod'; readonly pod: string; readonly reason: 'failed' | 'scaleIn' | 'update' | 'specifiedDelete' }
  /**
   * Set the lifecycle state label (and timestamp). markPodNotReady adds/removes the hook's key in
   * the KruisePodReady condition; applyInPlaceHook re-adds the inPlaceUpdate hook's labels and
   * finalizers (Updated -> PreparingUpdate).
   */
  | { readonly kind: 'lifecycle'; readonly pod: string; readonly state: LifecycleState; readonly markPodNotReady: boolean; readonly applyInPlaceHook?: boolean }
  /** Set the pod condition InPlaceUpdateReady=True. */
  | { readonly kind: 'inPlaceUpdateReady'; readonly pod: string }
  /** Restore the pod's identity (pod-name/pod-index labels) and claim volumes (UpdateStatefulPod). */
  | { readonly kind: 'fixPodIdentity'; readonly pod: string; readonly ordinal: number }
  /** Replace a claim's ownerReferences (retention policy). */
  | { readonly kind: 'fixClaimOwners'; readonly pod: string; readonly claim: string; readonly ownerReferences: readonly OwnerRefView[] }
  /** Grow a claim: spec.resources = the template's, annotation apps.kruise.io/owned-by-asts. */
  | { readonly kind: 'expandClaim'; readonly pod: string; readonly claim: string; readonly template: string }
  /** In-place update from revision `from` to `to` (setUpdating: lifecycle state becomes Updating). */
  | { readonly kind: 'inPlaceUpdate'; readonly pod: string; readonly from: string; readonly to: string; readonly setUpdating: boolean };

/** A planned failure: the reconcile applies the actions before it, records it and returns an error. */
export interface PlanError {
  readonly message: string;
  /** A Warning event to record on the StatefulSet. */
  readonly event?: { readonly reason: string; readonly message: string };
}
