// An in-memory cluster behind CloneSetPort, with a fake kubelet and pod-readiness controller, so
// the reconciler runs end to end in unit tests. Reads come from a "cache" that is the store
// itself, or a frozen snapshot of it (a stale informer); every write is logged in order.
import type { V1ControllerRevision, V1Pod, V1PersistentVolumeClaim, V1ResourceRequirements } from '@kubernetes/client-node';
import type { CloneSet, CloneSetStatus } from '../../../api/cloneset.ts';
import type { CloneSetPort, EventType, PodMutation } from '../reconcile.ts';

export class ApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly body?: string,
  ) {
    super(message);
  }
}

export interface FakeEvent {
  readonly type: EventType;
  readonly reason: string;
  readonly message: string;
}

interface Store {
  cs: CloneSet;
  pods: Map<string, V1Pod>;
  claims: Map<string, V1PersistentVolumeClaim>;
  revisions: Map<string, V1ControllerRevision>;
}

const clone = <T>(v: T): T => structuredClone(v);
const isoAt = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Copies of Date fields come back as strings, as they do from the informer cache. */
function asJson<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

export class FakeCluster implements CloneSetPort {
  private readonly store: Store;
  /** A stale cache: reads return this snapshot while set. */
  private frozen: Store | undefined;
  readonly writes: string[] = [];
  readonly events: FakeEvent[] = [];
  clock: number;
  /** Names of pods whose next update fails with this error code (once). */
  readonly failNextUpdate = new Map<string, number>();
  /** When set, every pod and PVC creation fails with it. */
  createError: ApiError | undefined;
  /** When set, status writes fail with it. */
  statusError: ApiError | undefined;
  private seq = 0;
  private rv = 1;

  constructor(cs: CloneSet, now: number) {
    const stored = clone(cs);
    stored.metadata = { uid: 'uid-cs', generation: 1, namespace: 'ns', resourceVersion: '1', ...stored.metadata };
    this.store = { cs: stored, pods: new Map(), claims: new Map(), revisions: new Map() };
    this.clock = now;
  }

  private nextRv(): string {
    return String(++this.rv);
  }

  private get view(): Store {
    return this.frozen ?? this.store;
  }

  /** Start serving reads from a snapshot of now. */
  freezeCache(): void {
    this.frozen = clone(this.store);
  }

  thawCache(): void {
    this.frozen = undefined;
  }

  // ---- test access to the truth ----

  get cs(): CloneSet {
    return this.store.cs;
  }
  pods(): V1Pod[] {
    return [...this.store.pods.values()].sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  }
  pod(name: string): V1Pod {
    const p = this.store.pods.get(name);
    if (!p) throw new Error(`no pod ${name}; have ${[...this.store.pods.keys()].join(', ')}`);
    return p;
  }
  claims(): V1PersistentVolumeClaim[] {
    return [...this.store.claims.values()];
  }
  revisions(): V1ControllerRevision[] {
    return [...this.store.revisions.values()];
  }
  /** Change the CloneSet spec as a user would (bumps generation). */
  setSpec(change: (spec: CloneSet['spec']) => void): void {
    const next = clone(this.store.cs);
    change(next.spec);
    next.metadata = { ...next.metadata, generation: (next.metadata?.generation ?? 0) + 1, resourceVersion: this.nextRv() };
    this.store.cs = next;
  }
  /** A pod created or changed by someone else (test setup, a user, the kubelet). */
  putPod(pod: V1Pod): void {
    const name = pod.metadata?.name ?? '';
    const stored = clone(pod);
    stored.metadata = { uid: `uid-${name}-${++this.seq}`, creationTimestamp: isoAt(this.clock) as unknown as Date, ...stored.metadata, resourceVersion: this.nextRv() };
    this.store.pods.set(name, stored);
  }
  /** A pod removed by someone else (eviction, a user). */
  removePod(name: string): void {
    this.store.pods.delete(name);
  }
  takeWrites(): string[] {
    return this.writes.splice(0);
  }

  // ---- reads (the cache) ----

  getCloneSet(): CloneSet | undefined {
    return asJson(this.view.cs);
  }
  listPods(): V1Pod[] {
    return [...this.view.pods.values()].map(asJson);
  }
  listClaims(): V1PersistentVolumeClaim[] {
    return [...this.view.claims.values()].map(asJson);
  }
  listRevisions(): V1ControllerRevision[] {
    return [...this.view.revisions.values()].map(asJson);
  }
  nodeLabels(): ReadonlyMap<string, Readonly<Record<string, string>>> {
    return new Map();
  }
  now(): number {
    return this.clock;
  }

