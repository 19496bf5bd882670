// SidecarSetReconciler (OpenKruise pkg/controller/sidecarset/sidecarset_processor.go UpdateSidecarSet):
// matching pods → latest revision registered (history truncated) → status → wait for the cache to
// show earlier pod writes → reset finished hot upgrades → unless NotUpdate, all updated or paused:
// mark pods that cannot be upgraded, and upgrade the next pods in place. Reads and writes go
// through SidecarSetPort; the plans come from the pure modules of this folder.
import type { V1ControllerRevision, V1Pod, V1PodCondition } from '@kubernetes/client-node';
import { CONDITION_SIDECARSET_UPGRADABLE, LABEL_SIDECARSET_CUSTOM_VERSION, LABEL_SIDECARSET_NAME, type SidecarSet, type SidecarSetStatus } from '../../api/sidecarset.ts';
import type { ReconcileResult } from '../../runtime/controller.ts';
import { injectedList, isHotUpgrade, type NamespaceLabels, podMatchesSidecarSet } from './pod-records.ts';
import { activeRevisions, planLatestRevision, revisionsToDelete } from './revision.ts';
import { calculateStatus, matchingPods, statusChanged } from './status.ts';
import { flippedPod, planUpgrade, readyToFlip, upgradedPod } from './upgrade.ts';

export type PodMutation = (pod: V1Pod) => V1Pod | undefined;

export interface SidecarSetPort {
  getSidecarSet(name: string): SidecarSet | undefined;
  listSidecarSets(): SidecarSet[];
  /** Pods of one namespace, or of all namespaces when undefined. */
  listPods(namespace?: string): V1Pod[];
  namespaceLabels: NamespaceLabels;
  /** Names of the namespaces whose labels match. */
  namespacesMatching(s: SidecarSet): string[];
  /** ControllerRevisions of the SidecarSet in the manager namespace. */
  listRevisions(setName: string): V1ControllerRevision[];
  readonly managerNamespace: string;
  createRevision(body: V1ControllerRevision): Promise<V1ControllerRevision>;
  /** Set .revision of an existing revision; returns it as written. */
  renumberRevision(name: string, revision: number): Promise<V1ControllerRevision>;
  labelRevision(name: string, labels: Record<string, string>): Promise<void>;
  deleteRevision(name: string): Promise<void>;
  writeStatus(name: string, status: SidecarSetStatus): Promise<void>;
  /** Read-modify-write of a pod (from the cache, re-read on conflict); the written pod, or undefined. */
  updatePod(namespace: string, name: string, mutate: PodMutation): Promise<V1Pod | undefined>;
  /** Read-modify-write of a pod's status (from the cache, re-read on conflict). */
  updatePodStatus(namespace: string, name: string, mutate: PodMutation): Promise<V1Pod | undefined>;
  event(s: SidecarSet, type: 'Normal' | 'Warning', reason: string, message: string): void;
  now(): Date;
}

/** Pods written by the controller, by "ns/name", with the resourceVersion written; the cache must show it before the next plan. */
export class WriteExpectations {
  private readonly pending = new Map<string, Map<string, string>>();
  expect(set: string, pod: V1Pod): void {
    const key = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
    const m = this.pending.get(set) ?? new Map<string, string>();
    m.set(key, pod.metadata?.resourceVersion ?? '');
    this.pending.set(set, m);
  }
  /** Drops what the cache shows; true when nothing is pending. */
  satisfied(set: string, cached: (key: string) => V1Pod | undefined): boolean {
    const m = this.pending.get(set);
    if (!m) return true;
    for (const [key, rv] of m) {
      const p = cached(key);
      if (!p || p.metadata?.deletionTimestamp || Number(p.metadata?.resourceVersion ?? 0) >= Number(rv)) m.delete(key);
    }
    if (!m.size) this.pending.delete(set);
    return !m.size;
  }
  forget(set: string): void {
    this.pending.delete(set);
  }
}

