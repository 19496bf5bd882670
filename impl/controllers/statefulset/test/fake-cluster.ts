// An in-memory cluster behind StatefulSetPort, with a fake kubelet and storage driver, so the
// reconciler runs end to end in unit tests. The "cache" is the store itself (always fresh), and
// every write is logged so tests can assert on order.
import type { V1ControllerRevision, V1PersistentVolumeClaim, V1Pod, V1StorageClass } from '@kubernetes/client-node';
import type { StatefulSetPort } from '../reconcile.ts';
import type { StatefulSetStatus } from '../status.ts';
import type { AdvancedStatefulSet } from '../views.ts';

class ApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export interface FakeEvent {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
}

const clone = <T>(v: T): T => structuredClone(v);

export class FakeCluster implements StatefulSetPort {
  set: AdvancedStatefulSet;
  readonly pods = new Map<string, V1Pod>();
  readonly claims = new Map<string, V1PersistentVolumeClaim>();
  readonly revisions = new Map<string, V1ControllerRevision>();
  readonly storageClasses: V1StorageClass[] = [
    { metadata: { name: 'expandable' }, provisioner: 'x', allowVolumeExpansion: true },
    { metadata: { name: 'fixed' }, provisioner: 'x', allowVolumeExpansion: false },
  ];
  readonly writes: string[] = [];
  readonly events: FakeEvent[] = [];
  clock: number;
  private uidSeq = 0;
  private rv = 1;

  constructor(set: AdvancedStatefulSet, now: number) {
    this.set = clone(set);
    this.set.metadata = { uid: 'uid-set', generation: 1, namespace: 'ns', ...this.set.metadata };
    this.clock = now;
  }

  private nextRv(): string {
    return String(++this.rv);
  }

  // ---- reads ----
  getSet(): AdvancedStatefulSet | undefined {
    return clone(this.set);
  }
  listPods(): V1Pod[] {
    return [...this.pods.values()].map(clone);
  }
  listClaims(): V1PersistentVolumeClaim[] {
    return [...this.claims.values()].map(clone);
  }
  listRevisions(): V1ControllerRevision[] {
    return [...this.revisions.values()].map(clone);
  }
  listStorageClasses(): V1StorageClass[] {
    return clone(this.storageClasses);
  }
  now(): number {
    return this.clock;
  }

  // ---- writes ----
  async createPod(_ns: string, pod: V1Pod): Promise<V1Pod> {
    const name = pod.metadata?.name ?? '';
    if (this.pods.has(name)) throw new ApiError(409, `pods "${name}" already exists (AlreadyExists)`);
    const stored: V1Pod = clone(pod);
    stored.metadata = { ...stored.metadata, uid: `uid-${name}-${++this.uidSeq}`, resourceVersion: this.nextRv(), creationTimestamp: new Date(this.clock) };
    stored.status = { phase: 'Pending' };
    this.pods.set(name, stored);
    this.writes.push(`create pod ${name}`);
    return clone(stored);
  }
  async deletePod(_ns: string, name: string, uid: string | undefined): Promise<void> {
    const pod = this.pods.get(name);
    if (!pod) return;
    if (uid && pod.metadata?.uid !== uid) throw new ApiError(409, 'uid precondition failed');
    pod.metadata = { ...pod.metadata, deletionTimestamp: new Date(this.clock) };
    this.writes.push(`delete pod ${name}`);
  }
  async updatePod(_ns: string, name: string, mutate: (pod: V1Pod) => V1Pod | undefined): Promise<void> {
    const pod = this.pods.get(name);
    if (!pod) throw new ApiError(404, `pod ${name} not found`);
    const next = mutate(clone(pod));
    if (!next) return;
    next.status = pod.status; // spec/metadata only
    next.metadata = { ...next.metadata, resourceVersion: this.nextRv() };
    this.pods.set(name, next);
    this.writes.push(`update pod ${name}`);
  }
  async updatePodStatus(_ns: string, name: string, mutate: (pod: V1Pod) => V1Pod | undefined): Promise<void> {
    const pod = this.pods.get(name);
    if (!pod) throw new ApiError(404, `pod ${name} not found`);
    const next = mutate(clone(pod));
    if (!next) return;
    this.pods.set(name, { ...pod, status: next.status, metadata: { ...pod.metadata, resourceVersion: this.nextRv() } });
    this.writes.push(`update pod status ${name}`);
  }
  async resizePod(_ns: string, name: string, containers: { name: string; resources: NonNullable<V1Pod['spec']>['containers'][number]['resources'] }[]): Promise<void> {
    const pod = this.pods.get(name);
    if (!pod?.spec) throw new ApiError(404, `pod ${name} not found`);
    for (const c of containers) {
      const target = pod.spec.containers.find((x) => x.name === c.name);
      if (target) target.resources = clone(c.resources);
    }
    this.writes.push(`resize pod ${name}`);
  }
  async createClaim(_ns: string, claim: V1PersistentVolumeClaim): Promise<V1PersistentVolumeClaim> {
    const name = claim.metadata?.name ?? '';
    if (this.claims.has(name)) throw new ApiError(409, 'AlreadyExists');
    const stored = clone(claim);
    stored.metadata = { ...stored.metadata, uid: `uid-${name}`, resourceVersion: this.nextRv() };
    // the storage driver binds at once with the requested capacity
    stored.status = { phase: 'Bound', capacity: { storage: String(claim.spec?.resources?.requests?.storage ?? '0') } };
    this.claims.set(name, stored);
    this.writes.push(`create pvc ${name}`);
    return clone(stored);
  }
  async updateClaim(_ns: string, name: string, mutate: (c: V1PersistentVolumeClaim) => V1PersistentVolumeClaim | undefined): Promise<void> {
    const claim = this.claims.get(name);
    if (!claim) throw new ApiError(404, `pvc ${name} not found`);
    const next = mutate(clone(claim));
    if (!next) return;
    next.status = claim.status;
    this.claims.set(name, next);
    this.writes.push(`update pvc ${name}`);
  }
  async createRevision(_ns: string, revision: V1ControllerRevision): Promise<V1ControllerRevision> {
    const name = revision.metadata?.name ?? '';
    if (this.revisions.has(name)) throw new ApiError(409, 'AlreadyExists');
    this.revisions.set(name, clone(revision));
    this.writes.push(`create revision ${name}`);
    return clone(revision);
  }
  async readRevision(_ns: string, name: string): Promise<V1ControllerRevision | undefined> {
    return clone(this.revisions.get(name));
  }
  async setRevisionNumber(_ns: string, name: string, revision: number): Promise<void> {
    const r = this.revisions.get(name);
    if (r) r.revision = revision;
    this.writes.push(`bump revision ${name} to ${revision}`);
  }
  async deleteRevision(_ns: string, name: string): Promise<void> {
    this.revisions.delete(name);
    this.writes.push(`delete revision ${name}`);
  }
  async writeStatus(_ns: string, _name: string, status: StatefulSetStatus): Promise<void> {
    this.set = { ...this.set, status: clone(status) as AdvancedStatefulSet['status'] };
    this.writes.push('write status');
  }
  event(_set: AdvancedStatefulSet, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.events.push({ type, reason, message });
  }

