/**
 * A TFJob-like custom workload for the targetFilter and whitelist tests, and a tiny controller for
 * it that runs inside the test process: for each role of `spec.tfReplicaSpecs` (PS, Master, Worker,
 * then any other, in that order) it creates pods `<job>-<role>-<i>` labelled `role=<role>`, with a
 * controller owner reference to the TFJob, one at a time. A role runs `running` pods (default
 * `replicas`): an elastic job that has started fewer workers than it asks for, which is what makes
 * the replicas a WorkloadSpread reads at a path differ from the pods it counts.
 * The kind's CRD is suites/30-workloadspread/crds/tfjobs.yaml, applied by the harness before the
 * implementation starts; implementations whitelist it through the descriptor's configuration.
 */
import { type V1Pod, Watch } from '@kubernetes/client-node';
import { afterAll, beforeAll } from 'vitest';
import { type Obj, type Resource, createObject, httpCode, serverMessage } from '../lib/api.ts';
import { kube } from '../lib/context.ts';
import { container } from '../lib/workloads.ts';

export const TFJOB: Resource = { group: 'conformance.kruise-conformance.io', version: 'v1', plural: 'tfjobs', kind: 'TFJob', namespaced: true };
export const tfJobRef = (name: string) => ({ apiVersion: `${TFJOB.group}/${TFJOB.version}`, kind: TFJOB.kind, name });
const ROLE_ORDER = ['PS', 'Master', 'Worker'];

export interface RoleSpec {
  replicas: number;
  /** Pods the controller runs for the role; default `replicas`. */
  running?: number;
}
interface TFJobObj extends Obj {
  spec?: { tfReplicaSpecs?: Record<string, RoleSpec> };
}

export function tfJob(name: string, roles: Record<string, RoleSpec>): Record<string, unknown> {
  return { metadata: { name }, spec: { tfReplicaSpecs: roles } };
}

export const tfJobPods = (name: string) => `tfjob=${name}`;

function orderedRoles(roles: Record<string, RoleSpec>): string[] {
  const rank = (r: string) => (ROLE_ORDER.includes(r) ? ROLE_ORDER.indexOf(r) : ROLE_ORDER.length);
  return Object.keys(roles).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** The pods a TFJob should have, in creation order (pure; unit-sized). */
export function desiredPods(job: TFJobObj): { name: string; role: string }[] {
  const roles = job.spec?.tfReplicaSpecs ?? {};
  return orderedRoles(roles).flatMap((role) => {
    const n = roles[role]!.running ?? roles[role]!.replicas;
    return Array.from({ length: n }, (_, i) => ({ name: `${job.metadata.name}-${role.toLowerCase()}-${i}`, role: role.toLowerCase() }));
  });
}

class TFJobController {
  private abort: AbortController | undefined;
  private chain: Promise<void> = Promise.resolve();
  readonly errors: string[] = [];
  constructor(private readonly namespace: string) {}

  async start(): Promise<void> {
    const path = `/apis/${TFJOB.group}/${TFJOB.version}/namespaces/${this.namespace}/${TFJOB.plural}`;
    const watchFrom = async (resourceVersion?: string): Promise<void> => {
      this.abort = await new Watch(kube().kc).watch(
        path,
        resourceVersion ? { resourceVersion, allowWatchBookmarks: true } : { allowWatchBookmarks: true },
        (phase: string, job: TFJobObj) => {
          if (phase === 'ADDED' || phase === 'MODIFIED') this.enqueue(job);
        },
        () => {
          // Watches end (server timeout, client timeout): list again, reconcile all, watch on.
          if (this.stopped) return;
          kube()
            .custom.listNamespacedCustomObject({ group: TFJOB.group, version: TFJOB.version, namespace: this.namespace, plural: TFJOB.plural })
            .then((l) => {
              const list = l as { items: TFJobObj[]; metadata: { resourceVersion: string } };
              for (const job of list.items) this.enqueue(job);
              return watchFrom(list.metadata.resourceVersion);
            })
            .catch((e: unknown) => void this.errors.push(`TFJob watch could not resume: ${serverMessage(e)}`));
        },
      );
    };
    await watchFrom();
  }

  private enqueue(job: TFJobObj): void {
    this.chain = this.chain.then(() => this.reconcile(job)).catch((e: unknown) => void this.errors.push(serverMessage(e)));
  }

  private stopped = false;

  private async reconcile(job: TFJobObj): Promise<void> {
    if (this.stopped || job.metadata.deletionTimestamp) return;
    const { core } = kube();
    const existing = new Set((await core.listNamespacedPod({ namespace: this.namespace, labelSelector: tfJobPods(job.metadata.name!) })).items.map((p) => p.metadata!.name!));
    for (const want of desiredPods(job)) {
      if (existing.has(want.name) || this.stopped) continue;
      const pod: V1Pod = {
        metadata: {
          name: want.name,
          labels: { app: job.metadata.name!, tfjob: job.metadata.name!, role: want.role },
          ownerReferences: [{ apiVersion: `${TFJOB.group}/${TFJOB.version}`, kind: TFJOB.kind, name: job.metadata.name!, uid: job.metadata.uid!, controller: true, blockOwnerDeletion: true }],
        },
        spec: { terminationGracePeriodSeconds: 0, containers: [container()] },
      };
      try {
        await core.createNamespacedPod({ namespace: this.namespace, body: pod });
      } catch (err) {
        if (httpCode(err) !== 409) throw err;
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort?.abort();
    await this.chain;
  }
}

/**
 * Run the TFJob controller for the file's namespace: started before its tests, stopped after them.
 * `errors()` lists what the controller could not do (a test names them when its pods are missing).
 */
export function useTFJobController(ns: { readonly name: string }): { errors: () => readonly string[] } {
  let controller: TFJobController | undefined;
  beforeAll(async () => {
    controller = new TFJobController(ns.name);
    await controller.start();
  });
  afterAll(async () => {
    await controller?.stop();
  });
  return { errors: () => controller?.errors ?? [] };
}

export function createTFJob(namespace: string, body: Record<string, unknown>): Promise<TFJobObj> {
  return createObject<TFJobObj>(TFJOB, namespace, body);
}
