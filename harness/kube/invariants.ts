/**
 * An invariant monitor watches a workload's pods for the whole of a rollout and fails at the
 * first moment a declared bound breaks, with the timeline around the breach. End states alone
 * cannot show that a controller briefly ran 8 pods where 6 were allowed.
 */
import { type KubeConfig, type V1Pod, Watch } from '@kubernetes/client-node';
import { rawGet } from './client.ts';

export interface Bounds {
  /** Never more active (non-terminating) pods than this: replicas + maxSurge. */
  maxPods?: number;
  /** Never fewer available pods than this: replicas - maxUnavailable. */
  minAvailable?: number;
  /** Never more updated pods than this: replicas - partition. */
  maxUpdated?: number;
  /** In-place rollouts: a pod that existed at the start is never deleted (its UID never changes). */
  keepOriginalPods?: boolean;
  /**
   * Per-group bounds, e.g. WorkloadSpread subsets: `groupOf` names the group of an active pod
   * (undefined: in no group), and no group ever holds more active pods than its `max`.
   */
  groups?: GroupBounds;
  /**
   * A bound the others cannot say (e.g. per node for a DaemonSet): given the active pods and the
   * availability test, the breach in words, or undefined while the bound holds.
   */
  custom?: (active: readonly V1Pod[], isAvailable: (p: V1Pod) => boolean) => string | undefined;
}

export interface GroupBounds {
  /** What a group is, for messages ("subset"). */
  noun: string;
  groupOf: (pod: V1Pod) => string | undefined;
  /** Upper bound per group; groups not listed are unbounded. */
  max: Readonly<Record<string, number>>;
  /** A pod may be in no group; when false, the first such pod is a breach. Default true. */
  allowUngrouped?: boolean;
}

export interface MonitorOptions {
  namespace: string;
  labelSelector: string;
  bounds: Bounds;
  /** Whether a pod is at the new revision (e.g. by image or revision label). */
  isUpdated: (pod: V1Pod) => boolean;
  /** Whether a pod counts as available; default: Ready and not terminating. */
  isAvailable?: (pod: V1Pod) => boolean;
}

export interface Sample {
  atMs: number;
  event: string;
  total: number;
  available: number;
  updated: number;
  /** Active pods per group, when the bounds declare groups. */
  groups?: Record<string, number>;
}

export interface Peaks {
  maxPods: number;
  minAvailable: number;
  maxUpdated: number;
}

export class InvariantBreach extends Error {
  constructor(
    readonly bound: string,
    readonly sample: Sample,
    readonly timeline: string,
  ) {
    super(`invariant broken: ${bound} at +${sample.atMs} ms (${sample.event})\ntimeline (ms since start: event -> active/available/updated [per group]):\n${timeline}`);
    this.name = 'InvariantBreach';
  }
}

export function isPodReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

const isActive = (pod: V1Pod) => !pod.metadata?.deletionTimestamp && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';

/** Pure: which bound, if any, a set of pods breaks. */
export function checkBounds(
  pods: readonly V1Pod[],
  bounds: Bounds,
  isUpdated: (p: V1Pod) => boolean,
  isAvailable: (p: V1Pod) => boolean,
  originalUids: ReadonlySet<string>,
  deletedUids: ReadonlySet<string>,
): { counts: Omit<Sample, 'atMs' | 'event'>; breach?: string } {
  const active = pods.filter(isActive);
  const counts: Omit<Sample, 'atMs' | 'event'> = { total: active.length, available: active.filter(isAvailable).length, updated: active.filter(isUpdated).length };
  const g = bounds.groups;
  let groupBreach: string | undefined;
  if (g) {
    const perGroup: Record<string, number> = {};
    for (const p of active) {
      const name = g.groupOf(p);
      if (name === undefined) {
        if (g.allowUngrouped === false) groupBreach ??= `pod ${p.metadata?.name} is in no ${g.noun}`;
        continue;
      }
      perGroup[name] = (perGroup[name] ?? 0) + 1;
    }
    counts.groups = perGroup;
    for (const [name, max] of Object.entries(g.max)) {
      if ((perGroup[name] ?? 0) > max) groupBreach ??= `${g.noun} ${name} has ${perGroup[name]} active pods > ${max}`;
    }
  }
  if (bounds.maxPods !== undefined && counts.total > bounds.maxPods) return { counts, breach: `${counts.total} active pods > maxPods ${bounds.maxPods} (replicas + maxSurge)` };
  if (bounds.minAvailable !== undefined && counts.available < bounds.minAvailable) {
    return { counts, breach: `${counts.available} available pods < minAvailable ${bounds.minAvailable} (replicas - maxUnavailable)` };
  }
  if (bounds.maxUpdated !== undefined && counts.updated > bounds.maxUpdated) return { counts, breach: `${counts.updated} updated pods > maxUpdated ${bounds.maxUpdated} (replicas - partition)` };
  if (bounds.keepOriginalPods) {
    const gone = [...deletedUids].filter((u) => originalUids.has(u));
    if (gone.length > 0) return { counts, breach: `an original pod was deleted during an in-place rollout (uid ${gone.join(', ')})` };
  }
  if (groupBreach) return { counts, breach: groupBreach };
  const custom = bounds.custom?.(active, isAvailable);
  if (custom) return { counts, breach: custom };
  return { counts };
}