  // ---- the simulated kubelet and storage ----

  /** Spec edit by a user: bumps generation. */
  editSpec(mutate: (spec: AdvancedStatefulSet['spec']) => void): void {
    const next = clone(this.set);
    mutate(next.spec);
    next.metadata = { ...next.metadata, generation: (next.metadata?.generation ?? 1) + 1 };
    this.set = next;
  }

  /**
   * One kubelet/storage pass: terminating pods vanish, Pending pods start, changed images restart
   * (new imageID), resources follow spec, Ready follows readiness gates, PVC capacity follows
   * requests on expandable classes.
   */
  kubelet(advanceMs = 1000): void {
    this.clock += advanceMs;
    const at = new Date(this.clock);
    for (const [name, pod] of this.pods) {
      if (pod.metadata?.deletionTimestamp) {
        this.pods.delete(name);
        continue;
      }
      const containers = pod.spec?.containers ?? [];
      const statuses = containers.map((c) => ({
        name: c.name,
        image: c.image ?? '',
        imageID: `${c.image}@sha256:${Buffer.from(c.image ?? '').toString('hex').slice(0, 12)}`,
        ready: true,
        restartCount: 0,
        ...(c.resources && { resources: clone(c.resources) }),
      }));
      const conditions = (pod.status?.conditions ?? []).filter((c) => c.type !== 'Ready');
      const gatesOk = (pod.spec?.readinessGates ?? []).every((g) => conditions.some((c) => c.type === g.conditionType && c.status === 'True'));
      const wasReady = pod.status?.conditions?.find((c) => c.type === 'Ready');
      const ready = gatesOk ? 'True' : 'False';
      const lastTransitionTime = wasReady?.status === ready ? wasReady.lastTransitionTime : at;
      pod.status = { ...pod.status, phase: 'Running', containerStatuses: statuses, conditions: [...conditions, { type: 'Ready', status: ready, lastTransitionTime }] };
    }
    for (const claim of this.claims.values()) {
      const sc = this.storageClasses.find((s) => s.metadata?.name === claim.spec?.storageClassName);
      const request = claim.spec?.resources?.requests?.storage;
      if (sc?.allowVolumeExpansion && request !== undefined) claim.status = { ...claim.status, capacity: { storage: String(request) } };
    }
  }

  podNames(): string[] {
    return [...this.pods.keys()].sort();
  }

  /** Pods not yet Running+Ready (or terminating). */
  unavailable(): string[] {
    return [...this.pods.values()]
      .filter((p) => p.metadata?.deletionTimestamp || p.status?.phase !== 'Running' || p.status?.conditions?.find((c) => c.type === 'Ready')?.status !== 'True')
      .map((p) => p.metadata?.name ?? '')
      .sort();
  }
}