function upgradableMessage(pod: V1Pod, set: string, upgradable: boolean): V1PodCondition {
  const old = pod.status?.conditions?.find((c) => c.type === CONDITION_SIDECARSET_UPGRADABLE);
  let kv: Record<string, boolean> = {};
  try {
    kv = old?.message ? (JSON.parse(old.message) as Record<string, boolean>) : {};
  } catch {
    kv = {};
  }
  kv[set] = upgradable;
  const all = Object.values(kv).every(Boolean);
  const sorted = Object.fromEntries(Object.entries(kv).sort(([a], [b]) => (a < b ? -1 : 1)));
  return { type: CONDITION_SIDECARSET_UPGRADABLE, status: all ? 'True' : 'False', reason: all ? 'AllSidecarsetUpgradable' : 'UpdateImmutableField', message: JSON.stringify(sorted) };
}

const sameCondition = (a: V1PodCondition | undefined, b: V1PodCondition): boolean => !!a && a.status === b.status && a.reason === b.reason && a.message === b.message;

export class SidecarSetReconciler {
  readonly expectations = new WriteExpectations();
  constructor(private readonly port: SidecarSetPort) {}

  private scopedPods(s: SidecarSet): V1Pod[] {
    const spec = s.spec ?? {};
    if (spec.namespace) return this.port.listPods(spec.namespace);
    if (spec.namespaceSelector) return this.port.namespacesMatching(s).flatMap((ns) => this.port.listPods(ns));
    return this.port.listPods();
  }

  /** Registers the current spec as the latest revision and truncates the history; returns the latest name. */
  private async registerRevision(s: SidecarSet, pods: readonly V1Pod[]): Promise<{ latest: string; collisionCount: number }> {
    const name = s.metadata?.name ?? '';
    let collisionCount = s.status?.collisionCount ?? 0;
    let revisions = this.port.listRevisions(name);
    const plan = planLatestRevision(s, revisions, this.port.managerNamespace, collisionCount);
    let latest = plan.latest;
    if (plan.action === 'renumber') {
      latest = await this.port.renumberRevision(plan.latest.metadata!.name!, plan.revision);
      revisions = [...revisions.filter((r) => r.metadata?.name !== latest.metadata?.name), latest];
    } else if (plan.action === 'create') {
      for (;;) {
        try {
          latest = await this.port.createRevision(plan.latest);
          break;
        } catch (err) {
          // A same-named revision with other data is a hash collision: try the next name.
          if ((err as { code?: number }).code !== 409) throw err;
          const existing = this.port.listRevisions(name).find((r) => r.metadata?.name === plan.latest.metadata?.name);
          if (existing && JSON.stringify(existing.data) === JSON.stringify(plan.latest.data)) {
            latest = existing;
            break;
          }
          collisionCount++;
          const retry = planLatestRevision(s, revisions, this.port.managerNamespace, collisionCount);
          plan.latest = retry.latest;
        }
      }
      revisions = [...revisions, latest];
    }
    const custom = s.metadata?.labels?.[LABEL_SIDECARSET_CUSTOM_VERSION];
    if (custom && latest.metadata?.labels?.[LABEL_SIDECARSET_CUSTOM_VERSION] !== custom) {
      await this.port.labelRevision(latest.metadata!.name!, { [LABEL_SIDECARSET_CUSTOM_VERSION]: custom });
      latest = { ...latest, metadata: { ...latest.metadata, labels: { ...latest.metadata?.labels, [LABEL_SIDECARSET_CUSTOM_VERSION]: custom } } };
      revisions = revisions.map((r) => (r.metadata?.name === latest.metadata?.name ? latest : r));
    }
    for (const r of revisionsToDelete(s, revisions, activeRevisions(s, pods, revisions))) await this.port.deleteRevision(r.metadata!.name!);
    return { latest: latest.metadata?.name ?? '', collisionCount };
  }

