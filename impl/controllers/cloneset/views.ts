// From Kubernetes objects to the planners' views, and from plans back to objects: the pod and PVCs
// an instance gets (spec §2.5). Pure: no I/O; clocks and random ids come in as parameters.
import { randomInt } from 'node:crypto';
import type { V1LabelSelector, V1OwnerReference, V1PersistentVolumeClaim, V1Pod, V1PodReadinessGate, V1PodTemplateSpec, V1Volume } from '@kubernetes/client-node';
import type { CloneSet } from '../../api/cloneset.ts';
import {
  ANNOTATION_LIFECYCLE_TIMESTAMP,
  ANNOTATION_POD_DELETION_COST,
  CONDITION_INPLACE_UPDATE_READY,
  CONDITION_KRUISE_POD_READY,
  LABEL_CLONESET_INSTANCE_ID,
  LABEL_CLONESET_SCALING_EXCLUDE_PREPARING_DELETE,
  LABEL_CONTROLLER_REVISION_HASH,
  LABEL_LIFECYCLE_STATE,
  LABEL_POD_TEMPLATE_HASH,
  LABEL_SPECIFIED_DELETE,
  LIFECYCLE_STATES,
} from '../../api/constants.ts';
import { CLONESET, CLONESET_API_VERSION } from '../../api/group.ts';
import type { LabelSelector, Labels } from '../shared/label-selector.ts';
import type { UpdatePriorityStrategy } from '../shared/priority-sort.ts';
import { SAFE_ALPHABET } from './history.ts';
import { rfc3339 } from '../shared/inplace/state.ts';
import { inPlaceView } from './inplace.ts';
import { shortHash } from './revision.ts';
import type { CloneSetFlags, CloneSetSpecView, LifecycleState, PodPhase, PodView } from './types.ts';

/** Feature gates the CloneSet controller reads, by their OpenKruise names. */
export interface CloneSetGates {
  readonly CloneSetShortHash: boolean;
  readonly CloneSetPartitionRollback: boolean;
  readonly PreparingUpdateAsUpdate: boolean;
  readonly InPlaceWorkloadVerticalScaling: boolean;
  readonly RecreatePodWhenChangeVCTInCloneSetGate: boolean;
}

export const GATE_NAMES: readonly (keyof CloneSetGates)[] = [
  'CloneSetShortHash',
  'CloneSetPartitionRollback',
  'PreparingUpdateAsUpdate',
  'InPlaceWorkloadVerticalScaling',
  'RecreatePodWhenChangeVCTInCloneSetGate',
];

export function gatesFrom(enabled: (name: keyof CloneSetGates) => boolean): CloneSetGates {
  return Object.fromEntries(GATE_NAMES.map((n) => [n, enabled(n)])) as unknown as CloneSetGates;
}

export const NO_GATES: CloneSetGates = gatesFrom(() => false);

/** The planners' flags: gates plus the CloneSet's own scaling-exclude-preparing-delete label. */
export function flagsFor(cs: CloneSet, gates: CloneSetGates, excludePreparingDelete = false): CloneSetFlags {
  return {
    partitionRollback: gates.CloneSetPartitionRollback,
    preparingUpdateAsUpdate: gates.PreparingUpdateAsUpdate,
    scalingExcludePreparingDelete: excludePreparingDelete || cs.metadata?.labels?.[LABEL_CLONESET_SCALING_EXCLUDE_PREPARING_DELETE] === 'true',
  };
}

function priorityView(ps: NonNullable<CloneSet['spec']['updateStrategy']>['priorityStrategy']): UpdatePriorityStrategy | undefined {
  if (!ps) return undefined;
  return {
    ...(ps.weightPriority && { weightPriority: ps.weightPriority.map((t) => ({ weight: t.weight, matchSelector: t.matchSelector as LabelSelector })) }),
    ...(ps.orderPriority && { orderPriority: ps.orderPriority }),
  };
}

const UPDATE_TYPES = ['ReCreate', 'InPlaceIfPossible', 'InPlaceOnly'] as const;

