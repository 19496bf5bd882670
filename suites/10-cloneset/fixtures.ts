/**
 * Shared steps of the CloneSet suites (spec digest §2): building CloneSets, reading their pods,
 * changing the template with JSON patches (so only the named field changes and in-place
 * eligibility is not blurred by defaulting), holding pods not-Ready with a readiness gate the
 * test owns, and showing that nothing happens for a while.
 */
import { PatchStrategy, setHeaderOptions, Watch, type V1Container, type V1Pod, type V1PodCondition, type V1ResourceRequirements } from '@kubernetes/client-node';
import { expect } from 'vitest';
import type { InvariantMonitor } from '../../harness/kube/invariants.ts';
import { isPodReady } from '../../harness/kube/invariants.ts';
import { WaitTimeoutError } from '../../harness/kube/wait.ts';
import { CLONESET, type Obj, POD, createObject, waitForAll } from '../lib/api.ts';
import { kube, timeouts } from '../lib/context.ts';
import type { CloneSet, CloneSetSpec } from '../lib/kinds.ts';
import { activePods, cloneSet, cloneSetSettled, container, podsOf, renderPods, waitForCloneSet } from '../lib/workloads.ts';

export const REVISION_LABEL = 'controller-revision-hash';
export const TEMPLATE_HASH_LABEL = 'pod-template-hash';
export const INSTANCE_ID_LABEL = 'apps.kruise.io/cloneset-instance-id';
export const LIFECYCLE_STATE_LABEL = 'lifecycle.apps.kruise.io/state';
export const SPECIFIED_DELETE_LABEL = 'apps.kruise.io/specified-delete';
export const INPLACE_STATE_ANNOTATION = 'apps.kruise.io/inplace-update-state';
export const DELETION_COST_ANNOTATION = 'controller.kubernetes.io/pod-deletion-cost';
export const INPLACE_READY = 'InPlaceUpdateReady';
export const KRUISE_POD_READY = 'KruisePodReady';
/** A readiness gate only the test sets: pods carrying it stay not-Ready until the test opens it. */
export const HOLD_GATE = 'kruise-conformance.io/hold';
/** The local substrate's per-pod start delay (clusters/local/stages/pod.yaml). */
export const START_DELAY_ANNOTATION = 'kruise-conformance.io/start-delay';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const strategicPatch = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
const jsonPatchHeader = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);

export interface CloneSetOptions extends Partial<CloneSetSpec> {
  image?: string;
  /** Extra template labels (the `app` label is always there). */
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  readinessGates?: string[];
  /** Overrides of the single container `main`. */
  main?: Partial<V1Container>;
  /** Labels on the CloneSet object itself. */
  objectLabels?: Record<string, string>;
}

/** A CloneSet named `name` selecting `app=<name>`, with one container `main`. */
export function cloneSetWith(name: string, opts: CloneSetOptions = {}): Record<string, unknown> {
  const { image, labels, annotations, readinessGates, main, objectLabels, ...spec } = opts;
  const base = cloneSet(name, spec) as { metadata: Record<string, unknown>; spec: Record<string, unknown> };
  const template = {
    metadata: { labels: { app: name, ...labels }, ...(annotations ? { annotations } : {}) },
    spec: {
      containers: [container({ ...(image ? { image } : {}), ...main })],
      ...(readinessGates ? { readinessGates: readinessGates.map((conditionType) => ({ conditionType })) } : {}),
    },
  };
  return { metadata: { ...base.metadata, ...(objectLabels ? { labels: objectLabels } : {}) }, spec: { ...base.spec, template: spec.template ?? template } };
}

export interface JsonPatchOp {
  op: 'add' | 'replace' | 'remove' | 'test';
  path: string;
  value?: unknown;
}

