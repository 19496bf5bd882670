/**
 * WorkloadSpread objects, waits and views for the suites: subsets pinned to the substrate's zones
 * and architectures, the matched-workloadspread annotation, per-subset status.
 */
import type { V1Deployment, V1Job, V1Node, V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import { expect } from 'vitest';
import { WORKLOADSPREAD, type Obj, POD, waitForAll, waitForOne } from '../lib/api.ts';
import { kube, timeouts } from '../lib/context.ts';
import { activePods, container } from '../lib/workloads.ts';

export type MaxReplicas = number | string | undefined;
export const ZONE = 'topology.kubernetes.io/zone';
export const ARCH = 'kubernetes.io/arch';
export const MATCHED_ANNOTATION = 'apps.kruise.io/matched-workloadspread';
export const DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';

export interface TargetRef {
  apiVersion: string;
  kind: string;
  name: string;
}
export const cloneSetRef = (name: string): TargetRef => ({ apiVersion: 'apps.kruise.io/v1alpha1', kind: 'CloneSet', name });
export const deploymentRef = (name: string): TargetRef => ({ apiVersion: 'apps/v1', kind: 'Deployment', name });

export function term(key: string, values: string[], operator = 'In'): { matchExpressions: { key: string; operator: string; values: string[] }[] } {
  return { matchExpressions: [{ key, operator, values }] };
}

export function zoneSubset(name: string, zone: string, maxReplicas: MaxReplicas, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    requiredNodeSelectorTerm: term(ZONE, [zone]),
    ...(maxReplicas === undefined ? {} : { maxReplicas }),
    ...extra,
  };
}

/** A subset with no node constraint at all: only maxReplicas (and whatever `extra` adds). */
export function plainSubset(name: string, maxReplicas: MaxReplicas, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, ...(maxReplicas === undefined ? {} : { maxReplicas }), ...extra };
}

/** A label patch `spread-subset=<value>`, the simplest visible trace of a subset patch. */
export const labelPatch = (value: string) => ({ patch: { metadata: { labels: { 'spread-subset': value } } } });

export function workloadSpread(name: string, target: string | TargetRef, subsets: Record<string, unknown>[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    metadata: { name },
    spec: { targetRef: typeof target === 'string' ? cloneSetRef(target) : target, subsets, ...extra },
  };
}

export interface Matched {
  name?: string;
  subset?: string;
  uid?: string;
}

export function matchedSubset(annotations: Record<string, string> | undefined): Matched | undefined {
  const raw = annotations?.[MATCHED_ANNOTATION];
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as Matched;
  } catch {
    return undefined;
  }
}

export const subsetOf = (p: V1Pod): string | undefined => matchedSubset(p.metadata?.annotations)?.subset;
export const costOf = (p: V1Pod): string | undefined => p.metadata?.annotations?.[DELETION_COST];

/** Active pods per subset name ('-' for pods without the annotation). */
export function countBySubset(pods: V1Pod[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of activePods(pods)) {
    const s = subsetOf(p) ?? '-';
    out[s] = (out[s] ?? 0) + 1;
  }
  return out;
}

export interface SubsetStatus {
  name: string;
  replicas?: number;
  missingReplicas?: number;
  creatingPods?: Record<string, string>;
  deletingPods?: Record<string, string>;
  conditions?: { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string }[];
}
export interface WorkloadSpreadObj extends Obj {
  spec?: Record<string, unknown>;
  status?: { observedGeneration?: number; subsetStatuses?: SubsetStatus[]; versionedSubsetStatuses?: Record<string, SubsetStatus[]> };
}

let nodes: Map<string, V1Node> | undefined;
/** The substrate's nodes by name (read once per file). */
export async function nodesByName(): Promise<Map<string, V1Node>> {
  if (!nodes) nodes = new Map((await kube().core.listNode()).items.map((n) => [n.metadata!.name!, n]));
  return nodes;
}
export function nodeLabel(all: Map<string, V1Node>, p: V1Pod, key: string): string {
  return all.get(p.spec?.nodeName ?? '')?.metadata?.labels?.[key] ?? 'unscheduled';
}

