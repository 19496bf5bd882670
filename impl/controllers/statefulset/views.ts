// From Kubernetes objects to the planners' views, and from the plan back to objects: the pod and
// PVCs a slot gets. Pure: no I/O, the clock comes in as a parameter.
import type { V1LabelSelector, V1PersistentVolumeClaim, V1Pod, V1PodTemplateSpec, V1StorageClass } from '@kubernetes/client-node';
import type { StatefulSet, UnorderedUpdateStrategy } from '../../api/statefulset.ts';
import type { LabelSelector } from '../shared/label-selector.ts';
import type { UpdatePriorityStrategy } from '../shared/priority-sort.ts';
import { inPlaceProgress } from '../shared/inplace/progress.ts';
import { claimName, ordinalOf, parentOf, podName } from './ordinals.ts';
import type { ClaimView, LifecycleState, PodView, StatefulSetGates, StatefulSetSpecView, StorageClassExpansion } from './types.ts';
import {
  ANNOTATION_LIFECYCLE_TIMESTAMP,
  ASTS_API_VERSION,
  ASTS_KIND,
  CONDITION_INPLACE_UPDATE_READY,
  LABEL_LIFECYCLE_STATE,
  LABEL_POD_INDEX,
  LABEL_POD_NAME,
  LABEL_REVISION,
  LABEL_SPECIFIED_DELETE,
} from './types.ts';

/** The Advanced StatefulSet (apps.kruise.io/v1beta1 StatefulSet) from the API package. */
export type AdvancedStatefulSet = StatefulSet;

/** The API's priority strategy as the shared sorter reads it (an unknown operator makes a term invalid there). */
function unorderedView(u: UnorderedUpdateStrategy): { priorityStrategy?: UpdatePriorityStrategy } {
  const ps = u.priorityStrategy;
  if (!ps) return {};
  return {
    priorityStrategy: {
      ...(ps.weightPriority && { weightPriority: ps.weightPriority.map((t) => ({ weight: t.weight, matchSelector: t.matchSelector as LabelSelector })) }),
      ...(ps.orderPriority && { orderPriority: ps.orderPriority }),
    },
  };
}

const oneOf = <T extends string>(v: string | undefined, allowed: readonly T[], fallback: T): T => (allowed.includes(v as T) ? (v as T) : fallback);

/** The spec as the planners read it; defaults the webhook would have set are filled in again. */
export function specView(set: AdvancedStatefulSet): StatefulSetSpecView {
  const s = set.spec ?? {};
  const type = oneOf(s.updateStrategy?.type, ['RollingUpdate', 'OnDelete'] as const, 'RollingUpdate');
  const ru = s.updateStrategy?.rollingUpdate;
  const policy = s.persistentVolumeClaimRetentionPolicy;
  return {
    replicas: s.replicas ?? 1,
    podManagementPolicy: oneOf(s.podManagementPolicy, ['OrderedReady', 'Parallel'] as const, 'OrderedReady'),
    updateStrategyType: type,
    ...(type === 'RollingUpdate' && {
      rollingUpdate: {
        partition: ru?.partition ?? 0,
        maxUnavailable: ru?.maxUnavailable ?? 1,
        podUpdatePolicy: oneOf(ru?.podUpdatePolicy, ['ReCreate', 'InPlaceIfPossible', 'InPlaceOnly'] as const, 'ReCreate'),
        paused: ru?.paused ?? false,
        ...(ru?.unorderedUpdate && { unorderedUpdate: unorderedView(ru.unorderedUpdate) }),
        ...(ru?.inPlaceUpdateStrategy?.gracePeriodSeconds !== undefined && { gracePeriodSeconds: ru.inPlaceUpdateStrategy.gracePeriodSeconds }),
        minReadySeconds: ru?.minReadySeconds ?? 0,
      },
    }),
    ...(s.reserveOrdinals && { reserveOrdinals: s.reserveOrdinals }),
    ...(s.ordinals?.start !== undefined && { ordinalsStart: s.ordinals.start }),
    ...(s.scaleStrategy?.maxUnavailable !== undefined && { scaleMaxUnavailable: s.scaleStrategy.maxUnavailable }),
    ...(s.lifecycle && { lifecycle: s.lifecycle }),
    volumeClaimTemplates: (s.volumeClaimTemplates ?? []).map((t) => ({
      name: t.metadata?.name ?? '',
      ...(t.spec?.storageClassName !== undefined && { storageClassName: t.spec.storageClassName }),
      accessModes: t.spec?.accessModes ?? [],
      ...(t.spec?.resources?.requests?.storage !== undefined && { requestStorage: String(t.spec.resources.requests.storage) }),
    })),
    ...(s.volumeClaimUpdateStrategy?.type !== undefined && {
      volumeClaimUpdateStrategy: oneOf(s.volumeClaimUpdateStrategy.type, ['OnPodRollingUpdate', 'OnDelete'] as const, 'OnDelete'),
    }),
    ...(policy && {
      retentionPolicy: {
        ...(policy.whenDeleted !== undefined && { whenDeleted: policy.whenDeleted === 'Delete' ? 'Delete' : 'Retain' }),
        ...(policy.whenScaled !== undefined && { whenScaled: policy.whenScaled === 'Delete' ? 'Delete' : 'Retain' }),
      },
    }),
  };
}

