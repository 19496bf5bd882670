/**
 * Builders, pod helpers and recorders shared by the Advanced StatefulSet suites (spec §3).
 * Everything goes through the API; pods are made healthy or unhealthy through a readiness gate
 * the test owns (HEALTH_GATE), whose condition the test sets on pods/status.
 */
import {
  PatchStrategy,
  setHeaderOptions,
  type V1Container,
  type V1PersistentVolumeClaim,
  type V1Pod,
  type V1ResourceRequirements,
  Watch,
} from '@kubernetes/client-node';
import { expect } from 'vitest';
import { isPodReady } from '../../harness/kube/invariants.ts';
import { WaitTimeoutError } from '../../harness/kube/wait.ts';
import { ASTS, type Obj, POD, PVC, createObject, getObject, httpCode, waitForAll, waitForOne } from '../lib/api.ts';
import { kube, timeouts } from '../lib/context.ts';
import type { AdvancedStatefulSet, StatefulSetSpec } from '../lib/kinds.ts';
import { IMAGE_V1, activePods, container, imageOf, podsOf, renderPods, renderStatus, waitForStatefulSet } from '../lib/workloads.ts';

/** A readiness gate no controller knows: pods carrying it are Ready only when the test says so. */
export const HEALTH_GATE = 'kruise-conformance.io/healthy';
export const INPLACE_READY = 'InPlaceUpdateReady';
export const SPECIFIED_DELETE = 'apps.kruise.io/specified-delete';
export const REVISION_LABEL = 'controller-revision-hash';
export const INPLACE_STATE = 'apps.kruise.io/inplace-update-state';

const strategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

// ---- builders ----

export interface SetOptions extends Partial<StatefulSetSpec> {
  image?: string;
  /** Readiness gates of the pod template (HEALTH_GATE, INPLACE_READY). */
  gates?: string[];
  /** Volume claim templates; each is mounted into the main container at /<name>. */
  claims?: V1PersistentVolumeClaim[];
  resources?: V1ResourceRequirements;
  env?: V1Container['env'];
  templateLabels?: Record<string, string>;
}

/** An Advanced StatefulSet body: 3 replicas, selector app=<name>, one container `main`. */
export function asts(name: string, opts: SetOptions = {}): Record<string, unknown> {
  const { image, gates, claims, resources, env, templateLabels, ...spec } = opts;
  const main = container({
    image: image ?? IMAGE_V1,
    ...(resources ? { resources } : {}),
    ...(env ? { env } : {}),
    ...(claims?.length ? { volumeMounts: claims.map((c) => ({ name: c.metadata!.name!, mountPath: `/${c.metadata!.name!}` })) } : {}),
  });
  return {
    metadata: { name },
    spec: {
      replicas: 3,
      serviceName: name,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, ...templateLabels } },
        spec: { containers: [main], ...(gates?.length ? { readinessGates: gates.map((conditionType) => ({ conditionType })) } : {}) },
      },
      ...(claims?.length ? { volumeClaimTemplates: claims } : {}),
      ...spec,
    },
  };
}

export function claim(name: string, size = '1Gi', storageClassName?: string): V1PersistentVolumeClaim {
  return { metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size } }, ...(storageClassName ? { storageClassName } : {}) } };
}

export type RollingUpdate = NonNullable<NonNullable<StatefulSetSpec['updateStrategy']>['rollingUpdate']>;

export function rolling(rollingUpdate: RollingUpdate = {}): StatefulSetSpec['updateStrategy'] {
  return { type: 'RollingUpdate', rollingUpdate };
}

export function inPlace(rollingUpdate: RollingUpdate = {}): StatefulSetSpec['updateStrategy'] {
  return rolling({ podUpdatePolicy: 'InPlaceIfPossible', ...rollingUpdate });
}

export async function createSet(ns: string, body: Record<string, unknown>): Promise<AdvancedStatefulSet> {
  return createObject<AdvancedStatefulSet>(ASTS, ns, body);
}

/**
 * Read-modify-write of the whole object (PUT), retried on conflicts. Merge patches replace
 * lists wholesale on custom resources, so edits of containers or claim templates go here.
 */