/** RFC 6902 patch of a CloneSet: changes exactly the fields named, nothing else. */
export async function jsonPatchCloneSet(namespace: string, name: string, ops: JsonPatchOp[], opts: { dryRun?: boolean } = {}): Promise<CloneSet> {
  const { custom } = kube();
  return (await custom.patchNamespacedCustomObject(
    { group: CLONESET.group, version: CLONESET.version, namespace, plural: CLONESET.plural, name, body: ops, dryRun: opts.dryRun ? 'All' : undefined },
    jsonPatchHeader,
  )) as CloneSet;
}

/** Replace the image of container `main` (index 0) and nothing else. */
export function setImage(namespace: string, name: string, image: string): Promise<CloneSet> {
  return jsonPatchCloneSet(namespace, name, [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: image }]);
}

export function setResources(namespace: string, name: string, resources: V1ResourceRequirements): Promise<CloneSet> {
  return jsonPatchCloneSet(namespace, name, [{ op: 'replace', path: '/spec/template/spec/containers/0/resources', value: resources }]);
}

/** Active (not terminating, not terminal) pods of the CloneSet `name`. */
export async function listPods(namespace: string, name: string): Promise<V1Pod[]> {
  const list = await kube().core.listNamespacedPod({ namespace, labelSelector: podsOf(name) });
  return activePods(list.items);
}

export function patchPod(namespace: string, name: string, patch: Record<string, unknown>): Promise<V1Pod> {
  return kube().core.patchNamespacedPod({ namespace, name, body: patch }, mergePatch);
}

/** Set the test-owned readiness gate condition of a pod (True lets it become Ready). */
export async function setHoldGate(namespace: string, podName: string, status: 'True' | 'False' = 'True'): Promise<void> {
  await kube().core.patchNamespacedPodStatus(
    { namespace, name: podName, body: { status: { conditions: [{ type: HOLD_GATE, status, lastTransitionTime: new Date().toISOString() }] } } },
    strategicPatch,
  );
}

export async function openHoldGates(namespace: string, pods: readonly V1Pod[]): Promise<void> {
  for (const p of pods) if (!holdGateOpen(p)) await setHoldGate(namespace, p.metadata!.name!);
}

export function holdGateOpen(pod: V1Pod): boolean {
  return conditionOf(pod, HOLD_GATE)?.status === 'True';
}

export function conditionOf(pod: V1Pod | undefined, type: string): V1PodCondition | undefined {
  return pod?.status?.conditions?.find((c) => c.type === type);
}

export function mainStatus(pod: V1Pod | undefined) {
  return pod?.status?.containerStatuses?.find((c) => c.name === 'main');
}

export function revisionOf(pod: V1Pod): string | undefined {
  return pod.metadata?.labels?.[REVISION_LABEL];
}

/** The short hash of a revision name: the text after its last '-' (spec §2.5, §13). */
export function hashSuffix(revision: string): string {
  return revision.slice(revision.lastIndexOf('-') + 1);
}

export const uidsOf = (pods: readonly V1Pod[]) => new Set(pods.map((p) => p.metadata!.uid!));
export const namesOf = (pods: readonly V1Pod[]) => pods.map((p) => p.metadata!.name!).sort();

/** Wait on a watch until the CloneSet's pods (all of them, terminating included) satisfy `predicate`. */
export function waitPods(namespace: string, name: string, predicate: (pods: V1Pod[]) => boolean, describe: string, timeoutMs = timeouts().rolloutProgress): Promise<V1Pod[]> {
  return waitForAll<V1Pod & Obj>(POD, namespace, podsOf(name), (items) => predicate(items), { timeoutMs, describe: `pods of ${namespace}/${name}: ${describe}`, namespace, render: renderPods });
}

/** `count` active pods and none terminating, each satisfying `each`. */
export function settledPods(count: number, each: (p: V1Pod) => boolean = () => true): (pods: V1Pod[]) => boolean {
  return (pods) => pods.length === count && activePods(pods).length === count && pods.every(each);
}

