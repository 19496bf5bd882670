/**
 * Shared steps of the Advanced DaemonSet suites (apps.kruise.io/v1alpha1 DaemonSet): building
 * DaemonSets, finding the nodes that should run them, reading their pods node by node, watching a
 * rollout with per-node bounds, holding pods not-Ready with a readiness gate the test owns, and
 * labelling nodes with test-owned labels (removed again by the test file).
 *
 * Which nodes are eligible is read from the cluster, not assumed: Ready nodes without a
 * NoSchedule / NoExecute taint (the templates carry no tolerations) whose labels match the
 * template's nodeSelector. On the local provider that is its 6 simulated nodes.
 */
import { PatchStrategy, setHeaderOptions, type V1Container, type V1Node, type V1Pod } from '@kubernetes/client-node';
import { expect } from 'vitest';
import { type InvariantMonitor, isPodReady, startInvariantMonitor } from '../../harness/kube/invariants.ts';
import { WaitTimeoutError } from '../../harness/kube/wait.ts';
import { ADVANCED_DAEMONSET, createObject, type Obj, POD, waitForAll, waitForOne } from '../lib/api.ts';
import { kube, timeouts } from '../lib/context.ts';
import type { AdvancedDaemonSet, AdvancedDaemonSetSpec } from '../lib/kinds.ts';
import { activePods, container, imageOf, podsOf } from '../lib/workloads.ts';

export const REVISION_LABEL = 'controller-revision-hash';
export const INPLACE_READY = 'InPlaceUpdateReady';
export const INPLACE_STATE_ANNOTATION = 'apps.kruise.io/inplace-update-state';
/** A readiness gate only the test sets: pods carrying it stay not-Ready until the test opens it. */
export const HOLD_GATE = 'kruise-conformance.io/hold';
/** Prefix of the node labels the tests of this suite set (and remove). */
export const NODE_LABEL_PREFIX = 'ads.kruise-conformance.io';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const strategicPatch = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
const jsonPatchHeader = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);

export type UpdateStrategy = NonNullable<AdvancedDaemonSetSpec['updateStrategy']>;
export type RollingUpdate = NonNullable<UpdateStrategy['rollingUpdate']>;

export interface DaemonSetOptions {
  image?: string;
  /** Overrides of the container `main`. */
  main?: Partial<V1Container>;
  /** More containers after `main`. */
  extraContainers?: V1Container[];
  nodeSelector?: Record<string, string>;
  readinessGates?: string[];
  updateStrategy?: UpdateStrategy;
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
  lifecycle?: unknown;
}

/** An Advanced DaemonSet named `name` selecting `app=<name>`, with the container `main`. */
export function daemonSetWith(name: string, opts: DaemonSetOptions = {}): Record<string, unknown> {
  const { image, main, extraContainers, nodeSelector, readinessGates, ...spec } = opts;
  return {
    metadata: { name },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [container({ ...(image ? { image } : {}), ...main }), ...(extraContainers ?? [])],
          ...(nodeSelector ? { nodeSelector } : {}),
          ...(readinessGates ? { readinessGates: readinessGates.map((conditionType) => ({ conditionType })) } : {}),
        },
      },
      ...spec,
    },
  };
}

export function rollingUpdate(ru: RollingUpdate): UpdateStrategy {
  return { type: 'RollingUpdate', rollingUpdate: ru };
}

export interface JsonPatchOp {
  op: 'add' | 'replace' | 'remove' | 'test';
  path: string;
  value?: unknown;
}

/** RFC 6902 patch of an Advanced DaemonSet: changes exactly the fields named. */
export async function jsonPatchDaemonSet(namespace: string, name: string, ops: JsonPatchOp[]): Promise<AdvancedDaemonSet> {
  const { custom } = kube();
  return (await custom.patchNamespacedCustomObject(
    { group: ADVANCED_DAEMONSET.group, version: ADVANCED_DAEMONSET.version, namespace, plural: ADVANCED_DAEMONSET.plural, name, body: ops },
    jsonPatchHeader,
  )) as AdvancedDaemonSet;
}

/** Replace the image of the container at `index` (0 = `main`) and nothing else. */
export function setImage(namespace: string, name: string, image: string, index = 0): Promise<AdvancedDaemonSet> {
  return jsonPatchDaemonSet(namespace, name, [{ op: 'replace', path: `/spec/template/spec/containers/${index}/image`, value: image }]);
}