/** metav1.FormatLabelSelector: "a=b,c in (d,e),!f". Empty selector: "". */
export function selectorString(selector: V1LabelSelector | undefined): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(selector?.matchLabels ?? {}).sort(([a], [b]) => a.localeCompare(b))) parts.push(`${k}=${v}`);
  for (const r of selector?.matchExpressions ?? []) {
    const values = [...(r.values ?? [])].sort().join(',');
    if (r.operator === 'In') parts.push(`${r.key} in (${values})`);
    else if (r.operator === 'NotIn') parts.push(`${r.key} notin (${values})`);
    else if (r.operator === 'Exists') parts.push(r.key);
    else if (r.operator === 'DoesNotExist') parts.push(`!${r.key}`);
  }
  return parts.join(',');
}

const LIFECYCLE_STATES: readonly LifecycleState[] = ['PreparingNormal', 'Normal', 'PreparingUpdate', 'Updating', 'Updated', 'PreparingDelete'];
const time = (t: Date | string | undefined): number | undefined => (t === undefined ? undefined : new Date(t).getTime());

/** The pod is a member of the set and controlled by it. */
export function isOwnedPod(pod: V1Pod, set: AdvancedStatefulSet): boolean {
  const ref = pod.metadata?.ownerReferences?.find((r) => r.controller);
  return ref !== undefined && ref.uid === set.metadata?.uid && parentOf(pod.metadata?.name ?? '') === set.metadata?.name;
}

export function podView(pod: V1Pod, set: AdvancedStatefulSet, verticalScaling: boolean): PodView {
  const name = pod.metadata?.name ?? '';
  const ordinal = ordinalOf(name);
  const labels = pod.metadata?.labels ?? {};
  const readyCond = pod.status?.conditions?.find((c) => c.type === 'Ready');
  const ipuCond = pod.status?.conditions?.find((c) => c.type === CONDITION_INPLACE_UPDATE_READY);
  const state = labels[LABEL_LIFECYCLE_STATE] as LifecycleState | undefined;
  const inPlace = inPlaceProgress(pod, verticalScaling);
  const volumes = new Map((pod.spec?.volumes ?? []).map((v) => [v.name, v]));
  const storageMatches = ordinal >= 0 && (set.spec?.volumeClaimTemplates ?? []).every((t) => volumes.get(t.metadata?.name ?? '')?.persistentVolumeClaim?.claimName === claimName(t.metadata?.name ?? '', set.metadata?.name ?? '', ordinal));
  const readySince = time(readyCond?.lastTransitionTime);
  return {
    name,
    ordinal,
    ...(pod.metadata?.uid !== undefined && { uid: pod.metadata.uid }),
    revision: labels[LABEL_REVISION] ?? '',
    phase: (pod.status?.phase as PodView['phase'] | undefined) ?? '',
    ready: readyCond?.status === 'True',
    ...(readySince !== undefined && { readySince }),
    terminating: pod.metadata?.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null,
    ...(state !== undefined && LIFECYCLE_STATES.includes(state) && { lifecycleState: state }),
    labels,
    ...(pod.metadata?.finalizers && { finalizers: pod.metadata.finalizers }),
    ...(Object.hasOwn(labels, LABEL_SPECIFIED_DELETE) && { specifiedDelete: true }),
    identityMatches: ordinal >= 0 && parentOf(name) === set.metadata?.name && pod.metadata?.namespace === set.metadata?.namespace && labels[LABEL_POD_NAME] === name,
    storageMatches,
    hasInPlaceReadinessGate: (pod.spec?.readinessGates ?? []).some((g) => g.conditionType === CONDITION_INPLACE_UPDATE_READY),
    ...(ipuCond !== undefined && { inPlaceUpdateReady: ipuCond.status === 'True' }),
    ...(inPlace !== undefined && { inPlace }),
  };
}

export function claimView(pvc: V1PersistentVolumeClaim): ClaimView {
  const capacity = pvc.status?.capacity?.storage;
  const request = pvc.spec?.resources?.requests?.storage;
  return {
    name: pvc.metadata?.name ?? '',
    ...(pvc.spec?.storageClassName !== undefined && pvc.spec.storageClassName !== null && { storageClassName: pvc.spec.storageClassName }),
    accessModes: pvc.spec?.accessModes ?? [],
    ...(request !== undefined && { requestStorage: String(request) }),
    ...(capacity !== undefined && { capacityStorage: String(capacity) }),
    ...((pvc.status?.conditions ?? []).some((c) => c.type === 'FileSystemResizePending' && c.status === 'True') && { fileSystemResizePending: true }),
    ...(pvc.metadata?.deletionTimestamp !== undefined && pvc.metadata.deletionTimestamp !== null && { terminating: true }),
    ownerReferences: (pvc.metadata?.ownerReferences ?? []).map((r) => ({ apiVersion: r.apiVersion, kind: r.kind, name: r.name, uid: r.uid })),
  };
}