export async function updateSet(ns: string, name: string, mutate: (s: AdvancedStatefulSet) => void, opts: { dryRun?: boolean } = {}): Promise<AdvancedStatefulSet> {
  const { custom } = kube();
  const dryRun = opts.dryRun ? 'All' : undefined;
  for (let attempt = 0; ; attempt++) {
    const current = await getObject<AdvancedStatefulSet>(ASTS, ns, name);
    mutate(current);
    try {
      return (await custom.replaceNamespacedCustomObject({ group: ASTS.group, version: ASTS.version, namespace: ns, plural: ASTS.plural, name, body: current, dryRun })) as AdvancedStatefulSet;
    } catch (err) {
      if (httpCode(err) === 409 && attempt < 5) continue;
      throw err;
    }
  }
}

export function mainContainer(s: AdvancedStatefulSet): V1Container {
  return s.spec.template.spec!.containers[0]!;
}

export function setStorage(s: AdvancedStatefulSet, vct: string, size: string): void {
  const t = s.spec.volumeClaimTemplates?.find((c) => c.metadata?.name === vct);
  if (!t) throw new Error(`volume claim template ${vct} not in ${s.metadata.name}`);
  t.spec!.resources = { ...t.spec!.resources, requests: { ...t.spec!.resources?.requests, storage: size } };
}

export function partitionOf(s: AdvancedStatefulSet, partition: number): void {
  s.spec.updateStrategy = { ...s.spec.updateStrategy, rollingUpdate: { ...s.spec.updateStrategy?.rollingUpdate, partition } };
}

// ---- status ----

/** Every pod Ready, available and at the update revision, and the rollout marked complete. */
export function settled(replicas: number): (s: AdvancedStatefulSet) => boolean {
  return (s) =>
    s.spec.replicas === replicas &&
    s.status?.replicas === replicas &&
    s.status.readyReplicas === replicas &&
    s.status.availableReplicas === replicas &&
    s.status.updatedReplicas === replicas &&
    s.status.updatedReadyReplicas === replicas &&
    !!s.status.updateRevision &&
    s.status.currentRevision === s.status.updateRevision;
}

export function waitSettled(ns: string, name: string, replicas: number, describe = `${replicas} pods Ready at the update revision`, timeoutMs = timeouts().rolloutComplete): Promise<AdvancedStatefulSet> {
  return waitForStatefulSet(ns, name, settled(replicas), describe, timeoutMs);
}

export const showSet = (s: AdvancedStatefulSet | undefined): string => (s ? renderStatus(s) : '(no StatefulSet)');

export interface StatusGuard {
  /** Resolves once the watch has seen the current status, so later changes cannot be missed. */
  watching: Promise<void>;
  /** Stops watching; fails the test with the status timeline if any status broke the rule. */
  stop(): Promise<void>;
}

/**
 * Watches every status of a StatefulSet from now until stop() and fails at the first one for which
 * `broken` returns a reason. Checking only the state a test waits for misses a breach that is
 * later undone (a revision that flips and flips back).
 */
export function guardStatus(ns: string, name: string, rule: string, broken: (s: AdvancedStatefulSet) => string | undefined): StatusGuard {
  const seen: string[] = [];
  const started = performance.now();
  const abort = new AbortController();
  let breach: string | undefined;
  let seenFirst!: () => void;
  const first = new Promise<void>((r) => (seenFirst = r));
  const watching = waitForOne<AdvancedStatefulSet>(
    ASTS,
    ns,
    name,
    (s) => {
      seenFirst();
      if (!s?.status) return false;
      const st = s.status;
      seen.push(
        `+${String(Math.round(performance.now() - started)).padStart(6)} ms  gen ${s.metadata?.generation}/${st.observedGeneration} replicas ${st.replicas} ready ${st.readyReplicas} current ${st.currentReplicas} updated ${st.updatedReplicas} currentRevision ${st.currentRevision} updateRevision ${st.updateRevision}`,
      );
      breach = broken(s);
      return breach !== undefined;
    },
    { timeoutMs: 30 * 60_000, describe: `every status of StatefulSet ${ns}/${name}: ${rule}`, signal: abort.signal },
  ).then(
    () => undefined,
    (err: unknown) => (abort.signal.aborted ? undefined : err),
  );
  return {
    watching: Promise.race([first, watching.then((err) => (err ? Promise.reject(err) : undefined))]),
    async stop() {
      abort.abort();
      const err = await watching;
      if (breach !== undefined) expect.fail(`${rule}: broken by a status (${breach}); every status since the guard started:\n${seen.join('\n')}`);
      if (err) throw err;
    },
  };
}