/** Merge-patch fields of spec.updateStrategy.rollingUpdate (null removes one). */
export function patchRollingUpdate(namespace: string, name: string, ru: Record<string, unknown>): Promise<AdvancedDaemonSet> {
  const { custom } = kube();
  return custom.patchNamespacedCustomObject(
    { group: ADVANCED_DAEMONSET.group, version: ADVANCED_DAEMONSET.version, namespace, plural: ADVANCED_DAEMONSET.plural, name, body: { spec: { updateStrategy: { rollingUpdate: ru } } } },
    mergePatch,
  ) as Promise<AdvancedDaemonSet>;
}

// -- nodes --------------------------------------------------------------------------------------

function nodeReady(n: V1Node): boolean {
  return n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

function untainted(n: V1Node): boolean {
  return !(n.spec?.taints ?? []).some((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');
}

/** Names of the nodes a DaemonSet with this nodeSelector (and no tolerations) should run on, sorted. */
export async function eligibleNodes(nodeSelector: Record<string, string> = {}): Promise<string[]> {
  const nodes = (await kube().core.listNode()).items;
  return nodes
    .filter((n) => nodeReady(n) && untainted(n) && Object.entries(nodeSelector).every(([k, v]) => n.metadata?.labels?.[k] === v))
    .map((n) => n.metadata!.name!)
    .sort();
}

/** Eligible nodes, failing the test when there are fewer than `min`. */
export async function requireNodes(min: number, nodeSelector: Record<string, string> = {}): Promise<string[]> {
  const nodes = await eligibleNodes(nodeSelector);
  expect(nodes.length, `this test needs at least ${min} Ready, untainted nodes; found: ${nodes.join(', ') || 'none'}`).toBeGreaterThanOrEqual(min);
  return nodes;
}

/** Set (value) or remove (null) a label on nodes. */
export async function labelNodes(nodes: readonly string[], key: string, value: string | null): Promise<void> {
  for (const name of nodes) await kube().core.patchNode({ name, body: { metadata: { labels: { [key]: value } } } }, mergePatch);
}

/** Remove every label with NODE_LABEL_PREFIX and this suffix from all nodes. */
export async function unlabelAllNodes(key: string): Promise<void> {
  const nodes = (await kube().core.listNode()).items.filter((n) => n.metadata?.labels?.[key] !== undefined);
  await labelNodes(
    nodes.map((n) => n.metadata!.name!),
    key,
    null,
  );
}

/** The node a daemon pod is for: its nodeName once bound, else the node its required affinity names. */
export function nodeOf(pod: V1Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const t of terms) for (const f of t.matchFields ?? []) if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
  return undefined;
}

// -- pods ---------------------------------------------------------------------------------------

export function mainStatus(pod: V1Pod | undefined, name = 'main') {
  return pod?.status?.containerStatuses?.find((c) => c.name === name);
}

export const uidsOf = (pods: readonly V1Pod[]) => new Set(pods.map((p) => p.metadata!.uid!));

/** One line per pod with its node: what a failure message shows. */
export function renderDaemonPods(items: readonly (Obj | V1Pod)[]): string {
  return (
    (items as V1Pod[])
      .map((p) => {
        const cs = p.status?.containerStatuses?.map((c) => `${c.name}:${c.image} restarts=${c.restartCount}`).join(' ') ?? '';
        return `  ${p.metadata?.name} node=${nodeOf(p) ?? '-'} uid=${p.metadata?.uid?.slice(0, 8)} phase=${p.status?.phase} ready=${isPodReady(p)}${p.metadata?.deletionTimestamp ? ' terminating' : ''} rev=${p.metadata?.labels?.[REVISION_LABEL] ?? '-'} image=${imageOf(p)} ${cs}`;
      })
      .join('\n') || '  (no pods)'
  );
}

/** Active pods of the DaemonSet `name`. */
export async function listDaemonPods(namespace: string, name: string): Promise<V1Pod[]> {
  return activePods((await kube().core.listNamespacedPod({ namespace, labelSelector: podsOf(name) })).items);
}

/** Wait on a watch until the DaemonSet's pods (terminating ones included) satisfy `predicate`. */
export function waitDaemonPods(namespace: string, name: string, predicate: (pods: V1Pod[]) => boolean, describe: string, timeoutMs = timeouts().rolloutComplete): Promise<V1Pod[]> {
  return waitForAll<V1Pod & Obj>(POD, namespace, podsOf(name), (items) => predicate(items), { timeoutMs, describe: `pods of DaemonSet ${namespace}/${name}: ${describe}`, namespace, render: renderDaemonPods });
}

/** Exactly one pod per node of `nodes`, none elsewhere, none terminating, each satisfying `each`. */
export function onePerNode(nodes: readonly string[], each: (p: V1Pod) => boolean = () => true): (pods: V1Pod[]) => boolean {
  return (pods) => {
    if (pods.length !== nodes.length || activePods(pods).length !== nodes.length) return false;
    const on = new Set(pods.map(nodeOf));
    return nodes.every((n) => on.has(n)) && pods.every(each);
  };
}

/** Show that a state lasts: fail as soon as `holds` stops being true within `ms`. */
export async function expectPodsHold(namespace: string, name: string, holds: (pods: V1Pod[]) => boolean, describe: string, ms = timeouts().steadyState): Promise<void> {
  let broken: V1Pod[] | undefined;
  try {
    broken = await waitForAll<V1Pod & Obj>(POD, namespace, podsOf(name), (items) => !holds(items), { timeoutMs: ms, describe });
  } catch (err) {
    if (err instanceof WaitTimeoutError) return;
    throw err;
  }
  expect.fail(`${describe}: expected this to hold for ${ms} ms, but it broke; pods:\n${renderDaemonPods(broken ?? [])}`);
}

/** Set the test-owned readiness gate condition of a pod (True lets it become Ready). */
export async function setHoldGate(namespace: string, podName: string, status: 'True' | 'False' = 'True'): Promise<void> {
  await kube().core.patchNamespacedPodStatus(
    { namespace, name: podName, body: { status: { conditions: [{ type: HOLD_GATE, status, lastTransitionTime: new Date().toISOString() }] } } },
    strategicPatch,
  );
}

/** Merge-patch a pod's status (e.g. its phase). */
export async function patchPodStatus(namespace: string, name: string, status: Record<string, unknown>): Promise<void> {
  await kube().core.patchNamespacedPodStatus({ namespace, name, body: { status } }, mergePatch);
}

export function holdGateOpen(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === HOLD_GATE && c.status === 'True') ?? false;
}

// -- the DaemonSet object -------------------------------------------------------------------------

export function renderDaemonSet(o: AdvancedDaemonSet | undefined): string {
  return JSON.stringify({ generation: o?.metadata.generation, updateStrategy: o?.spec?.updateStrategy, status: o?.status }, null, 2);
}

/** Wait until the DaemonSet's status reflects its latest generation and satisfies `predicate`. */
export async function waitForDaemonSet(namespace: string, name: string, predicate: (ds: AdvancedDaemonSet) => boolean, describe: string, timeoutMs = timeouts().rolloutComplete): Promise<AdvancedDaemonSet> {
  const ds = await waitForOne<AdvancedDaemonSet>(ADVANCED_DAEMONSET, namespace, name, (o) => !!o && o.status?.observedGeneration === o.metadata.generation && predicate(o), {
    timeoutMs,
    describe: `Advanced DaemonSet ${namespace}/${name}: ${describe}`,
    namespace,
    render: (items) => items.map((o) => renderDaemonSet(o as AdvancedDaemonSet)).join('\n'),
  });
  return ds!;
}

/** Status counting `n` nodes, every one running an updated, Ready and available pod. */
export function daemonSetSettled(n: number): (ds: AdvancedDaemonSet) => boolean {
  return (ds) => {
    const s = ds.status;
    return (
      s?.desiredNumberScheduled === n &&
      s.currentNumberScheduled === n &&
      s.numberReady === n &&
      (s.numberAvailable ?? 0) === n &&
      s.updatedNumberScheduled === n &&
      (s.numberMisscheduled ?? 0) === 0 &&
      !!s.daemonSetHash
    );
  };
}

/** Create the DaemonSet and wait until it runs one Ready pod on each of `nodes` and its status says so. */
export async function createSettled(namespace: string, name: string, nodes: readonly string[], opts: DaemonSetOptions): Promise<{ ds: AdvancedDaemonSet; pods: V1Pod[] }> {
  await createObject(ADVANCED_DAEMONSET, namespace, daemonSetWith(name, opts));
  const pods = await waitDaemonPods(namespace, name, onePerNode(nodes, isPodReady), `one Ready pod on each of ${nodes.join(', ')}`, timeouts().podsReady);
  const ds = await waitForDaemonSet(namespace, name, daemonSetSettled(nodes.length), `${nodes.length} nodes with an updated Ready pod`, timeouts().podsReady);
  return { ds, pods };
}

// -- rollouts watched per node ------------------------------------------------------------------

export interface NodeBounds {
  /** The nodes that should run the DaemonSet: a pod elsewhere is a breach. */
  nodes: readonly string[];
  /** Never more nodes without an available pod than this. */
  maxUnavailable: number;
  /** Never more nodes with a new pod beside an old one (the new one not yet available) than this; 0: never two active pods on a node. */
  maxSurge: number;
  /** Never more updated pods than this (nodes - partition). */
  maxUpdated?: number;
  /** In-place rollouts: no original pod is ever deleted. */
  keepOriginalPods?: boolean;
  /** Updated pods must be on these nodes only (rollingUpdate.selector). */
  updatedOnlyOn?: readonly string[];
}

export interface NodePeaks {
  /** The most nodes without an available pod at one moment. */
  unavailableNodes: number;
  /** The most nodes with two active pods at one moment. */
  doubledNodes: number;
  /** Nodes that held two active pods at some moment. */
  everDoubled: Set<string>;
}

/**
 * The per-node bound of a DaemonSet rollout, as an invariant-monitor custom check. Availability
 * is the monitor's (Ready and not terminating), which is never stricter than the controller's
 * (Ready for minReadySeconds): a breach it reports is a real one.
 */
export function perNodeCheck(b: NodeBounds, isUpdated: (p: V1Pod) => boolean, peaks: NodePeaks) {
  const nodeSet = new Set(b.nodes);
  return (active: readonly V1Pod[], isAvailable: (p: V1Pod) => boolean): string | undefined => {
    const byNode = new Map<string, V1Pod[]>();
    for (const p of active) {
      const n = nodeOf(p);
      if (!n || !nodeSet.has(n)) return `pod ${p.metadata?.name} is for node ${n ?? '(none)'}, which should not run the DaemonSet`;
      byNode.set(n, [...(byNode.get(n) ?? []), p]);
      if (b.updatedOnlyOn && isUpdated(p) && !b.updatedOnlyOn.includes(n)) return `updated pod ${p.metadata?.name} on node ${n}, outside the rollout selector (${b.updatedOnlyOn.join(', ')})`;
    }
    const limit = b.maxSurge > 0 ? 2 : 1;
    for (const [n, pods] of byNode) if (pods.length > limit) return `node ${n} has ${pods.length} active daemon pods > ${limit} (${pods.map((p) => p.metadata?.name).join(', ')})`;
    const unavailable = b.nodes.filter((n) => !(byNode.get(n) ?? []).some(isAvailable));
    const doubled = b.nodes.filter((n) => (byNode.get(n) ?? []).length >= 2);
    peaks.unavailableNodes = Math.max(peaks.unavailableNodes, unavailable.length);
    peaks.doubledNodes = Math.max(peaks.doubledNodes, doubled.length);
    for (const n of doubled) peaks.everDoubled.add(n);
    if (unavailable.length > b.maxUnavailable) return `${unavailable.length} nodes without an available daemon pod (${unavailable.join(', ')}) > maxUnavailable ${b.maxUnavailable}`;
    const surging = doubled.filter((n) => byNode.get(n)!.some((p) => isUpdated(p) && !isAvailable(p)));
    if (surging.length > b.maxSurge) return `${surging.length} nodes with a new, not yet available pod beside an old one (${surging.join(', ')}) > maxSurge ${b.maxSurge}`;
    return undefined;
  };
}

export async function startNodeMonitor(namespace: string, name: string, b: NodeBounds, isUpdated: (p: V1Pod) => boolean): Promise<{ monitor: InvariantMonitor; peaks: NodePeaks }> {
  const peaks: NodePeaks = { unavailableNodes: 0, doubledNodes: 0, everDoubled: new Set() };
  const monitor = await startInvariantMonitor(kube().kc, {
    namespace,
    labelSelector: podsOf(name),
    isUpdated,
    bounds: { maxPods: b.nodes.length + b.maxSurge, maxUpdated: b.maxUpdated, keepOriginalPods: b.keepOriginalPods, custom: perNodeCheck(b, isUpdated, peaks) },
  });
  return { monitor, peaks };
}

/** Run `step` while the monitor watches; the first breach fails the test at once. */
export function watched<T>(monitor: InvariantMonitor, step: Promise<T>): Promise<T> {
  return Promise.race([step, monitor.breached]);
}

export const hasImage =
  (image: string, containerName = 'main') =>
  (p: V1Pod) =>
    imageOf(p, containerName) === image;