export function storageClassExpansion(classes: readonly V1StorageClass[]): StorageClassExpansion {
  return new Map(classes.map((c) => [c.metadata?.name ?? '', c.allowVolumeExpansion ?? null]));
}

export function rfc3339(now: number): string {
  return new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function controllerRef(set: AdvancedStatefulSet): { apiVersion: string; kind: string; name: string; uid: string; controller: true; blockOwnerDeletion: true } {
  return { apiVersion: ASTS_API_VERSION, kind: ASTS_KIND, name: set.metadata?.name ?? '', uid: set.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true };
}

/** The claim volumes of a pod: one per template, then the pod's own volumes of other names (updateStorage). */
export function podVolumes(set: AdvancedStatefulSet, ordinal: number, existing: NonNullable<V1Pod['spec']>['volumes']): NonNullable<V1Pod['spec']>['volumes'] {
  const templates = set.spec?.volumeClaimTemplates ?? [];
  const names = new Set(templates.map((t) => t.metadata?.name ?? ''));
  const claimVolumes = templates.map((t) => ({
    name: t.metadata?.name ?? '',
    persistentVolumeClaim: { claimName: claimName(t.metadata?.name ?? '', set.metadata?.name ?? '', ordinal), readOnly: false },
  }));
  return [...claimVolumes, ...(existing ?? []).filter((v) => !names.has(v.name))];
}

export interface NewPodOptions {
  readonly ordinal: number;
  readonly revision: string;
  readonly lifecycleState: 'Normal' | 'PreparingNormal';
  readonly now: number;
  /** Gate PodIndexLabel (beta, on). */
  readonly podIndexLabel: boolean;
}

/** newVersionedStatefulSetPod: the pod of one slot from a revision's template. */
export function buildPod(set: AdvancedStatefulSet, template: V1PodTemplateSpec, o: NewPodOptions): V1Pod {
  const name = podName(set.metadata?.name ?? '', o.ordinal);
  const spec = structuredClone(template.spec ?? { containers: [] });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: set.metadata?.namespace,
      labels: {
        ...(template.metadata?.labels ?? {}),
        [LABEL_POD_NAME]: name,
        ...(o.podIndexLabel && { [LABEL_POD_INDEX]: String(o.ordinal) }),
        [LABEL_REVISION]: o.revision,
        [LABEL_LIFECYCLE_STATE]: o.lifecycleState,
      },
      annotations: { ...(template.metadata?.annotations ?? {}), [ANNOTATION_LIFECYCLE_TIMESTAMP]: rfc3339(o.now) },
      ...(template.metadata?.finalizers && { finalizers: [...template.metadata.finalizers] }),
      ownerReferences: [controllerRef(set)],
    },
    spec: {
      ...spec,
      hostname: name,
      ...(set.spec?.serviceName && { subdomain: set.spec.serviceName }),
      volumes: podVolumes(set, o.ordinal, spec.volumes),
    },
  };
}

/** getPersistentVolumeClaims: a claim of one slot; its labels are replaced by selector.matchLabels. */
export function buildClaim(set: AdvancedStatefulSet, template: V1PersistentVolumeClaim, ordinal: number): V1PersistentVolumeClaim {
  const matchLabels = set.spec?.selector?.matchLabels;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: claimName(template.metadata?.name ?? '', set.metadata?.name ?? '', ordinal),
      namespace: set.metadata?.namespace,
      ...(matchLabels && { labels: { ...matchLabels } }),
      ...(template.metadata?.annotations && { annotations: { ...template.metadata.annotations } }),
    },
    spec: structuredClone(template.spec ?? {}),
  };
}

/** The identity labels (updateIdentity) a pod must carry. */
export function identityLabels(name: string, ordinal: number, podIndexLabel: boolean): Record<string, string> {
  return { [LABEL_POD_NAME]: name, ...(podIndexLabel && { [LABEL_POD_INDEX]: String(ordinal) }) };
}

/** Gates as the planners need them, from a name -> enabled lookup. */
export function gatesFrom(enabled: (name: string) => boolean): StatefulSetGates {
  return {
    startOrdinal: enabled('StatefulSetStartOrdinal'),
    autoResizePVC: enabled('StatefulSetAutoResizePVCGate'),
    autoDeletePVC: enabled('StatefulSetAutoDeletePVC'),
    verticalScaling: enabled('InPlaceWorkloadVerticalScaling'),
  };
}
