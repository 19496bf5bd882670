/**
 * Shared arrangements of the SidecarSet suites (spec §5). SidecarSets are cluster-scoped: every one
 * a suite creates is confined to the test namespace (spec.namespace, or a namespaceSelector on a
 * label only that namespace carries), selects pods by a label value unique to the test, and is
 * deleted after the file's tests, so files can run in parallel and nothing leaks.
 */
import { PatchStrategy, setHeaderOptions, type V1Container, type V1ControllerRevision, type V1Pod, type V1PodCondition } from '@kubernetes/client-node';
import { afterAll, afterEach, expect } from 'vitest';
import { type Bounds, type InvariantMonitor, isPodReady, startInvariantMonitor } from '../../harness/kube/invariants.ts';
import { CLONESET, CONTROLLER_REVISION, type Obj, POD, SIDECARSET, createObject, deleteObject, waitForAll, waitForOne } from '../lib/api.ts';
import { kube, runEnv, timeouts } from '../lib/context.ts';
import { IMAGE_V1, cloneSet, podsOf } from '../lib/workloads.ts';

export const HASH_ANNOTATION = 'kruise.io/sidecarset-hash';
export const HASH_WITHOUT_IMAGE_ANNOTATION = 'kruise.io/sidecarset-hash-without-image';
export const INJECTED_LIST = 'kruise.io/sidecarset-injected-list';
export const WORKING_HOT_CONTAINER = 'kruise.io/sidecarset-working-hotupgrade-container';
/** Label of a SidecarSet (copied onto its revisions) that injectionStrategy.revision.customVersion names. */
export const CUSTOM_VERSION_LABEL = 'apps.kruise.io/sidecarset-custom-version';
/** Label that ties a ControllerRevision to its SidecarSet. */
export const REVISION_OWNER_LABEL = 'kruise.io/sidecarset-name';
export const UPGRADABLE_CONDITION = 'SidecarSetUpgradable';

export interface SidecarSetStatus {
  observedGeneration?: number;
  matchedPods?: number;
  updatedPods?: number;
  readyPods?: number;
  updatedReadyPods?: number;
  latestRevision?: string;
  collisionCount?: number;
}

export interface SidecarSetObj extends Obj {
  spec?: Record<string, unknown>;
  status?: SidecarSetStatus;
}

/** One entry of the pod's kruise.io/sidecarset-hash (or -without-image) annotation. */
export interface PodHashEntry {
  hash?: string;
  sidecarSetName?: string;
  sidecarList?: string[];
  controllerRevision?: string;
}

/**
 * The namespace the manager keeps SidecarSet revisions and its configuration in: the install's
 * namespace when the run names one, else OpenKruise's default (POD_NAMESPACE unset → kruise-system;
 * pkg/util/meta.go GetKruiseNamespace).
 */
export function managerNamespace(): string {
  return runEnv().implementation.install?.namespace ?? 'kruise-system';
}

const created: string[] = [];
afterAll(async () => {
  for (const name of created.splice(0)) await deleteObject(SIDECARSET, undefined, name);
});

/** Remember a SidecarSet for deletion after the file's tests. */
export function track(name: string): string {
  created.push(name);
  return name;
}

export function sidecarSet(name: string, namespace: string, app: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    metadata: { name },
    spec: {
      namespace,
      selector: { matchLabels: { app } },
      containers: [{ name: 'sidecar', image: IMAGE_V1, volumeMounts: [{ name: 'shared', mountPath: '/shared' }] }],
      volumes: [{ name: 'shared', emptyDir: {} }],
      ...extra,
    },
  };
}

export function bareOrOwnedPod(name: string, app: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app } },
    spec: { containers: [{ name: 'main', image: IMAGE_V1 }], ...extra },
  };
}

function renderSidecarSets(items: Obj[]): string {
  return (items as SidecarSetObj[]).map((s) => `${s.metadata.name} generation=${s.metadata.generation} status=${JSON.stringify(s.status)}`).join('\n');
}