  // ---- writes ----

  async createPod(_ns: string, pod: V1Pod): Promise<V1Pod> {
    if (this.createError) throw this.createError;
    const name = pod.metadata?.name ?? '';
    if (this.store.pods.has(name)) throw new ApiError(409, `pods "${name}" already exists`);
    this.putPod({ ...pod, status: { phase: 'Pending' } });
    this.writes.push(`create pod ${name}`);
    return asJson(this.pod(name));
  }

  async deletePod(_ns: string, name: string, uid: string | undefined): Promise<void> {
    const p = this.store.pods.get(name);
    if (!p) return;
    if (uid && p.metadata?.uid !== uid) throw new ApiError(409, `uid precondition failed for ${name}`);
    this.store.pods.delete(name);
    this.writes.push(`delete pod ${name}`);
  }

  private async writePod(name: string, mutate: PodMutation, what: string): Promise<V1Pod | undefined> {
    const code = this.failNextUpdate.get(name);
    if (code !== undefined) {
      this.failNextUpdate.delete(name);
      throw new ApiError(code, `injected failure updating ${name}`);
    }
    const live = this.store.pods.get(name);
    if (!live) throw new ApiError(404, `pods "${name}" not found`);
    const next = mutate(asJson(live));
    if (next === undefined) return undefined;
    const stored = asJson(next);
    stored.metadata = { ...stored.metadata, resourceVersion: this.nextRv() };
    this.store.pods.set(name, stored);
    this.writes.push(`${what} ${name}`);
    return asJson(stored);
  }

  updatePod(_ns: string, name: string, mutate: PodMutation): Promise<V1Pod | undefined> {
    return this.writePod(name, mutate, 'update pod');
  }

  updatePodStatus(_ns: string, name: string, mutate: PodMutation): Promise<V1Pod | undefined> {
    // Only status may change through the subresource.
    return this.writePod(name, (p) => {
      const next = mutate(p);
      return next && { ...p, status: next.status };
    }, 'update pod status');
  }

  async resizePod(_ns: string, name: string, containers: readonly { name: string; resources: V1ResourceRequirements }[]): Promise<V1Pod> {
    const written = await this.writePod(name, (p) => {
      for (const c of p.spec?.containers ?? []) {
        const r = containers.find((x) => x.name === c.name);
        if (r) c.resources = clone(r.resources);
      }
      return p;
    }, 'resize pod');
    return written as V1Pod;
  }

  async createClaim(_ns: string, claim: V1PersistentVolumeClaim): Promise<V1PersistentVolumeClaim> {
    if (this.createError) throw this.createError;
    const name = claim.metadata?.name ?? '';
    if (this.store.claims.has(name)) throw new ApiError(409, `persistentvolumeclaims "${name}" already exists`);
    const stored = clone(claim);
    stored.metadata = { ...stored.metadata, uid: `uid-${name}-${++this.seq}`, resourceVersion: this.nextRv() };
    stored.status = { phase: 'Bound' };
    this.store.claims.set(name, stored);
    this.writes.push(`create pvc ${name}`);
    return asJson(stored);
  }

  async deleteClaim(_ns: string, name: string): Promise<void> {
    if (!this.store.claims.delete(name)) return;
    this.writes.push(`delete pvc ${name}`);
  }

  async updateClaim(_ns: string, name: string, mutate: (c: V1PersistentVolumeClaim) => V1PersistentVolumeClaim): Promise<void> {
    const live = this.store.claims.get(name);
    if (!live) throw new ApiError(404, `persistentvolumeclaims "${name}" not found`);
    const next = mutate(asJson(live));
    this.store.claims.set(name, { ...next, metadata: { ...next.metadata, resourceVersion: this.nextRv() } });
    this.writes.push(`update pvc ${name}`);
  }

  async createRevision(_ns: string, revision: V1ControllerRevision): Promise<V1ControllerRevision> {
    const name = revision.metadata?.name ?? '';
    if (this.store.revisions.has(name)) throw new ApiError(409, `controllerrevisions "${name}" already exists`);
    const stored = asJson(revision);
    stored.metadata = { ...stored.metadata, uid: `uid-${name}`, resourceVersion: this.nextRv(), creationTimestamp: isoAt(this.clock) as unknown as Date };
    this.store.revisions.set(name, stored);
    this.writes.push(`create revision ${name}`);
    return asJson(stored);
  }