/** The spec as the planners read it; what the defaulting webhook would fill in is filled in again. */
export function specView(cs: CloneSet): CloneSetSpecView {
  const s = cs.spec;
  const us = s.updateStrategy ?? {};
  const priority = priorityView(us.priorityStrategy);
  const keys = (s.template?.spec?.topologySpreadConstraints ?? []).map((c) => c.topologyKey);
  return {
    replicas: s.replicas ?? 1,
    ...(s.minReadySeconds !== undefined && { minReadySeconds: s.minReadySeconds }),
    updateStrategy: {
      type: UPDATE_TYPES.includes(us.type as (typeof UPDATE_TYPES)[number]) ? us.type : 'ReCreate',
      ...(us.partition !== undefined && { partition: us.partition }),
      ...(us.maxUnavailable !== undefined && { maxUnavailable: us.maxUnavailable }),
      ...(us.maxSurge !== undefined && { maxSurge: us.maxSurge }),
      ...(us.paused !== undefined && { paused: us.paused }),
      ...(priority && { priorityStrategy: priority }),
      ...(us.scatterStrategy && { scatterStrategy: us.scatterStrategy }),
    },
    scaleStrategy: {
      ...(s.scaleStrategy?.podsToDelete && { podsToDelete: s.scaleStrategy.podsToDelete }),
      ...(s.scaleStrategy?.maxUnavailable !== undefined && { maxUnavailable: s.scaleStrategy.maxUnavailable }),
    },
    ...(s.lifecycle && { lifecycle: s.lifecycle }),
    ...(keys.length > 0 && { topologySpreadKeys: keys }),
  };
}

/**
 * metav1.FormatLabelSelector: requirements sorted by key ("app=web,tier in (a,b),!x"); "<none>"
 * never appears because CloneSet selectors are non-empty.
 */
export function selectorString(selector: V1LabelSelector | undefined): string {
  const reqs: { key: string; text: string }[] = [];
  for (const [k, v] of Object.entries(selector?.matchLabels ?? {})) reqs.push({ key: k, text: `${k}=${v}` });
  for (const r of selector?.matchExpressions ?? []) {
    const values = [...(r.values ?? [])].sort().join(',');
    const text = r.operator === 'In' ? `${r.key} in (${values})` : r.operator === 'NotIn' ? `${r.key} notin (${values})` : r.operator === 'Exists' ? r.key : `!${r.key}`;
    reqs.push({ key: r.key, text });
  }
  return reqs
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((r) => r.text)
    .join(',');
}

export function controllerRef(cs: CloneSet): V1OwnerReference {
  return { apiVersion: CLONESET_API_VERSION, kind: CLONESET.kind, name: cs.metadata?.name ?? '', uid: cs.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true };
}

/** The object's controller ownerReference points at this CloneSet. */
export function isControlledBy(obj: { metadata?: { ownerReferences?: V1OwnerReference[] } }, cs: CloneSet): boolean {
  const ref = obj.metadata?.ownerReferences?.find((r) => r.controller);
  return ref !== undefined && ref.uid === cs.metadata?.uid;
}

/** Not terminal and not being deleted (controller.IsPodActive). */
export function isActivePod(pod: V1Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata?.deletionTimestamp;
}

const time = (t: Date | string | undefined): number | undefined => {
  if (t === undefined || t === null) return undefined;
  const ms = new Date(t).getTime();
  return Number.isNaN(ms) ? undefined : ms;
};

const PHASES: readonly PodPhase[] = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'];

export function podView(pod: V1Pod): PodView {
  const labels: Labels = pod.metadata?.labels ?? {};
  const conditions = pod.status?.conditions ?? [];
  const readyCond = conditions.find((c) => c.type === 'Ready');
  const ipu = conditions.find((c) => c.type === CONDITION_INPLACE_UPDATE_READY);
  const state = labels[LABEL_LIFECYCLE_STATE] as LifecycleState | undefined;
  const readySince = time(readyCond?.lastTransitionTime);
  const creationTime = time(pod.metadata?.creationTimestamp);
  const restarts = (pod.status?.containerStatuses ?? []).map((s) => s.restartCount ?? 0);
  const inPlace = inPlaceView(pod);
  const cost = pod.metadata?.annotations?.[ANNOTATION_POD_DELETION_COST];
  const phase = pod.status?.phase as PodPhase | undefined;
  return {
    name: pod.metadata?.name ?? '',
    instanceId: labels[LABEL_CLONESET_INSTANCE_ID] ?? '',
    revision: labels[LABEL_CONTROLLER_REVISION_HASH] ?? '',
    labels,
    phase: phase !== undefined && PHASES.includes(phase) ? phase : 'Pending',
    ready: readyCond?.status === 'True',
    ...(readySince !== undefined && { readySince }),
    ...(creationTime !== undefined && { creationTime }),
    ...(restarts.length > 0 && { restartCount: Math.max(...restarts) }),
    ...(pod.spec?.nodeName && { nodeName: pod.spec.nodeName }),
    ...(pod.metadata?.finalizers && { finalizers: pod.metadata.finalizers }),
    ...(state !== undefined && (LIFECYCLE_STATES as readonly string[]).includes(state) && { lifecycleState: state }),
    ...(Object.hasOwn(labels, LABEL_SPECIFIED_DELETE) && { specifiedDelete: true }),
    ...(ipu !== undefined && { inPlaceUpdateReady: ipu.status === 'True' }),
    ...(cost !== undefined && { deletionCost: cost }),
    ...(inPlace !== undefined && { inPlaceUpdate: inPlace }),
    ...(pod.metadata?.deletionTimestamp && { terminating: true }),
  };
}