/** Wait until the SidecarSet's status reflects its latest generation and satisfies `predicate`. */
export async function waitForSidecarSet(name: string, predicate: (s: SidecarSetObj) => boolean, describe: string, timeoutMs = timeouts().rolloutComplete): Promise<SidecarSetObj> {
  const s = await waitForOne<SidecarSetObj>(SIDECARSET, undefined, name, (o) => !!o && o.status?.observedGeneration === o.metadata.generation && predicate(o), {
    timeoutMs,
    describe: `SidecarSet ${name}: ${describe}`,
    render: renderSidecarSets,
  });
  return s!;
}

/** The controller (and with it the pod webhook's cache) has seen the latest generation. */
export function observed(name: string): Promise<SidecarSetObj> {
  return waitForSidecarSet(name, () => true, 'latest generation observed', timeouts().statusSync);
}

/** Create a SidecarSet, track it for deletion, and wait until it is observed. */
export async function createSidecarSet(body: Record<string, unknown>): Promise<SidecarSetObj> {
  const name = (body.metadata as { name: string }).name;
  await createObject(SIDECARSET, undefined, body);
  track(name);
  return observed(name);
}

export interface Counts {
  matched: number;
  updated: number;
  ready: number;
  updatedReady: number;
}

/** Exactly these status counts. */
export function counts(c: Counts): (s: SidecarSetObj) => boolean {
  return (s) => s.status?.matchedPods === c.matched && (s.status.updatedPods ?? 0) === c.updated && (s.status.readyPods ?? 0) === c.ready && (s.status.updatedReadyPods ?? 0) === c.updatedReady;
}

export function statusCounts(s: SidecarSetObj): Counts {
  return { matched: s.status?.matchedPods ?? 0, updated: s.status?.updatedPods ?? 0, ready: s.status?.readyPods ?? 0, updatedReady: s.status?.updatedReadyPods ?? 0 };
}

export function containerOf(pod: V1Pod, name: string): V1Container | undefined {
  return pod.spec?.containers.find((c) => c.name === name);
}

/**
 * A container's env as name → value. A name defined twice fails the test: the pod would carry both
 * values (the kubelet uses the last), so "the sidecar's own value wins" means the other is absent.
 */
export function envOf(pod: V1Pod, name: string): Record<string, string | undefined> {
  const env = containerOf(pod, name)?.env ?? [];
  const names = env.map((e) => e.name);
  const twice = [...new Set(names.filter((n, i) => names.indexOf(n) !== i))];
  expect(twice, `env names defined more than once in container ${name} of pod ${pod.metadata?.name}: ${JSON.stringify(env)}`).toEqual([]);
  return Object.fromEntries(env.map((e) => [e.name, e.value]));
}

export function imageIn(pod: V1Pod, name = 'sidecar'): string | undefined {
  return containerOf(pod, name)?.image;
}

export function podHashEntry(pod: V1Pod, sidecarSetName: string, key = HASH_ANNOTATION): PodHashEntry | undefined {
  const raw = pod.metadata?.annotations?.[key];
  if (!raw) return undefined;
  return (JSON.parse(raw) as Record<string, PodHashEntry>)[sidecarSetName];
}

export function upgradableCondition(pod: V1Pod): V1PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === UPGRADABLE_CONDITION);
}

/** One line per pod with every container's spec image: what SidecarSet failures need to show. */
export function renderSidecarPods(items: readonly (Obj | V1Pod)[]): string {
  return (items as V1Pod[])
    .map((p) => {
      const ready = p.status?.conditions?.find((c) => c.type === 'Ready')?.status;
      const cond = upgradableCondition(p);
      const containers = p.spec?.containers.map((c) => `${c.name}=${c.image}`).join(' ');
      return `  ${p.metadata?.name} uid=${p.metadata?.uid?.slice(0, 8)} ready=${ready} ${containers} upgradable=${cond ? `${cond.status}/${cond.reason}` : '-'}${p.metadata?.deletionTimestamp ? ' terminating' : ''}`;
    })
    .join('\n');
}