// ---- pods ----

export function ordinalOf(pod: V1Pod): number {
  const m = /-(\d+)$/.exec(pod.metadata?.name ?? '');
  return m ? Number(m[1]) : Number.NaN;
}

export function byOrdinal(pods: V1Pod[]): V1Pod[] {
  return [...pods].sort((a, b) => ordinalOf(a) - ordinalOf(b));
}

export const namesOf = (pods: V1Pod[]): string[] => byOrdinal(pods).map((p) => p.metadata!.name!);

/** Active pods of a set, by ordinal. */
export async function setPods(ns: string, name: string): Promise<V1Pod[]> {
  const list = await kube().core.listNamespacedPod({ namespace: ns, labelSelector: podsOf(name) });
  return byOrdinal(activePods(list.items));
}

export function conditionOf(pod: V1Pod | undefined, type: string): string | undefined {
  return pod?.status?.conditions?.find((c) => c.type === type)?.status;
}

export const revisionOf = (pod: V1Pod): string | undefined => pod.metadata?.labels?.[REVISION_LABEL];
export const restartsOf = (pod: V1Pod): number | undefined => pod.status?.containerStatuses?.find((c) => c.name === 'main')?.restartCount;

/** Set a pod condition through pods/status (strategic merge: conditions merge by type). */
export async function setPodCondition(ns: string, pod: string, type: string, status: 'True' | 'False'): Promise<void> {
  await kube().core.patchNamespacedPodStatus({ name: pod, namespace: ns, body: { status: { conditions: [{ type, status }] } } }, strategic);
}

/** JSON merge patch of a pod's status subresource. */
export async function patchPodStatus(ns: string, pod: string, status: Record<string, unknown>): Promise<void> {
  await kube().core.patchNamespacedPodStatus({ name: pod, namespace: ns, body: { status } }, merge);
}

/** One line per pod, for assertion messages. */
export const showPods = (pods: readonly V1Pod[]): string => renderPods(pods as unknown as Obj[]);

/** JSON merge patch of a pod (null removes a key). */
export async function patchPod(ns: string, pod: string, body: Record<string, unknown>): Promise<void> {
  await kube().core.patchNamespacedPod({ name: pod, namespace: ns, body }, merge);
}

export async function labelPod(ns: string, pod: string, labels: Record<string, string | null>): Promise<void> {
  await patchPod(ns, pod, { metadata: { labels } });
}

export async function deletePod(ns: string, pod: string): Promise<void> {
  await kube().core.deleteNamespacedPod({ name: pod, namespace: ns });
}

/** Active pods of a set whose names are exactly `names` and which all satisfy `each`. */
export function waitForPodNames(ns: string, set: string, names: string[], each: (p: V1Pod) => boolean, describe: string, timeoutMs = timeouts().rolloutComplete): Promise<V1Pod[]> {
  const want = [...names].sort().join(',');
  return waitForAll<V1Pod & Obj>(
    POD,
    ns,
    podsOf(set),
    (items) => {
      const active = activePods(items);
      return active.map((p) => p.metadata!.name!).sort().join(',') === want && active.every(each);
    },
    { timeoutMs, describe: `pods of ${set} exactly [${names.join(', ')}]: ${describe}`, namespace: ns, render: renderPods },
  ).then((items) => byOrdinal(activePods(items)));
}

/**
 * Show that something does NOT happen: `wait` must time out (it waits for the unwanted state
 * with the steadyState timeout). If the unwanted state shows up, fail with what was seen.
 */
export async function expectNothingFor<T>(wait: Promise<T>, what: string, render: (v: T) => string = (v) => JSON.stringify(v).slice(0, 2000)): Promise<void> {
  let reached: T;
  try {
    reached = await wait;
  } catch (err) {
    if (err instanceof WaitTimeoutError) return;
    throw err;
  }
  expect.fail(`${what}: it happened within the steady-state window; observed:\n${render(reached)}`);
}

// ---- PVCs ----