  async readRevision(_ns: string, name: string): Promise<V1ControllerRevision | undefined> {
    const r = this.store.revisions.get(name);
    return r && asJson(r);
  }

  async updateRevision(_ns: string, name: string, mutate: (r: V1ControllerRevision) => V1ControllerRevision): Promise<void> {
    const live = this.store.revisions.get(name);
    if (!live) throw new ApiError(404, `controllerrevisions "${name}" not found`);
    this.store.revisions.set(name, asJson(mutate(asJson(live))));
    this.writes.push(`update revision ${name}`);
  }

  async deleteRevision(_ns: string, name: string): Promise<void> {
    if (this.store.revisions.delete(name)) this.writes.push(`delete revision ${name}`);
  }

  async updateStatus(_ns: string, _name: string, status: CloneSetStatus): Promise<void> {
    if (this.statusError) throw this.statusError;
    this.store.cs = { ...this.store.cs, status: asJson(status), metadata: { ...this.store.cs.metadata, resourceVersion: this.nextRv() } };
    this.writes.push('update status');
  }

  async updateCloneSet(_ns: string, _name: string, mutate: (cs: CloneSet) => CloneSet | undefined): Promise<void> {
    const next = mutate(asJson(this.store.cs));
    if (!next) return;
    this.store.cs = { ...asJson(next), metadata: { ...next.metadata, generation: (next.metadata?.generation ?? 0) + 1, resourceVersion: this.nextRv() } };
    this.writes.push('update cloneset');
  }

  event(_cs: CloneSet, type: EventType, reason: string, message: string): void {
    this.events.push({ type, reason, message });
  }

  // ---- the simulated node side ----

  /**
   * One kubelet + pod-readiness pass over every pod: schedule and start pending pods, restart
   * containers whose image changed (new imageID), apply resized resources, set KruisePodReady
   * when missing, and keep Ready = containers ready AND every readiness gate True.
   * Returns true when it changed something.
   */
  kubelet(): boolean {
    let changed = false;
    for (const [name, live] of this.store.pods) {
      const before = JSON.stringify(live);
      const p = asJson(live);
      const status = (p.status ??= {});
      const conditions = (status.conditions ??= []);
      const set = (type: string, value: 'True' | 'False') => {
        const c = conditions.find((x) => x.type === type);
        if (c?.status === value) return;
        if (c) {
          c.status = value;
          c.lastTransitionTime = isoAt(this.clock) as unknown as Date;
        } else conditions.push({ type, status: value, lastTransitionTime: isoAt(this.clock) as unknown as Date });
      };
      if ((p.spec?.readinessGates ?? []).some((g) => g.conditionType === 'KruisePodReady') && !conditions.some((c) => c.type === 'KruisePodReady')) set('KruisePodReady', 'True');
      if (status.phase === 'Pending') {
        p.spec = { ...p.spec, containers: p.spec?.containers ?? [], nodeName: p.spec?.nodeName ?? `node-${name}` };
        status.phase = 'Running';
        status.containerStatuses = (p.spec.containers ?? []).map((c) => ({
          name: c.name, image: c.image ?? '', imageID: `${c.image}@sha256:1`, ready: true, restartCount: 0, resources: clone(c.resources ?? {}),
        }));
      } else if (status.phase === 'Running') {
        for (const c of p.spec?.containers ?? []) {
          const s = status.containerStatuses?.find((x) => x.name === c.name);
          if (!s) continue;
          if (s.image !== c.image) {
            s.image = c.image ?? '';
            s.imageID = `${c.image}@sha256:${s.restartCount + 2}`;
            s.restartCount++;
          }
          if (JSON.stringify(s.resources ?? {}) !== JSON.stringify(c.resources ?? {})) s.resources = clone(c.resources ?? {});
        }
      }
      if (status.phase === 'Running') {
        const gatesOk = (p.spec?.readinessGates ?? []).every((g) => conditions.some((c) => c.type === g.conditionType && c.status === 'True'));
        set('Ready', gatesOk ? 'True' : 'False');
      }
      if (JSON.stringify(p) !== before) {
        p.metadata = { ...p.metadata, resourceVersion: this.nextRv() };
        this.store.pods.set(name, p);
        changed = true;
      }
    }
    return changed;
  }
}