// ---- New objects ----

/** A fresh instance id: 5 characters of k8s rand.String's alphabet, not in `taken`. */
export function randomInstanceId(taken: ReadonlySet<string>, random: (n: number) => number = randomInt): string {
  for (;;) {
    let id = '';
    for (let i = 0; i < 5; i++) id += SAFE_ALPHABET[random(SAFE_ALPHABET.length)];
    if (!taken.has(id)) return id;
  }
}

export const podName = (cs: string, id: string): string => `${cs}-${id}`;
export const claimName = (vct: string, cs: string, id: string): string => `${vct}-${cs}-${id}`;

const READINESS_GATES = [CONDITION_INPLACE_UPDATE_READY, CONDITION_KRUISE_POD_READY];

export interface NewPodOptions {
  readonly instanceId: string;
  /** Full revision name. */
  readonly revision: string;
  /** The revision's template. */
  readonly template: V1PodTemplateSpec;
  readonly shortHash: boolean;
  readonly now: number;
}

/** newVersionedPods: the pod of one instance at one revision, in lifecycle state PreparingNormal. */
export function buildPod(cs: CloneSet, o: NewPodOptions): V1Pod {
  const csName = cs.metadata?.name ?? '';
  const template = structuredClone(o.template);
  const spec = template.spec ?? { containers: [] };
  const gates: V1PodReadinessGate[] = [...(spec.readinessGates ?? [])];
  for (const g of READINESS_GATES) if (!gates.some((x) => x.conditionType === g)) gates.push({ conditionType: g });
  spec.readinessGates = gates;
  spec.volumes = podVolumes(cs, o.instanceId, spec.volumes);
  if (spec.volumes.length === 0) delete spec.volumes;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: podName(csName, o.instanceId),
      namespace: cs.metadata?.namespace,
      labels: {
        ...(template.metadata?.labels ?? {}),
        [LABEL_CLONESET_INSTANCE_ID]: o.instanceId,
        [LABEL_CONTROLLER_REVISION_HASH]: o.shortHash ? shortHash(o.revision) : o.revision,
        [LABEL_POD_TEMPLATE_HASH]: shortHash(o.revision),
        [LABEL_LIFECYCLE_STATE]: 'PreparingNormal',
      },
      annotations: { ...(template.metadata?.annotations ?? {}), [ANNOTATION_LIFECYCLE_TIMESTAMP]: rfc3339(o.now) },
      ...(template.metadata?.finalizers && { finalizers: template.metadata.finalizers }),
      ownerReferences: [controllerRef(cs)],
    },
    spec,
  };
}

/** UpdateStorage: one PVC volume per template, replacing a template volume of the same name. */
export function podVolumes(cs: CloneSet, instanceId: string, volumes: readonly V1Volume[] | undefined): V1Volume[] {
  const csName = cs.metadata?.name ?? '';
  const vcts = (cs.spec.volumeClaimTemplates ?? []).map((t) => t.metadata?.name ?? '');
  const kept = (volumes ?? []).filter((v) => !vcts.includes(v.name));
  return [...kept, ...vcts.map((name) => ({ name, persistentVolumeClaim: { claimName: claimName(name, csName, instanceId) } }))];
}

/** The instance's PVCs: template labels + selector matchLabels + instance id, owned by the CloneSet. */
export function buildClaims(cs: CloneSet, instanceId: string): V1PersistentVolumeClaim[] {
  const csName = cs.metadata?.name ?? '';
  return (cs.spec.volumeClaimTemplates ?? []).map((t) => {
    const c = structuredClone(t);
    return {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        name: claimName(t.metadata?.name ?? '', csName, instanceId),
        namespace: cs.metadata?.namespace,
        labels: { ...(c.metadata?.labels ?? {}), ...(cs.spec.selector?.matchLabels ?? {}), [LABEL_CLONESET_INSTANCE_ID]: instanceId },
        ...(c.metadata?.annotations && { annotations: c.metadata.annotations }),
        ownerReferences: [controllerRef(cs)],
      },
      spec: c.spec ?? {},
    };
  });
}

/** The instance id of a PVC (its label). */
export const claimInstanceId = (pvc: V1PersistentVolumeClaim): string => pvc.metadata?.labels?.[LABEL_CLONESET_INSTANCE_ID] ?? '';