export function describeSpreadPods(pods: V1Pod[], all?: Map<string, V1Node>): string {
  return pods
    .map(
      (p) =>
        `  ${p.metadata?.name} phase=${p.status?.phase}${p.metadata?.deletionTimestamp ? ' terminating' : ''} node=${p.spec?.nodeName ?? '-'}${all ? ` zone=${nodeLabel(all, p, ZONE)} arch=${nodeLabel(all, p, ARCH)}` : ''} matched=${p.metadata?.annotations?.[MATCHED_ANNOTATION] ?? '-'} cost=${costOf(p) ?? '-'} image=${p.spec?.containers[0]?.image}`,
    )
    .join('\n');
}

export type SubsetWant = Record<string, { replicas: number; missingReplicas: number }>;

/** Wait until status (for the current generation) shows exactly these replicas / missingReplicas. */
export async function waitForSubsets(namespace: string, name: string, want: SubsetWant, timeoutMs = timeouts().statusSync): Promise<WorkloadSpreadObj> {
  const ws = await waitForOne<WorkloadSpreadObj>(
    WORKLOADSPREAD,
    namespace,
    name,
    (o) =>
      !!o &&
      o.status?.observedGeneration === o.metadata.generation &&
      Object.entries(want).every(([subset, w]) => o.status?.subsetStatuses?.some((s) => s.name === subset && s.replicas === w.replicas && s.missingReplicas === w.missingReplicas)),
    {
      timeoutMs,
      describe: `WorkloadSpread ${name} status.subsetStatuses (observedGeneration = generation) to be ${JSON.stringify(want)}`,
      namespace,
      render: (items) => JSON.stringify(items.map((i) => ({ generation: i.metadata.generation, status: (i as WorkloadSpreadObj).status })), null, 2),
    },
  );
  return ws!;
}

/** Wait for `count` active pods on which `each` holds (pods selected by `selector`). */
export async function waitForSpreadPods(namespace: string, selector: string, count: number, each: (p: V1Pod) => boolean, describe: string, timeoutMs = timeouts().podsReady): Promise<V1Pod[]> {
  const all = await nodesByName();
  const pods = await waitForAll<V1Pod & Obj>(POD, namespace, selector, (items) => activePods(items).length === count && items.length === count && items.every(each), {
    timeoutMs,
    describe,
    namespace,
    render: (items) => describeSpreadPods(items as V1Pod[], all),
  });
  return pods;
}

/**
 * Wait until, per subset, exactly `want[subset]` active pods carry a negative deletion cost. A
 * workload that scales in before the WorkloadSpread has re-costed its pods cannot follow costs it
 * has not seen yet (true of any implementation), so tests that change maxReplicas wait for this.
 */
export async function waitForNegativeCosts(namespace: string, selector: string, want: Record<string, number>, describe: string, timeoutMs = timeouts().statusSync): Promise<V1Pod[]> {
  const all = await nodesByName();
  const negative = (items: V1Pod[]) => {
    const out: Record<string, number> = Object.fromEntries(Object.keys(want).map((k) => [k, 0]));
    for (const p of activePods(items)) {
      const subset = subsetOf(p);
      if (subset !== undefined && Number(costOf(p)) < 0) out[subset] = (out[subset] ?? 0) + 1;
    }
    return out;
  };
  return waitForAll<V1Pod & Obj>(POD, namespace, selector, (items) => JSON.stringify(negative(items as V1Pod[])) === JSON.stringify(want), {
    timeoutMs,
    describe: `${describe}: pods with a negative deletion cost per subset to be ${JSON.stringify(want)}`,
    namespace,
    render: (items) => describeSpreadPods(items as V1Pod[], all),
  });
}

/** Assert the per-subset pod counts, printing every pod on failure. */
export async function expectSubsetCounts(pods: V1Pod[], want: Record<string, number>, what: string): Promise<void> {
  const all = await nodesByName();
  expect(countBySubset(pods), `${what}: active pods per subset (matched-workloadspread):\n${describeSpreadPods(pods, all)}`).toEqual(want);
}