/** Split of active pods by whether they are at `revision`, and how many of each are Ready. */
export function split(pods: readonly V1Pod[], revision: string | undefined): { old: number; updated: number; oldReady: number; updatedReady: number; terminating: number } {
  const active = activePods([...pods]);
  const isNew = (p: V1Pod) => revisionOf(p) === revision;
  return {
    old: active.filter((p) => !isNew(p)).length,
    updated: active.filter(isNew).length,
    oldReady: active.filter((p) => !isNew(p) && isPodReady(p)).length,
    updatedReady: active.filter((p) => isNew(p) && isPodReady(p)).length,
    terminating: pods.length - active.length,
  };
}

/**
 * Show that a state lasts: watch the CloneSet's pods for `timeouts().steadyState` and fail as soon
 * as `holds` stops being true. This is the "nothing else happens" observation; a plain sleep would
 * miss a change that came and went.
 */
export async function expectPodsHold(namespace: string, name: string, holds: (pods: V1Pod[]) => boolean, describe: string, ms = timeouts().steadyState): Promise<void> {
  let broken: V1Pod[] | undefined;
  try {
    broken = await waitForAll<V1Pod & Obj>(POD, namespace, podsOf(name), (items) => !holds(items), { timeoutMs: ms, describe });
  } catch (err) {
    if (err instanceof WaitTimeoutError) return;
    throw err;
  }
  expect.fail(`${describe}: expected this to hold for ${ms} ms, but it broke; pods:\n${describePods(broken)}`);
}

/** The same for the CloneSet object itself (status or spec). */
export async function expectCloneSetHolds(namespace: string, name: string, holds: (cs: CloneSet) => boolean, describe: string, ms = timeouts().steadyState): Promise<void> {
  let broken: CloneSet[] | undefined;
  try {
    broken = await waitForAll<CloneSet>(CLONESET, namespace, undefined, (items) => items.some((o) => o.metadata.name === name && !holds(o)), { timeoutMs: ms, describe });
  } catch (err) {
    if (err instanceof WaitTimeoutError) return;
    throw err;
  }
  const cs = broken.find((o) => o.metadata.name === name);
  expect.fail(`${describe}: expected this to hold for ${ms} ms, but it broke; CloneSet:\n${JSON.stringify({ generation: cs?.metadata.generation, spec: cs?.spec, status: cs?.status }, null, 2)}`);
}

/** Run `step` while the monitor watches; the first breach fails the test at once. */
export function watched<T>(monitor: InvariantMonitor, step: Promise<T>): Promise<T> {
  return Promise.race([step, monitor.breached]);
}

/** Pod names with their state: for assertion messages. */
export function describePods(pods: readonly V1Pod[]): string {
  return renderPods(pods as (V1Pod & Obj)[]);
}

// -- rollouts held by the test's readiness gate -----------------------------------------------

const podsKey = (pods: readonly V1Pod[]) =>
  pods
    .map((p) => `${p.metadata?.uid}:${isPodReady(p)}:${!!p.metadata?.deletionTimestamp}:${revisionOf(p)}`)
    .sort()
    .join(',');

/**
 * Wait until the CloneSet's pods stop changing (same pods, readiness, revisions, nothing
 * terminating appears or goes) for `quietMs`, and return them. This is how a test learns where a
 * controller stops when the next step needs pods it keeps not-Ready.
 */
export async function waitQuiet(namespace: string, name: string, describe: string, totalMs = timeouts().rolloutComplete, quietMs = timeouts().steadyState): Promise<V1Pod[]> {
  const deadline = performance.now() + totalMs;
  for (;;) {
    const pods = (await kube().core.listNamespacedPod({ namespace, labelSelector: podsOf(name) })).items;
    const key = podsKey(pods);
    let changed: V1Pod[];
    try {
      changed = await waitForAll<V1Pod & Obj>(POD, namespace, podsOf(name), (items) => podsKey(items) !== key, { timeoutMs: quietMs, describe });
    } catch (err) {
      if (err instanceof WaitTimeoutError) return pods;
      throw err;
    }
    if (performance.now() > deadline) expect.fail(`${describe}: the pods never stayed unchanged for ${quietMs} ms within ${totalMs} ms; last seen:\n${describePods(changed)}`);
  }
}

