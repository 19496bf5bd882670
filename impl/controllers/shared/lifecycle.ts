/**
 * Pod lifecycle hooks shared by CloneSet and Advanced StatefulSet (spec §1.2): the hook types, the
 * "hooked" tests, and the KruisePodReady bookkeeping a hook with markPodNotReady does (OpenKruise's
 * pkg/util/podreadiness: a JSON list of {userAgent, key} in the condition's message).
 */
import type { V1Pod, V1PodCondition } from '@kubernetes/client-node';
import { CONDITION_KRUISE_POD_READY } from '../../api/constants.ts';
import type { Labels } from './label-selector.ts';

/** Values of the `lifecycle.apps.kruise.io/state` label. */
export type LifecycleState = 'PreparingNormal' | 'Normal' | 'PreparingUpdate' | 'Updating' | 'Updated' | 'PreparingDelete';

/** A lifecycle hook: the pod is "hooked" while it carries these labels / finalizers. */
export interface LifecycleHook {
  readonly labelsHandler?: Labels;
  readonly finalizersHandler?: readonly string[];
  readonly markPodNotReady?: boolean;
}

export interface Lifecycle {
  readonly preDelete?: LifecycleHook;
  readonly inPlaceUpdate?: LifecycleHook;
  readonly preNormal?: LifecycleHook;
}

/** What the hook tests read of a pod. */
export interface HookFacts {
  readonly labels: Labels;
  readonly finalizers?: readonly string[];
}

// A missing label reads as "", so a handler label with value "" matches a pod without it (as in Go).
const labelIs = (pod: HookFacts, key: string, value: string): boolean => (pod.labels[key] ?? '') === value;

/** IsPodHooked: ANY of the hook's finalizers is present, or ANY of its labels has its value. */
export function isPodHooked(hook: LifecycleHook | undefined, pod: HookFacts): boolean {
  if (!hook) return false;
  if ((hook.finalizersHandler ?? []).some((f) => (pod.finalizers ?? []).includes(f))) return true;
  return Object.entries(hook.labelsHandler ?? {}).some(([k, v]) => labelIs(pod, k, v));
}

/** IsPodAllHooked: ALL finalizers present and ALL labels matching; false for an unset hook. */
export function isPodAllHooked(hook: LifecycleHook | undefined, pod: HookFacts): boolean {
  if (!hook) return false;
  if (!(hook.finalizersHandler ?? []).every((f) => (pod.finalizers ?? []).includes(f))) return false;
  return Object.entries(hook.labelsHandler ?? {}).every(([k, v]) => labelIs(pod, k, v));
}

/**
 * Set a pod condition: undefined when it already has that status, reason and message; the
 * transition time is kept while the status does not change (the pod's own order is kept).
 */
export function withPodCondition(pod: V1Pod, cond: V1PodCondition): V1Pod | undefined {
  const conditions = pod.status?.conditions ?? [];
  const existing = conditions.find((c) => c.type === cond.type);
  if (existing && existing.status === cond.status && (existing.reason ?? '') === (cond.reason ?? '') && (existing.message ?? '') === (cond.message ?? '')) return undefined;
  const merged: V1PodCondition = {
    ...cond,
    ...(existing && existing.status === cond.status && existing.lastTransitionTime !== undefined && { lastTransitionTime: existing.lastTransitionTime }),
  };
  const next = structuredClone(pod);
  next.status = { ...next.status, conditions: existing ? conditions.map((c) => (c.type === cond.type ? merged : c)) : [...conditions, merged] };
  return next;
}

interface NotReadyKey {
  userAgent: string;
  key: string;
}

/** The KruisePodReady key a lifecycle state adds (Preparing*) or removes (Updated); none otherwise. */
export function notReadyKeyFor(state: string): { key: 'preDeleteHook' | 'preUpdateHook'; add: boolean } | undefined {
  if (state === 'PreparingDelete') return { key: 'preDeleteHook', add: true };
  if (state === 'PreparingUpdate') return { key: 'preUpdateHook', add: true };
  if (state === 'Updated') return { key: 'preUpdateHook', add: false };
  return undefined;
}

/**
 * executePodNotReadyPolicy on one pod: add or remove the Lifecycle key in KruisePodReady's message
 * (sorted by userAgent then key), False while any key is left and then Ready False too, True once
 * none is. undefined when the pod has no KruisePodReady gate or nothing changes.
 */
export function withLifecycleNotReadyKey(pod: V1Pod, state: string, now: Date): V1Pod | undefined {
  const policy = notReadyKeyFor(state);
  if (!policy) return undefined;
  if (!(pod.spec?.readinessGates ?? []).some((g) => g.conditionType === CONDITION_KRUISE_POD_READY)) return undefined;
  const cond = pod.status?.conditions?.find((c) => c.type === CONDITION_KRUISE_POD_READY);
  let keys: NotReadyKey[] = [];
  try {
    const parsed: unknown = cond?.message ? JSON.parse(cond.message) : [];
    keys = Array.isArray(parsed) ? (parsed as NotReadyKey[]) : [];
  } catch {
    keys = [];
  }
  const mine = (k: NotReadyKey) => k.userAgent === 'Lifecycle' && k.key === policy.key;
  if (policy.add === keys.some(mine)) return undefined;
  keys = policy.add ? [...keys, { userAgent: 'Lifecycle', key: policy.key }] : keys.filter((k) => !mine(k));
  keys.sort((a, b) => (a.userAgent === b.userAgent ? (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) : a.userAgent < b.userAgent ? -1 : 1));
  const ready = keys.length === 0;
  let next = withPodCondition(pod, { type: CONDITION_KRUISE_POD_READY, status: ready ? 'True' : 'False', message: ready ? '' : JSON.stringify(keys), lastTransitionTime: now }) ?? pod;
  if (!ready) next = withPodCondition(next, { type: 'Ready', status: 'False', reason: 'ReadinessGatesNotReady', lastTransitionTime: now }) ?? next;
  return next;
}