/** Every pod of the subset runs on a node whose `key` label is `value`. */
export async function expectPlacedBy(pods: V1Pod[], subset: string, key: string, value: string): Promise<void> {
  const all = await nodesByName();
  for (const p of pods.filter((x) => subsetOf(x) === subset)) {
    expect(nodeLabel(all, p, key), `${p.metadata?.name} of ${subset} runs on a node with ${key}=${value}:\n${describeSpreadPods(pods, all)}`).toBe(value);
  }
}

/** The pod's required node affinity terms, as injected at creation. */
export function requiredTerms(p: V1Pod): unknown[] | undefined {
  return p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
}

export interface CreationRecorder {
  /** Each pod as it was first seen, i.e. as admission created it (by UID, in order of creation). */
  readonly created: V1Pod[];
  stop(): void;
}

/**
 * Record every pod matching `selector` as it was created: a watch started before the workload
 * delivers each pod's ADDED event with the object admission wrote, before any later patch.
 */
export async function recordCreations(namespace: string, selector: string): Promise<CreationRecorder> {
  const { Watch } = await import('@kubernetes/client-node');
  const { kc, core } = kube();
  const list = await core.listNamespacedPod({ namespace, labelSelector: selector });
  const created: V1Pod[] = [...list.items];
  const seen = new Set(created.map((p) => p.metadata!.uid!));
  let abort: AbortController | undefined;
  let stopped = false;
  const start = async (resourceVersion: string): Promise<void> => {
    abort = await new Watch(kc).watch(
      `/api/v1/namespaces/${namespace}/pods`,
      { labelSelector: selector, resourceVersion },
      (phase: string, pod: V1Pod) => {
        if (phase !== 'ADDED' || seen.has(pod.metadata!.uid!)) return;
        seen.add(pod.metadata!.uid!);
        created.push(pod);
      },
      () => {
        // A closed watch is resumed from a fresh list; pods first seen in it are still new ones.
        if (stopped) return;
        core
          .listNamespacedPod({ namespace, labelSelector: selector })
          .then((l) => {
            for (const p of l.items) if (!seen.has(p.metadata!.uid!)) (seen.add(p.metadata!.uid!), created.push(p));
            return start(l.metadata!.resourceVersion!);
          })
          .catch(() => undefined);
      },
    );
  };
  await start(list.metadata!.resourceVersion!);
  return {
    created,
    stop() {
      stopped = true;
      abort?.abort();
    },
  };
}

/** A pod the scheduler could not place (PodScheduled=False, reason Unschedulable). */
export const unschedulable = (p: V1Pod) =>
  p.status?.phase === 'Pending' && !p.spec?.nodeName && (p.status?.conditions ?? []).some((c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable');

/** subset-a asks for a zone no node has; subset-b (zone-b) is unlimited. */
export function reschedulingSpread(name: string, target: string, strategy: Record<string, unknown>): Record<string, unknown> {
  return workloadSpread(name, target, [zoneSubset('subset-a', 'zone-x', 2, labelPatch('a')), zoneSubset('subset-b', 'zone-b', undefined, labelPatch('b'))], { scheduleStrategy: strategy });
}

export function schedulable(ws: WorkloadSpreadObj | undefined, subset: string): string | undefined {
  return ws?.status?.subsetStatuses?.find((s) => s.name === subset)?.conditions?.find((c) => c.type === 'Schedulable')?.status;
}


/** A pod template `app=<name>` with the suites' one container. */
export function podTemplate(name: string, image?: string): { metadata: { labels: Record<string, string> }; spec: { containers: ReturnType<typeof container>[] } } {
  return { metadata: { labels: { app: name } }, spec: { containers: [container(image ? { image } : {})] } };
}

export function deployment(name: string, replicas: number, extra: Record<string, unknown> = {}): V1Deployment {
  return { metadata: { name }, spec: { replicas, selector: { matchLabels: { app: name } }, template: podTemplate(name), ...extra } };
}

export function replicaSet(name: string, replicas: number): V1ReplicaSet {
  return { metadata: { name }, spec: { replicas, selector: { matchLabels: { app: name } }, template: podTemplate(name) } };
}

export function job(name: string, parallelism: number): V1Job {
  const template = podTemplate(name);
  return { metadata: { name }, spec: { parallelism, completions: parallelism, manualSelector: false, template: { ...template, spec: { ...template.spec, restartPolicy: 'Never' } } } };
}