export type Split = ReturnType<typeof split>;

/** Create a CloneSet whose pods carry HOLD_GATE, open the gate of its first pods and wait until settled. */
export async function createHeld(namespace: string, name: string, opts: CloneSetOptions & { replicas: number }): Promise<CloneSet> {
  await createObject(CLONESET, namespace, cloneSetWith(name, { ...opts, readinessGates: [...(opts.readinessGates ?? []), HOLD_GATE] }));
  const pods = await waitPods(namespace, name, settledPods(opts.replicas, (p) => p.status?.phase === 'Running'), `${opts.replicas} Running pods`, timeouts().podsReady);
  await openHoldGates(namespace, pods);
  return waitForCloneSet(namespace, name, cloneSetSettled(opts.replicas), `${opts.replicas} pods Ready`, timeouts().podsReady);
}

/**
 * Drive a rollout whose new pods stay not-Ready until the test opens their gate: wait until the
 * controller stops, record the split of old/updated pods, open the gates of the pods it created,
 * and repeat until every pod is updated and Ready. Returns the split at every stop, the last one
 * being the settled end state; so a test asserts the batch sizes exactly.
 */
export async function driveHeldRollout(namespace: string, name: string, replicas: number, updateRevision: string): Promise<Split[]> {
  const stops: Split[] = [];
  for (let round = 0; round <= replicas + 1; round++) {
    const pods = await waitQuiet(namespace, name, `pods of ${namespace}/${name} to stop changing (stop ${round + 1})`);
    const s = split(pods, updateRevision);
    stops.push(s);
    if (s.old === 0 && s.updated === replicas && s.updatedReady === replicas && s.terminating === 0) return stops;
    const held = activePods(pods).filter((p) => !holdGateOpen(p));
    if (held.length === 0) expect.fail(`the rollout stopped with no pod held by the test gate; stops so far ${JSON.stringify(stops)}; pods:\n${describePods(pods)}`);
    await openHoldGates(namespace, held);
  }
  return expect.fail(`the rollout did not finish within ${replicas + 2} stops: ${JSON.stringify(stops)}`);
}

/** The part of a stop a batch assertion compares. */
export const batchView = (s: Split) => ({ old: s.old, updated: s.updated, updatedReady: s.updatedReady });

// -- recording every version of the pods ------------------------------------------------------

export interface PodRecord {
  atMs: number;
  phase: string;
  pod: V1Pod;
}

export interface PodRecorder {
  readonly records: readonly PodRecord[];
  /** Every recorded version of the pod with this UID, oldest first. */
  of(uid: string): PodRecord[];
  stop(): void;
}

/**
 * Record every version of the CloneSet's pods from now on (list, then watch from that list), so a
 * test can check transitions that come and go, e.g. InPlaceUpdateReady False during an update.
 */
export async function recordPods(namespace: string, name: string): Promise<PodRecorder> {
  const { kc, core } = kube();
  const records: PodRecord[] = [];
  const list = await core.listNamespacedPod({ namespace, labelSelector: podsOf(name) });
  for (const pod of list.items) records.push({ atMs: Date.now(), phase: 'LISTED', pod });
  const abort = await new Watch(kc).watch(
    `/api/v1/namespaces/${namespace}/pods`,
    { labelSelector: podsOf(name), resourceVersion: list.metadata?.resourceVersion, allowWatchBookmarks: true },
    (phase: string, pod: V1Pod) => {
      if (phase !== 'BOOKMARK') records.push({ atMs: Date.now(), phase, pod });
    },
    () => {},
  );
  return {
    records,
    of: (uid) => records.filter((r) => r.pod.metadata?.uid === uid),
    stop: () => abort.abort(),
  };
}