export function storageOf(pvc: V1PersistentVolumeClaim | undefined): { request?: string; capacity?: string } {
  return { request: pvc?.spec?.resources?.requests?.storage, capacity: pvc?.status?.capacity?.storage };
}

export function renderClaims(items: Obj[]): string {
  return (items as V1PersistentVolumeClaim[])
    .map((c) => {
      const owners = (c.metadata?.ownerReferences ?? []).map((o) => `${o.kind}/${o.name}`).join(',') || '-';
      return `  ${c.metadata?.name} uid=${c.metadata?.uid?.slice(0, 8)} class=${c.spec?.storageClassName} request=${c.spec?.resources?.requests?.storage} capacity=${c.status?.capacity?.storage ?? '-'} phase=${c.status?.phase}${c.metadata?.deletionTimestamp ? ' terminating' : ''} owners=${owners}`;
    })
    .join('\n');
}

/** Wait until the namespace's PVCs satisfy `predicate` (by name). */
export function waitForClaims(ns: string, predicate: (byName: Map<string, V1PersistentVolumeClaim>) => boolean, describe: string, timeoutMs = timeouts().pvcExpand): Promise<Map<string, V1PersistentVolumeClaim>> {
  return waitForAll<V1PersistentVolumeClaim & Obj>(PVC, ns, undefined, (items) => predicate(new Map(items.map((c) => [c.metadata.name!, c]))), {
    timeoutMs,
    describe: `PVCs: ${describe}`,
    namespace: ns,
    render: renderClaims,
  }).then((items) => new Map(items.map((c) => [c.metadata.name!, c])));
}

