// The WorkloadSpread reconciler (OpenKruise syncWorkloadSpread): read the target's pods, group
// them by version and subset (adopting pods created before the WorkloadSpread), write deletion
// costs, compute and write the status, and delete pods that Adaptive scheduling gave up on.
// Cluster access goes through WorkloadSpreadPort; the decisions are the pure planners.
import type { V1Node } from '@kubernetes/client-node';
import type { WorkloadSpread, WorkloadSpreadStatus } from '../../api/workloadspread.ts';
import type { ReconcileResult } from '../../runtime/controller.ts';
import type { Logger } from '../../runtime/logger.ts';
import { costChanges, DELETION_COST, DELETION_COST_KINDS, planDeletionCosts } from './deletion-cost.ts';
import { groupPods } from './grouping.ts';
import { workloadSpreadStatus } from './status.ts';
import { latestVersion, resolveTarget, type WorkloadSource } from './targets.ts';
import type { Whitelist } from './whitelist.ts';

export interface WorkloadSpreadPort {
  /** The freshest copy known to this process, undefined when absent. */
  getWorkloadSpread(namespace: string, name: string): WorkloadSpread | undefined;
  source: WorkloadSource;
  whitelist(): Whitelist;
  node(name: string): V1Node | undefined;
  /** Strategic-merge patch of a pod. */
  patchPod(namespace: string, name: string, patch: object): Promise<void>;
  deletePod(namespace: string, name: string, uid: string): Promise<void>;
  /** Replaces status with the object's resourceVersion (a conflict throws). */
  writeStatus(ws: WorkloadSpread, status: WorkloadSpreadStatus): Promise<void>;
  forget(namespace: string, name: string): void;
  event(ws: WorkloadSpread, type: 'Normal' | 'Warning', reason: string, message: string): void;
  now(): number;
}

/** JSON with sorted keys, so two statuses compare by content. */
export function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : x,
  );
}

/** Status as the apiserver would keep it: empty maps and lists dropped (omitempty). */
function normalized(status: WorkloadSpreadStatus | undefined): string {
  return canonical(JSON.parse(JSON.stringify(status ?? {}), (_k, v: unknown) => {
    if (Array.isArray(v) && v.length === 0) return undefined;
    if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) return undefined;
    if (_k === 'observedGeneration' && v === 0) return undefined;
    return v;
  }));
}

export class WorkloadSpreadReconciler {
  constructor(
    private readonly port: WorkloadSpreadPort,
    private readonly log: Logger,
  ) {}

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const i = key.indexOf('/');
    const namespace = key.slice(0, i);
    const name = key.slice(i + 1);
    const ws = this.port.getWorkloadSpread(namespace, name);
    if (!ws || ws.metadata.deletionTimestamp) {
      this.port.forget(namespace, name);
      return;
    }
    const port = this.port;
    const view = await resolveTarget(ws, port.source, port.whitelist());
    const grouping = groupPods(ws, view.pods, view.replicas, (n) => port.node(n));

    for (const a of grouping.adoptions) {
      await port.patchPod(namespace, a.pod.metadata?.name ?? '', a.patch);
      this.log.debug('adopted pod into subset', { workloadSpread: key, pod: a.pod.metadata?.name, subset: a.subset });
    }

    let requeueAfterMs: number | undefined;
    if (DELETION_COST_KINDS.has(ws.spec.targetRef.kind)) {
      const latest = latestVersion(ws, view.object, port.source);
      if (latest === undefined) requeueAfterMs = 1000;
      else {
        for (const { pod, cost } of costChanges(planDeletionCosts(ws, grouping.versioned, latest, view.replicas))) {
          await port.patchPod(namespace, pod.metadata?.name ?? '', { metadata: { annotations: { [DELETION_COST]: cost } } });
        }
      }
    }

    const computed = workloadSpreadStatus(ws, grouping.versioned, grouping.all, view.replicas, port.now());
    if (!computed) return requeueAfterMs ? { requeueAfterMs } : undefined;
    const { status, effects } = computed;
    if (normalized(status) !== normalized(ws.status)) await port.writeStatus(ws, status);
    for (const e of effects.events) port.event(ws, e.type, e.reason, e.message);
    for (const [subset, pods] of effects.rescheduled) {
      for (const pod of pods) {
        await port.deletePod(namespace, pod.metadata?.name ?? '', pod.metadata?.uid ?? '');
        this.log.info('deleted unschedulable pod for rescheduling', { workloadSpread: key, pod: pod.metadata?.name, subset });
      }
    }
    const wait = [requeueAfterMs, effects.requeueAfterMs].filter((x): x is number => x !== undefined && x > 0);
    return wait.length ? { requeueAfterMs: Math.min(...wait) + 50 } : undefined;
  }
}