/** Pods matching `selector` in `namespace`: exactly `count` of them, each satisfying `each`. */
export async function waitForSidecarPods(namespace: string, selector: string, count: number, each: (p: V1Pod) => boolean, describe: string, timeoutMs = timeouts().rolloutComplete): Promise<V1Pod[]> {
  const active = (p: V1Pod) => !p.metadata?.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';
  return (await waitForAll<V1Pod & Obj>(POD, namespace, selector, (items) => items.length === count && items.every((p) => active(p) && each(p)), {
    timeoutMs,
    describe,
    namespace,
    render: renderSidecarPods,
  })) as V1Pod[];
}

export async function patchPod(namespace: string, name: string, patch: Record<string, unknown>): Promise<V1Pod> {
  return kube().core.patchNamespacedPod({ namespace, name, body: patch }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
}

/**
 * An image no kubelet can pull. A real kubelet keeps such a container waiting (never ready); the
 * local substrate's simulated kubelet restarts any container whose image changes and reports it
 * ready after the pod's start delay, so pods that are about to receive this image are first told
 * (holdRestartsNotReady) to keep restarted containers not ready. On a real kubelet that annotation
 * is inert and the pull failure does the same.
 */
export const NEVER_READY_IMAGE = 'registry.invalid/kruise-conformance/never-ready:v1';
const START_DELAY_ANNOTATION = 'kruise-conformance.io/start-delay';

export async function holdRestartsNotReady(namespace: string, pods: V1Pod[]): Promise<void> {
  for (const p of pods) await patchPod(namespace, p.metadata!.name!, { metadata: { annotations: { [START_DELAY_ANNOTATION]: '30m' } } });
}

/**
 * Roll a good image over pods held by holdRestartsNotReady: apply `change`, wait until every pod's
 * spec has the good image (`hasGoodImage`), and only then lift the hold, so the restarted
 * containers turn ready. Lifting it before would let the simulated kubelet, which re-reads the
 * delay when the annotation changes, report the never-ready container ready, which a real
 * kubelet never does.
 */
export async function replaceHeldImage(namespace: string, labelSelector: string, pods: V1Pod[], change: () => Promise<unknown>, hasGoodImage: (p: V1Pod) => boolean): Promise<void> {
  await change();
  await waitForSidecarPods(namespace, labelSelector, pods.length, hasGoodImage, 'the next image in every pod spec, before the hold is lifted');
  for (const p of pods) await patchPod(namespace, p.metadata!.name!, { metadata: { annotations: { [START_DELAY_ANNOTATION]: null } } });
}

/** The SidecarSet's ControllerRevisions, in the manager namespace. */
export async function revisionsOf(name: string): Promise<V1ControllerRevision[]> {
  const list = await kube().apps.listNamespacedControllerRevision({ namespace: managerNamespace(), labelSelector: `${REVISION_OWNER_LABEL}=${name}` });
  return list.items.sort((a, b) => a.revision - b.revision);
}

export function renderRevisions(items: Obj[]): string {
  return (items as V1ControllerRevision[])
    .sort((a, b) => a.revision - b.revision)
    .map((r) => `  ${r.metadata?.name} revision=${r.revision} labels=${JSON.stringify(r.metadata?.labels)} data=${JSON.stringify(r.data).slice(0, 300)}`)
    .join('\n');
}

/** Wait on the SidecarSet's revisions (sorted by .revision) until `predicate` holds. */
export async function waitForRevisions(name: string, predicate: (revs: V1ControllerRevision[]) => boolean, describe: string, timeoutMs = timeouts().statusSync): Promise<V1ControllerRevision[]> {
  const items = await waitForAll<V1ControllerRevision & Obj>(
    CONTROLLER_REVISION,
    managerNamespace(),
    `${REVISION_OWNER_LABEL}=${name}`,
    (revs) => predicate([...revs].sort((a, b) => a.revision - b.revision)),
    { timeoutMs, describe: `revisions of SidecarSet ${name} in ${managerNamespace()}: ${describe}`, render: renderRevisions },
  );
  return ([...items] as V1ControllerRevision[]).sort((a, b) => a.revision - b.revision);
}

/** The spec part a ControllerRevision records. */
export function revisionSpec(r: V1ControllerRevision): Record<string, unknown> {
  return ((r.data as { spec?: Record<string, unknown> } | undefined)?.spec ?? {}) as Record<string, unknown>;
}

/**
 * Repeat `attempt` until `ok` accepts its result. Only for decisions a webhook takes from its
 * informer cache of objects other than the SidecarSet (a namespace's labels, a ConfigMap): no watch
 * can show when that cache has caught up, so the decision itself is retried, briefly, until the
 * deadline. The last result is returned either way for the caller to assert on.
 */
export async function retryWebhookDecision<T>(attempt: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = timeouts().admission): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const result = await attempt();
    if (ok(result) || performance.now() > deadline) return result;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Show that nothing breaks `bounds` for the steady-state window: the monitor watches the pods and
 * fails at the first breach. This is how "no pod is touched" is asserted (a wait that must not be
 * satisfied), not a sleep to reach a state.
 */
export async function holdsSteady(namespace: string, labelSelector: string, bounds: Bounds, isUpdated: (p: V1Pod) => boolean): Promise<void> {
  const monitor = await startInvariantMonitor(kube().kc, { namespace, labelSelector, bounds, isUpdated });
  try {
    await Promise.race([monitor.breached, new Promise((r) => setTimeout(r, timeouts().steadyState))]);
  } finally {
    await monitor.stop();
  }
}

/** The SidecarSet → upgradable map kept in the SidecarSetUpgradable condition's message. */
export function upgradableBySidecarSet(pod: V1Pod): Record<string, boolean> {
  const message = upgradableCondition(pod)?.message;
  return message ? (JSON.parse(message) as Record<string, boolean>) : {};
}

/** Run `step` while `monitor` watches: the first breach fails the step at once. */
export function watched<T>(monitor: InvariantMonitor, step: Promise<T>): Promise<T> {
  return Promise.race([step, monitor.breached]);
}

const monitors: InvariantMonitor[] = [];
afterEach(async () => {
  for (const m of monitors.splice(0)) await m.stop().catch(() => {});
});

/** Start an invariant monitor on the pods of `labelSelector`; stopped after the test at the latest. */
export async function monitorPods(namespace: string, labelSelector: string, bounds: Bounds, isUpdated: (p: V1Pod) => boolean): Promise<InvariantMonitor> {
  const m = await startInvariantMonitor(kube().kc, { namespace, labelSelector, bounds, isUpdated });
  monitors.push(m);
  return m;
}

/**
 * A SidecarSet `<namespace>-<app>` with one sidecar at IMAGE_V1 (plus `extra` spec) and a CloneSet
 * `app` of `replicas` pods, returned once every pod is Ready with the sidecar and the SidecarSet
 * counts them all as matched, updated and ready.
 */
export async function arrangeSidecarRollout(namespace: string, app: string, replicas: number, extra: Record<string, unknown> = {}): Promise<{ name: string; pods: V1Pod[] }> {
  const name = `${namespace}-${app}`;
  await createSidecarSet(sidecarSet(name, namespace, app, { containers: [{ name: 'sidecar', image: IMAGE_V1 }], volumes: [], ...extra }));
  await createObject(CLONESET, namespace, cloneSet(app, { replicas }));
  const pods = await waitForSidecarPods(namespace, podsOf(app), replicas, (p) => isPodReady(p) && imageIn(p) === IMAGE_V1, `${replicas} Ready pods with the sidecar`, timeouts().podsReady);
  await waitForSidecarSet(name, counts({ matched: replicas, updated: replicas, ready: replicas, updatedReady: replicas }), 'all pods matched, updated and ready');
  return { name, pods };
}