  async reconcile(name: string): Promise<ReconcileResult | void> {
    const cached = this.port.getSidecarSet(name);
    if (!cached || cached.metadata?.deletionTimestamp) {
      this.expectations.forget(name);
      return;
    }
    const pods = matchingPods(cached, this.scopedPods(cached), this.port.namespaceLabels);
    const { latest, collisionCount } = await this.registerRevision(cached, pods);
    const status = calculateStatus(cached, pods, latest, collisionCount);
    if (statusChanged(cached.status, status)) await this.port.writeStatus(name, status);
    const s: SidecarSet = { ...cached, status };

    const byKey = new Map(this.port.listPods().map((p) => [`${p.metadata?.namespace}/${p.metadata?.name}`, p]));
    if (!this.expectations.satisfied(name, (k) => byKey.get(k))) return { requeueAfterMs: 1000 };

    const now = this.port.now().toISOString();
    if ((s.spec?.containers ?? []).some(isHotUpgrade)) {
      for (const p of pods.filter((x) => readyToFlip(s, x))) {
        const written = await this.port.updatePod(p.metadata!.namespace!, p.metadata!.name!, (cur) => (readyToFlip(s, cur) ? flippedPod(s, cur, now) : undefined));
        if (written) {
          this.expectations.expect(name, written);
          this.port.event(s, 'Normal', 'ResetContainerSucceed', `reset sidecar container image empty successfully in pod ${p.metadata?.namespace}/${p.metadata?.name}`);
        }
      }
    }
    const us = s.spec?.updateStrategy ?? {};
    if (us.type === 'NotUpdate' || status.updatedPods >= status.matchedPods || us.paused) return;

    const plan = planUpgrade(s, pods);
    for (const p of plan.notUpgradable) await this.setUpgradable(name, p, false);
    if (plan.notUpgradable.length) this.port.event(s, 'Normal', 'NotUpgradablePods', `SidecarSet in-place update detected ${plan.notUpgradable.length} not upgradable pod(s) in this round, will skip them.`);
    for (const p of plan.upgrade) {
      const written = await this.port.updatePod(p.metadata!.namespace!, p.metadata!.name!, (cur) => upgradedPod(s, cur, now, () => this.matchedNames(cur)));
      if (written) this.expectations.expect(name, written);
      await this.setUpgradable(name, written ?? p, true);
    }
  }

  private matchedNames(pod: V1Pod): string {
    const names = this.port.listSidecarSets().filter((x) => podMatchesSidecarSet(pod, x, this.port.namespaceLabels)).map((x) => x.metadata?.name ?? '');
    return names.length ? names.join(',') : injectedList(pod).join(',');
  }

  private async setUpgradable(set: string, pod: V1Pod, upgradable: boolean): Promise<void> {
    const now = this.port.now();
    const withCondition = (cur: V1Pod): V1Pod | undefined => {
      const cond = upgradableMessage(cur, set, upgradable);
      const old = cur.status?.conditions?.find((c) => c.type === CONDITION_SIDECARSET_UPGRADABLE);
      if (sameCondition(old, cond)) return undefined;
      const next = structuredClone(cur);
      const full: V1PodCondition = { ...cond, lastTransitionTime: (old?.status === cond.status ? old.lastTransitionTime : undefined) ?? now };
      next.status = { ...next.status, conditions: [...(next.status?.conditions ?? []).filter((c) => c.type !== CONDITION_SIDECARSET_UPGRADABLE), full] };
      return next;
    };
    if (!withCondition(pod)) return;
    await this.port.updatePodStatus(pod.metadata!.namespace!, pod.metadata!.name!, withCondition);
  }
}

/** Keys to reconcile for a pod event: the SidecarSets it names as injected. */
export function sidecarSetsOfPod(pod: V1Pod): string[] {
  return injectedList(pod);
}

/** Keys to reconcile for a revision event: the SidecarSet it belongs to. */
export function sidecarSetOfRevision(r: V1ControllerRevision): string | undefined {
  return r.metadata?.labels?.[LABEL_SIDECARSET_NAME];
}
