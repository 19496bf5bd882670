// A tiny cluster for walkthrough tests: the planners play the controller, and a fake kubelet
// starts pods and finishes in-place updates. Everything is synchronous and deterministic.
import { isPodAvailable } from '../availability.ts';
import { isAtRevision, shortHash } from '../revision.ts';
import { planScale, type ScaleAction } from '../scale.ts';
import { calculateStatus, type CloneSetStatus } from '../status.ts';
import type { CloneSetFlags, CloneSetSpecView, PodView } from '../types.ts';
import { planUpdate, type UpdatePlan } from '../update.ts';
import { T0 } from './builders.ts';

export interface Snapshot {
  /** What just happened, e.g. "create demo-n0001" or "kubelet". */
  readonly event: string;
  readonly total: number;
  readonly old: number;
  readonly updated: number;
  readonly available: number;
  readonly names: readonly string[];
  readonly status: CloneSetStatus;
}

export interface SimOptions {
  readonly spec: CloneSetSpecView;
  readonly pods: readonly PodView[];
  readonly revision: string;
  readonly flags?: CloneSetFlags;
  /** Defaults to "always possible" (an image-only change). */
  readonly canUpdateInPlace?: (from: string, to: string) => boolean;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export class CloneSetSim {
  spec: CloneSetSpecView;
  pods: PodView[];
  currentRevision: string;
  updateRevision: string;
  now = T0;
  readonly log: Snapshot[] = [];
  readonly created: string[] = [];
  readonly deleted: string[] = [];
  readonly inPlaceUpdated: string[] = [];
  readonly markedForRecreate: string[] = [];
  readonly failures: string[] = [];
  private nextId = 0;

  constructor(private readonly opts: SimOptions) {
    this.spec = opts.spec;
    this.pods = [...opts.pods];
    this.currentRevision = opts.revision;
    this.updateRevision = opts.revision;
  }

  /** A new template: the update revision changes; status.currentRevision stays until settled. */
  rollout(revision: string): void {
    this.updateRevision = revision;
  }

  private get revisions() {
    return { current: this.currentRevision, update: this.updateRevision };
  }

  status(): CloneSetStatus {
    return calculateStatus({
      spec: this.spec, pods: this.pods, revisions: this.revisions, generation: 1, collisionCount: 0, labelSelector: 'app=demo', now: this.now,
    });
  }

  private snapshot(event: string): void {
    const updated = this.pods.filter((p) => isAtRevision(p, this.updateRevision)).length;
    this.log.push({
      event,
      total: this.pods.length,
      old: this.pods.length - updated,
      updated,
      available: this.pods.filter((p) => isPodAvailable(p, this.spec.minReadySeconds ?? 0, this.now)).length,
      names: this.pods.map((p) => p.name).sort(),
      status: this.status(),
    });
  }

  private patch(name: string, change: Partial<Mutable<PodView>>): void {
    this.pods = this.pods.map((p) => (p.name === name ? { ...p, ...change } : p));
  }

  private find(name: string): PodView {
    const p = this.pods.find((x) => x.name === name);
    if (!p) throw new Error(`no pod ${name}`);
    return p;
  }

  /** One controller reconcile; true if it changed anything. */
  reconcile(): boolean {
    // Status is computed from what the reconcile observed, before acting.
    this.currentRevision = this.status().currentRevision;
    const scale = planScale({
      spec: this.spec, pods: this.pods, revisions: this.revisions, now: this.now,
      ...(this.opts.flags !== undefined && { flags: this.opts.flags }),
      newInstanceId: () => `n${String(++this.nextId).padStart(4, '0')}`,
    });
    if (scale.action.kind !== 'none') {
      this.applyScale(scale.action);
      return true;
    }
    const update = planUpdate({
      spec: this.spec, pods: this.pods, revisions: this.revisions, now: this.now,
      ...(this.opts.flags !== undefined && { flags: this.opts.flags }),
      canUpdateInPlace: this.opts.canUpdateInPlace ?? (() => true),
    });
    return this.applyUpdate(update);
  }

  private applyScale(action: ScaleAction): void {
    switch (action.kind) {
      case 'none':
        return;
      case 'cancelPreparingDelete':
        for (const name of action.pods) this.patch(name, { lifecycleState: 'PreparingNormal' });
        this.snapshot(`cancel delete ${action.pods.join(',')}`);
        return;
      case 'create':
        for (const c of action.pods) {
          const name = `demo-${c.instanceId}`;
          this.pods.push({
            name, instanceId: c.instanceId, revision: c.revision, phase: 'Pending', ready: false,
            lifecycleState: 'PreparingNormal', creationTime: this.now, nodeName: `node-${c.instanceId}`,
            labels: { 'controller-revision-hash': c.revision, 'pod-template-hash': shortHash(c.revision) },
          });
          this.created.push(name);
          this.snapshot(`create ${name}`);
        }
        return;
      case 'delete':
        for (const d of action.deletions) {
          if (d.action === 'preparingDelete') {
            this.patch(d.pod, { lifecycleState: 'PreparingDelete' });
            this.snapshot(`preparing delete ${d.pod}`);
          } else {
            this.pods = this.pods.filter((p) => p.name !== d.pod);
            this.deleted.push(d.pod);
            this.snapshot(`delete ${d.pod}`);
          }
        }
    }
  }

  private applyUpdate(plan: UpdatePlan): boolean {
    for (const r of plan.refresh.refreshes) {
      if (r.setInPlaceUpdateReady) this.patch(r.pod, { inPlaceUpdateReady: true });
      if (r.lifecycle) this.patch(r.pod, { lifecycleState: r.lifecycle.state });
      if (r.podTemplateHash) this.patch(r.pod, { labels: { ...this.find(r.pod).labels, 'pod-template-hash': r.podTemplateHash } });
    }
    if (plan.refresh.refreshes.length > 0) this.snapshot('refresh');
    for (const u of plan.updates) {
      switch (u.kind) {
        case 'inPlace': {
          const p = this.find(u.pod);
          // The readiness gate turns Ready off before the containers restart.
          this.patch(u.pod, {
            revision: u.revision, lifecycleState: 'Updating', inPlaceUpdateReady: false, ready: false,
            inPlaceUpdate: { inGracePeriod: false, completed: false },
            labels: { ...p.labels, 'controller-revision-hash': u.revision, 'pod-template-hash': shortHash(u.revision) },
          });
          this.inPlaceUpdated.push(u.pod);
          this.snapshot(`in-place ${u.pod}`);
          break;
        }
        case 'preparingUpdate':
          this.patch(u.pod, { lifecycleState: 'PreparingUpdate' });
          this.snapshot(`preparing update ${u.pod}`);
          break;
        case 'recreate':
          this.patch(u.pod, { specifiedDelete: true });
          this.markedForRecreate.push(u.pod);
          this.snapshot(`recreate ${u.pod}`);
          break;
        case 'failed':
          this.failures.push(u.message);
      }
    }
    return plan.refresh.refreshes.length > 0 || plan.updates.some((u) => u.kind !== 'failed');
  }

  /** The kubelet: starts pending pods, finishes in-place restarts, and reports readiness (gated on InPlaceUpdateReady). */
  kubelet(): boolean {
    let changed = false;
    for (const p of this.pods) {
      if (p.phase === 'Pending') {
        this.patch(p.name, { phase: 'Running' });
        changed = true;
      }
      if (p.inPlaceUpdate && !p.inPlaceUpdate.completed) {
        this.patch(p.name, { inPlaceUpdate: { inGracePeriod: false, completed: true }, restartCount: (p.restartCount ?? 0) + 1 });
        changed = true;
      }
      const q = this.find(p.name);
      const ready = q.phase === 'Running' && q.inPlaceUpdateReady === true && !(q.inPlaceUpdate && !q.inPlaceUpdate.completed);
      if (ready !== q.ready) {
        this.patch(p.name, { ready, readySince: this.now });
        changed = true;
      }
    }
    if (changed) this.snapshot('kubelet');
    return changed;
  }

  /** Reconcile until quiet, then let the kubelet act, until neither has anything to do. */
  run(maxRounds = 500): void {
    for (let round = 0; round < maxRounds; round++) {
      this.now += 1000;
      if (this.reconcile()) continue;
      if (this.kubelet()) continue;
      return;
    }
    throw new Error(`simulation did not settle in ${maxRounds} rounds; last events: ${this.log.slice(-5).map((s) => s.event).join(' | ')}`);
  }
}