export interface InvariantMonitor {
  /** Rejects at the first breach; race it against the waits of the test. */
  readonly breached: Promise<never>;
  readonly peaks: Peaks;
  readonly samples: readonly Sample[];
  /** Stop watching; throws the breach if one happened. */
  stop(): Promise<Peaks>;
  /** The timeline, for messages. */
  timeline(last?: number): string;
}

const renderGroups = (groups: Record<string, number>) =>
  Object.entries(groups)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');

function describePod(pod: V1Pod, isUpdated: (p: V1Pod) => boolean, groups?: GroupBounds): string {
  const flags = [isPodReady(pod) ? 'ready' : 'not-ready', isUpdated(pod) ? 'new' : 'old'];
  if (groups) flags.push(`${groups.noun}=${groups.groupOf(pod) ?? '-'}`);
  if (pod.metadata?.deletionTimestamp) flags.push('terminating');
  return `${pod.metadata?.name} [${flags.join(',')}]`;
}

export async function startInvariantMonitor(kc: KubeConfig, opts: MonitorOptions): Promise<InvariantMonitor> {
  const isAvailable = opts.isAvailable ?? ((p: V1Pod) => isPodReady(p) && !p.metadata?.deletionTimestamp);
  const path = `/api/v1/namespaces/${opts.namespace}/pods`;
  const pods = new Map<string, V1Pod>();
  const deleted = new Set<string>();
  const samples: Sample[] = [];
  const t0 = performance.now();
  const peaks: Peaks = { maxPods: 0, minAvailable: Number.POSITIVE_INFINITY, maxUpdated: 0 };
  let breach: InvariantBreach | undefined;
  let rejectBreach: (e: Error) => void = () => {};
  const breached = new Promise<never>((_, reject) => {
    rejectBreach = reject;
  });
  breached.catch(() => {}); // observed through stop() or a race; never unhandled

  const timeline = (last = 40) =>
    samples
      .slice(-last)
      .map((s) => `  +${String(s.atMs).padStart(6)}  ${s.event.padEnd(60)} -> ${s.total}/${s.available}/${s.updated}${s.groups ? ` ${renderGroups(s.groups)}` : ''}`)
      .join('\n');

  const list = JSON.parse(await rawGet(kc, `${path}?labelSelector=${encodeURIComponent(opts.labelSelector)}`)) as { items: V1Pod[]; metadata: { resourceVersion: string } };
  for (const p of list.items) pods.set(p.metadata!.uid!, p);
  const originals = new Set(list.items.filter(isActive).map((p) => p.metadata!.uid!));

  const record = (event: string) => {
    if (breach) return;
    const { counts, breach: broken } = checkBounds([...pods.values()], opts.bounds, opts.isUpdated, isAvailable, originals, deleted);
    const sample = { atMs: Math.round(performance.now() - t0), event, ...counts };
    samples.push(sample);
    peaks.maxPods = Math.max(peaks.maxPods, counts.total);
    peaks.minAvailable = Math.min(peaks.minAvailable, counts.available);
    peaks.maxUpdated = Math.max(peaks.maxUpdated, counts.updated);
    if (broken) {
      breach = new InvariantBreach(broken, sample, timeline());
      rejectBreach(breach);
    }
  };
  record(`start: ${[...pods.values()].map((p) => describePod(p, opts.isUpdated, opts.bounds.groups)).join(', ') || 'no pods'}`);

  let stopped = false;
  let abort: AbortController | undefined;
  const watchFrom = async (resourceVersion: string): Promise<void> => {
    abort = await new Watch(kc).watch(
      path,
      { labelSelector: opts.labelSelector, resourceVersion, allowWatchBookmarks: true },
      (phase: string, pod: V1Pod) => {
        if (phase === 'BOOKMARK') return;
        const uid = pod.metadata!.uid!;
        if (phase === 'DELETED') {
          pods.delete(uid);
          deleted.add(uid);
        } else pods.set(uid, pod);
        record(`${phase.toLowerCase()} ${describePod(pod, opts.isUpdated, opts.bounds.groups)}`);
      },
      () => {
        // The server ends watches after a while; resume from a fresh list so nothing is missed.
        if (stopped || breach) return;
        rawGet(kc, `${path}?labelSelector=${encodeURIComponent(opts.labelSelector)}`)
          .then((body) => {
            const fresh = JSON.parse(body) as { items: V1Pod[]; metadata: { resourceVersion: string } };
            const seen = new Set(fresh.items.map((p) => p.metadata!.uid!));
            for (const uid of [...pods.keys()]) if (!seen.has(uid)) (pods.delete(uid), deleted.add(uid));
            for (const p of fresh.items) pods.set(p.metadata!.uid!, p);
            record('relist after the watch closed');
            return watchFrom(fresh.metadata.resourceVersion);
          })
          .catch((e: unknown) => rejectBreach(e as Error));
      },
    );
  };
  await watchFrom(list.metadata.resourceVersion);

  return {
    breached,
    peaks,
    samples,
    timeline,
    async stop() {
      stopped = true;
      abort?.abort();
      if (breach) throw breach;
      return { ...peaks, minAvailable: Number.isFinite(peaks.minAvailable) ? peaks.minAvailable : 0 };
    },
  };
}