/** Quantities as the local substrate writes them ("1Gi", "2Gi", ...) compared as bytes. */
export function bytes(q: string | undefined): number {
  if (!q) return Number.NaN;
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(q);
  if (!m) return Number.NaN;
  const unit: Record<string, number> = { '': 1, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  return Number(m[1]) * unit[m[2] ?? '']!;
}

// ---- recorders ----

export interface PodEvent {
  atMs: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  name: string;
  uid: string;
  ready: boolean;
  terminating: boolean;
  revision?: string;
  image?: string;
  /** The other pods of the set at that moment (ours last seen), for ordering invariants. */
  others: { name: string; ready: boolean; terminating: boolean }[];
  pod: V1Pod;
}

export interface PodRecorder {
  readonly events: readonly PodEvent[];
  /** performance.now() when recording started: event times are relative to it. */
  readonly startedAt: number;
  /** Pods present when the recorder started, by name. */
  readonly initial: ReadonlyMap<string, V1Pod>;
  stop(): void;
  timeline(last?: number): string;
}

/** Follow a set's pods on a watch and keep every event with a snapshot of the others. */
export async function recordPods(ns: string, selector: string): Promise<PodRecorder> {
  const { kc, core } = kube();
  const t0 = performance.now();
  const pods = new Map<string, V1Pod>();
  const events: PodEvent[] = [];
  const list = await core.listNamespacedPod({ namespace: ns, labelSelector: selector });
  for (const p of list.items) pods.set(p.metadata!.uid!, p);
  const initial = new Map(list.items.map((p) => [p.metadata!.name!, p]));
  let stopped = false;
  let abort: AbortController | undefined;

  const onEvent = (type: string, pod: V1Pod) => {
    if (type !== 'ADDED' && type !== 'MODIFIED' && type !== 'DELETED') return;
    const uid = pod.metadata!.uid!;
    if (type === 'DELETED') pods.delete(uid);
    else pods.set(uid, pod);
    const others = [...pods.values()]
      .filter((p) => p.metadata!.uid !== uid)
      .map((p) => ({ name: p.metadata!.name!, ready: isPodReady(p), terminating: !!p.metadata?.deletionTimestamp }));
    events.push({
      atMs: Math.round(performance.now() - t0),
      type,
      name: pod.metadata!.name!,
      uid,
      ready: isPodReady(pod),
      terminating: !!pod.metadata?.deletionTimestamp,
      revision: revisionOf(pod),
      image: imageOf(pod),
      others,
      pod,
    });
  };
  const watchFrom = async (resourceVersion: string | undefined): Promise<void> => {
    abort = await new Watch(kc).watch(`/api/v1/namespaces/${ns}/pods`, { labelSelector: selector, resourceVersion, allowWatchBookmarks: true }, onEvent, () => {
      // The server closes watches from time to time; resume from a fresh list.
      if (stopped) return;
      core
        .listNamespacedPod({ namespace: ns, labelSelector: selector })
        .then((fresh) => {
          const seen = new Set(fresh.items.map((p) => p.metadata!.uid!));
          for (const [uid, p] of [...pods]) if (!seen.has(uid)) onEvent('DELETED', p);
          for (const p of fresh.items) onEvent(pods.has(p.metadata!.uid!) ? 'MODIFIED' : 'ADDED', p);
          return watchFrom(fresh.metadata?.resourceVersion);
        })
        .catch(() => {});
    });
  };
  await watchFrom(list.metadata?.resourceVersion);
  return {
    events,
    startedAt: t0,
    initial,
    stop() {
      stopped = true;
      abort?.abort();
    },
    timeline(last = 60) {
      return events
        .slice(-last)
        .map((e) => `  +${String(e.atMs).padStart(6)} ${e.type.padEnd(8)} ${e.name} uid=${e.uid.slice(0, 8)} ready=${e.ready}${e.terminating ? ' terminating' : ''} rev=${e.revision ?? '-'} image=${e.image}`)
        .join('\n');
    },
  };
}

/** Names in the order in which they first satisfied `reached` (after the recorder started). */
export function orderReached(rec: PodRecorder, reached: (e: PodEvent) => boolean): string[] {
  const out: string[] = [];
  for (const e of rec.events) if (e.type !== 'DELETED' && !e.terminating && reached(e) && !out.includes(e.name)) out.push(e.name);
  return out;
}

export interface Healer {
  /**
   * Keep this pod (by name) unhealthy: its gate condition is set False. With `nextOnly`, only
   * incarnations created after this call are held (the running one stays healthy).
   */
  hold(name: string, opts?: { nextOnly?: boolean }): void;
  /** Let the healer make this pod healthy again. */
  release(name: string): void;
  stop(): void;
}

/**
 * Answers HEALTH_GATE for a set's pods: every Running pod that carries the gate gets the
 * condition True, except held pods, which get False. Stands in for an application's health.
 */
export async function startHealer(ns: string, selector: string): Promise<Healer> {
  const { kc } = kube();
  /** name -> UID exempt from the hold ('' = none). */
  const held = new Map<string, string>();
  const latest = new Map<string, V1Pod>();
  const inFlight = new Set<string>();
  let stopped = false;
  let abort: AbortController | undefined;

  const tend = (pod: V1Pod) => {
    if (stopped || pod.metadata?.deletionTimestamp || pod.status?.phase !== 'Running') return;
    if (!pod.spec?.readinessGates?.some((g) => g.conditionType === HEALTH_GATE)) return;
    const name = pod.metadata!.name!;
    const want = held.has(name) && held.get(name) !== pod.metadata!.uid ? 'False' : 'True';
    if (conditionOf(pod, HEALTH_GATE) === want) return;
    const key = `${pod.metadata!.uid}/${want}`;
    if (inFlight.has(key)) return;
    inFlight.add(key);
    setPodCondition(ns, name, HEALTH_GATE, want)
      .catch(() => {}) // the pod may be gone already
      .finally(() => inFlight.delete(key));
  };
  const watchFrom = async (resourceVersion?: string): Promise<void> => {
    abort = await new Watch(kc).watch(
      `/api/v1/namespaces/${ns}/pods`,
      { labelSelector: selector, resourceVersion, allowWatchBookmarks: true },
      (type: string, pod: V1Pod) => {
        if (type === 'DELETED') latest.delete(pod.metadata!.name!);
        else if (type === 'ADDED' || type === 'MODIFIED') {
          latest.set(pod.metadata!.name!, pod);
          tend(pod);
        }
      },
      () => {
        if (!stopped) void watchFrom();
      },
    );
  };
  await watchFrom();
  return {
    hold(name, opts = {}) {
      held.set(name, opts.nextOnly ? (latest.get(name)?.metadata?.uid ?? '') : '');
      const p = latest.get(name);
      if (p) tend(p);
    },
    release(name) {
      held.delete(name);
      const p = latest.get(name);
      if (p) tend(p);
    },
    stop() {
      stopped = true;
      abort?.abort();
    },
  };
}
