// Label, annotation, condition and readiness-gate names shared by the kinds (values as in OpenKruise 1.8).

// ---- Labels ----
/** Full ControllerRevision name of the revision a pod was created from (or short hash with CloneSetShortHash). */
export const LABEL_CONTROLLER_REVISION_HASH = 'controller-revision-hash';
/** Short revision hash: the text after the last '-' of the revision name. */
export const LABEL_POD_TEMPLATE_HASH = 'pod-template-hash';
/** Instance id shared by a CloneSet pod and its PVCs. */
export const LABEL_CLONESET_INSTANCE_ID = 'apps.kruise.io/cloneset-instance-id';
/** Presence (any value) asks the owning workload to delete the pod. */
export const LABEL_SPECIFIED_DELETE = 'apps.kruise.io/specified-delete';
/** Lifecycle state of a pod; see LifecycleStateType. */
export const LABEL_LIFECYCLE_STATE = 'lifecycle.apps.kruise.io/state';
/** CloneSet label: count replicas excluding PreparingDelete pods. */
export const LABEL_CLONESET_SCALING_EXCLUDE_PREPARING_DELETE = 'apps.kruise.io/cloneset-scaling-exclude-preparing-delete';
/** Pod name label set on Advanced StatefulSet pods. */
export const LABEL_STATEFULSET_POD_NAME = 'statefulset.kubernetes.io/pod-name';
/** Pod ordinal label (gate PodIndexLabel). */
export const LABEL_POD_INDEX = 'apps.kubernetes.io/pod-index';
/** Deletion protection label (values Always | Cascading). */
export const LABEL_DELETE_PROTECTION = 'policy.kruise.io/delete-protection';

// ---- Annotations ----
/** RFC3339 time of the last lifecycle state transition. */
export const ANNOTATION_LIFECYCLE_TIMESTAMP = 'lifecycle.apps.kruise.io/timestamp';
/** JSON InPlaceUpdateState of the last in-place update. */
export const ANNOTATION_INPLACE_UPDATE_STATE = 'apps.kruise.io/inplace-update-state';
/** Pre-1.0 key of the in-place state; deleted on update. */
export const ANNOTATION_INPLACE_UPDATE_STATE_OLD = 'inplace-update-state';
/** Update spec waiting for inPlaceUpdateStrategy.gracePeriodSeconds to pass. */
export const ANNOTATION_INPLACE_UPDATE_GRACE = 'apps.kruise.io/inplace-update-grace';
/** Hash of spec.volumeClaimTemplates, copied onto CloneSet revisions. */
export const ANNOTATION_CLONESET_VCT_HASH = 'kruise.io/cloneset-volumeclaimtemplate-hash';
/** Set by kruise-daemon: container runtime metadata (hashes) used to finish env-from-metadata updates. */
export const ANNOTATION_RUNTIME_CONTAINERS_META = 'apps.kruise.io/runtime-containers-meta';
/** Marks PVCs resized by the Advanced StatefulSet controller; value is the set's name. */
export const ANNOTATION_OWNED_BY_ASTS = 'apps.kruise.io/owned-by-asts';
/** Scale-in ranking input (upstream). */
export const ANNOTATION_POD_DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';
/** Container launch priority mode ("Ordered"). */
export const ANNOTATION_CONTAINER_LAUNCH_PRIORITY = 'apps.kruise.io/container-launch-priority';
export const ANNOTATION_IMAGE_PREDOWNLOAD_MIN_UPDATED_READY_PODS = 'apps.kruise.io/image-predownload-min-updated-ready-pods';
export const ANNOTATION_IMAGE_PREDOWNLOAD_IGNORED = 'apps.kruise.io/image-predownload-ignored';
/** StorageClass annotation marking the cluster default class. */
export const ANNOTATION_DEFAULT_STORAGE_CLASS = 'storageclass.kubernetes.io/is-default-class';

// ---- Env ----
export const ENV_CONTAINER_PRIORITY = 'KRUISE_CONTAINER_PRIORITY';
export const ENV_CONTAINER_BARRIER = 'KRUISE_CONTAINER_BARRIER';

// ---- Pod condition / readiness gate types ----
/** Readiness gate the in-place engine flips False while a pod is updated in place. */
export const CONDITION_INPLACE_UPDATE_READY = 'InPlaceUpdateReady';
/** Readiness gate the pod webhook injects into kruise-owned pods; set True by the pod-readiness controller. */
export const CONDITION_KRUISE_POD_READY = 'KruisePodReady';
/** Reason of InPlaceUpdateReady=False while an in-place update starts. */
export const REASON_START_INPLACE_UPDATE = 'StartInPlaceUpdate';

// ---- Lifecycle states ----
export const LIFECYCLE_STATES = ['PreparingNormal', 'Normal', 'PreparingUpdate', 'Updating', 'Updated', 'PreparingDelete'] as const;
export type LifecycleStateType = (typeof LIFECYCLE_STATES)[number];

// ---- Workload condition types ----
export const CLONESET_CONDITION_FAILED_SCALE = 'FailedScale';
export const CLONESET_CONDITION_FAILED_UPDATE = 'FailedUpdate';
export const STATEFULSET_CONDITION_FAILED_CREATE_POD = 'FailedCreatePod';
export const STATEFULSET_CONDITION_FAILED_UPDATE_POD = 'FailedUpdatePod';

// ---- Defaults and limits ----
export const DEFAULT_CLONESET_MAX_UNAVAILABLE = '20%';
export const DEFAULT_REVISION_HISTORY_LIMIT = 10;
/** Upper bound of Advanced StatefulSet rollingUpdate.minReadySeconds. */
export const MAX_MIN_READY_SECONDS = 300;

// ---- Webhook configuration names (reference implementation) ----
export const MUTATING_WEBHOOK_CONFIGURATION = 'kruise-ref-mutating';
export const VALIDATING_WEBHOOK_CONFIGURATION = 'kruise-ref-validating';
