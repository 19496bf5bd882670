// SidecarSet (apps.kruise.io/v1alpha1, cluster-scoped): TypeScript shape of the resource as
// OpenKruise 1.8 serves it, plus the label and annotation keys it reads and writes on pods and
// ControllerRevisions.
import type { V1Container, V1LabelSelector, V1LocalObjectReference, V1ObjectFieldSelector, V1ObjectMeta, V1Volume } from '@kubernetes/client-node';
import type { IntOrString, UpdatePriorityStrategy } from './pub.ts';
import type { UpdateScatterStrategy } from './cloneset.ts';

export type PodInjectPolicy = 'BeforeAppContainer' | 'AfterAppContainer';
export const POD_INJECT_POLICIES: readonly PodInjectPolicy[] = ['BeforeAppContainer', 'AfterAppContainer'];
export type ShareVolumePolicyType = 'enabled' | 'disabled';
export const SHARE_VOLUME_POLICY_TYPES: readonly ShareVolumePolicyType[] = ['enabled', 'disabled'];
export type SidecarUpgradeType = 'ColdUpgrade' | 'HotUpgrade';
export type SidecarSetUpdateStrategyType = 'NotUpdate' | 'RollingUpdate';
export type InjectRevisionPolicy = 'Always' | 'Partial';
export const INJECT_REVISION_POLICIES: readonly InjectRevisionPolicy[] = ['Always', 'Partial'];
export type PatchPolicy = 'Retain' | 'Overwrite' | 'MergePatchJson';

export interface TransferEnvVar {
  sourceContainerName?: string;
  sourceContainerNameFrom?: { fieldRef?: V1ObjectFieldSelector };
  envName?: string;
  envNames?: string[];
}

/** A core container plus where and how it is injected and upgraded. */
export interface SidecarContainer extends V1Container {
  podInjectPolicy?: PodInjectPolicy;
  upgradeStrategy?: { upgradeType?: SidecarUpgradeType; hotUpgradeEmptyImage?: string };
  shareVolumePolicy?: { type?: ShareVolumePolicyType };
  transferEnv?: TransferEnvVar[];
}

export interface SidecarSetUpdateStrategy {
  /** Default RollingUpdate. */
  type?: SidecarSetUpdateStrategyType;
  paused?: boolean;
  selector?: V1LabelSelector | null;
  /** Default 0. */
  partition?: IntOrString | null;
  /** Default 1. */
  maxUnavailable?: IntOrString;
  priorityStrategy?: UpdatePriorityStrategy;
  scatterStrategy?: UpdateScatterStrategy;
}

export interface SidecarSetInjectRevision {
  customVersion?: string;
  revisionName?: string;
  /** Default Always. */
  policy?: InjectRevisionPolicy | string;
}

export interface SidecarSetPatchPodMetadata {
  annotations?: Record<string, string>;
  /** Default Retain. */
  patchPolicy?: PatchPolicy | string;
}

export interface SidecarSetSpec {
  selector?: V1LabelSelector;
  namespace?: string;
  namespaceSelector?: V1LabelSelector;
  initContainers?: SidecarContainer[];
  containers?: SidecarContainer[];
  volumes?: V1Volume[];
  updateStrategy?: SidecarSetUpdateStrategy;
  injectionStrategy?: { paused?: boolean; revision?: SidecarSetInjectRevision };
  imagePullSecrets?: V1LocalObjectReference[];
  /** Default 10; the controller keeps at least 1. */
  revisionHistoryLimit?: number;
  patchPodMetadata?: SidecarSetPatchPodMetadata[];
}

export interface SidecarSetStatus {
  observedGeneration?: number;
  matchedPods: number;
  updatedPods: number;
  readyPods: number;
  updatedReadyPods?: number;
  latestRevision?: string;
  collisionCount?: number;
}

export interface SidecarSet {
  apiVersion?: string;
  kind?: string;
  metadata?: V1ObjectMeta;
  spec?: SidecarSetSpec;
  status?: SidecarSetStatus;
}

// ---- Keys (values as in OpenKruise 1.8 pkg/control/sidecarcontrol) ----
/** SidecarSet and pod annotation: hash of the sidecar containers; on a pod, a JSON map per SidecarSet. */
export const ANNOTATION_SIDECARSET_HASH = 'kruise.io/sidecarset-hash';
/** The same hash with every image blanked: equal hashes mean only images changed. */
export const ANNOTATION_SIDECARSET_HASH_WITHOUT_IMAGE = 'kruise.io/sidecarset-hash-without-image';
/** Pod annotation: comma-separated sorted names of the SidecarSets injected into it. */
export const ANNOTATION_SIDECARSET_INJECTED_LIST = 'kruise.io/sidecarset-injected-list';
/** Pod annotation: per SidecarSet, the image IDs recorded before an in-place sidecar upgrade. */
export const ANNOTATION_SIDECARSET_INPLACE_STATE = 'kruise.io/sidecarset-inplace-update-state';
/** Pod annotation: JSON map sidecar name -> working hot-upgrade container (`<name>-1` or `<name>-2`). */
export const ANNOTATION_WORKING_HOT_CONTAINER = 'kruise.io/sidecarset-working-hotupgrade-container';
/** ControllerRevision label naming its SidecarSet. */
export const LABEL_SIDECARSET_NAME = 'kruise.io/sidecarset-name';
/** SidecarSet label copied onto its revisions; injectionStrategy.revision.customVersion names it. */
export const LABEL_SIDECARSET_CUSTOM_VERSION = 'apps.kruise.io/sidecarset-custom-version';
/** Pod condition: whether every SidecarSet of the pod can upgrade it in place. */
export const CONDITION_SIDECARSET_UPGRADABLE = 'SidecarSetUpgradable';
/** Env every injected container carries. */
export const ENV_IS_INJECTED = 'IS_INJECTED';
export const ENV_SIDECARSET_VERSION = 'SIDECARSET_VERSION';
export const ENV_SIDECARSET_VERSION_ALT = 'SIDECARSET_VERSION_ALT';
export const versionAnnotation = (container: string): string => `version.sidecarset.kruise.io/${container}`;
export const versionAltAnnotation = (container: string): string => `versionalt.sidecarset.kruise.io/${container}`;
/** Manager-namespace ConfigMap and key of the patchPodMetadata whitelist. */
export const KRUISE_CONFIGURATION = 'kruise-configuration';
export const PATCH_METADATA_WHITELIST_KEY = 'SidecarSet_PatchPodMetadata_WhiteList';

export const DEFAULT_SIDECARSET_MAX_UNAVAILABLE = 1;
