// The CloneSet reconcile (spec §2.7): read the cache through a port, derive the planners' views,
// sync ControllerRevisions, run Scale and, when Scale changed nothing, Update; apply each plan
// with expectations recorded before every create/delete and resourceVersion expectations after
// every pod write; then write the status computed from what this reconcile observed, drop
// vanished names from podsToDelete and prune revision history. All I/O goes through
// CloneSetPort, so tests drive it with an in-memory fake.
import type { V1ControllerRevision, V1PersistentVolumeClaim, V1Pod, V1PodTemplateSpec, V1ResourceRequirements } from '@kubernetes/client-node';
import type { CloneSet, CloneSetCondition, CloneSetStatus as ApiStatus } from '../../api/cloneset.ts';
import {
  ANNOTATION_LIFECYCLE_TIMESTAMP,
  CLONESET_CONDITION_FAILED_SCALE,
  CLONESET_CONDITION_FAILED_UPDATE,
  CONDITION_INPLACE_UPDATE_READY,
  CONDITION_KRUISE_POD_READY,
  LABEL_CONTROLLER_REVISION_HASH,
  LABEL_LIFECYCLE_STATE,
  LABEL_POD_TEMPLATE_HASH,
  LABEL_SPECIFIED_DELETE,
  REASON_START_INPLACE_UPDATE,
} from '../../api/constants.ts';
import { Expectations, ReconcileError, ResourceVersionExpectations, errorMessage, statusCodeOf, type Logger } from '../../runtime/index.ts';

export { ReconcileError };
import { compileLabelSelector, type LabelSelector, type Labels } from '../shared/label-selector.ts';
import {
  ANNOTATION_VCT_HASH,
  LABEL_REVISION_HASH,
  planUpdateRevision,
  revisionsToDelete,
  sameData,
  sortRevisions,
  templateFromData,
  type RevisionView,
} from './history.ts';
import { calculateInPlaceSpec, type InPlaceDecision } from '../shared/inplace/diff.ts';
import { rfc3339 } from '../shared/inplace/state.ts';
import { graceProgress, heldImagesProgress, planInPlaceWrite } from './inplace.ts';
import { blockedResize, REASON_RESIZE_BLOCKED } from '../shared/inplace/sequence.ts';
import { notReadyKeyFor, withLifecycleNotReadyKey, withPodCondition } from '../shared/lifecycle.ts';
import { resolveCurrentRevision, shortHash } from './revision.ts';
import { planScale, type PodCreation, type PodDeletion, type ScaleAction } from './scale.ts';
import { calculateStatus, minReadyRequeueSeconds, statusNeedsWrite, type CloneSetStatus } from './status.ts';
import type { LifecycleHook, LifecycleState, PodView } from './types.ts';
import { planUpdate, type PodUpdate } from './update.ts';
import type { PodRefresh } from './refresh.ts';
import {
  buildClaims,
  buildPod,
  claimInstanceId,
  controllerRef,
  flagsFor,
  isActivePod,
  isControlledBy,
  NO_GATES,
  podName,
  podView,
  randomInstanceId,
  selectorString,
  specView,
  type CloneSetGates,
} from './views.ts';

export type EventType = 'Normal' | 'Warning';
export type PodMutation = (pod: V1Pod) => V1Pod | undefined;

/** Every read (from caches) and write a reconcile needs. */
export interface CloneSetPort {
  getCloneSet(namespace: string, name: string): CloneSet | undefined;
  listPods(namespace: string): V1Pod[];
  listClaims(namespace: string): V1PersistentVolumeClaim[];
  listRevisions(namespace: string): V1ControllerRevision[];
  /** Node labels by node name (scale-in ranking with topologySpreadConstraints). */
  nodeLabels(): ReadonlyMap<string, Labels>;

  createPod(namespace: string, pod: V1Pod): Promise<V1Pod>;
  /** Delete with a UID precondition; a pod already gone is not an error. */
  deletePod(namespace: string, name: string, uid: string | undefined): Promise<void>;
  /** Apply `mutate` to the pod and update it (retrying on conflict with a fresh copy); undefined when mutate declined. */
  updatePod(namespace: string, name: string, mutate: PodMutation): Promise<V1Pod | undefined>;
  /** Same, through the status subresource. */
  updatePodStatus(namespace: string, name: string, mutate: PodMutation): Promise<V1Pod | undefined>;
  /** Strategic-merge patch of container resources through pods/resize. */
  resizePod(namespace: string, name: string, containers: readonly { name: string; resources: V1ResourceRequirements }[]): Promise<V1Pod>;
  createClaim(namespace: string, claim: V1PersistentVolumeClaim): Promise<V1PersistentVolumeClaim>;
  /** A claim already gone is not an error. */
  deleteClaim(namespace: string, name: string, uid: string | undefined): Promise<void>;
  updateClaim(namespace: string, name: string, mutate: (claim: V1PersistentVolumeClaim) => V1PersistentVolumeClaim): Promise<void>;
  createRevision(namespace: string, revision: V1ControllerRevision): Promise<V1ControllerRevision>;
  readRevision(namespace: string, name: string): Promise<V1ControllerRevision | undefined>;
  updateRevision(namespace: string, name: string, mutate: (revision: V1ControllerRevision) => V1ControllerRevision): Promise<void>;
  deleteRevision(namespace: string, name: string): Promise<void>;
  /** Replace the status subresource (re-reading on conflict). */
  updateStatus(namespace: string, name: string, status: ApiStatus): Promise<void>;
  /** Update the CloneSet's spec (re-reading on conflict); mutate returns undefined to skip. */
  updateCloneSet(namespace: string, name: string, mutate: (cs: CloneSet) => CloneSet | undefined): Promise<void>;
  event(cs: CloneSet, type: EventType, reason: string, message: string): void;
  now(): number;
}

export interface ReconcilerOptions {
  readonly gates?: CloneSetGates;
  readonly logger?: Logger;
  readonly expectations?: Expectations;
  readonly resourceVersions?: ResourceVersionExpectations;
  /** Fresh instance ids (default: 5 random characters). */
  readonly newInstanceId?: (taken: ReadonlySet<string>) => string;
  /** Manager flag --cloneset-scaling-exclude-preparing-delete. */
  readonly scalingExcludePreparingDelete?: boolean;
}

export interface ReconcileOutcome {
  readonly requeueAfterMs?: number;
}


/**
 * A write refused because the namespace is being deleted (403, cause NamespaceTerminating) or is
 * gone (404 on the namespace): nothing to retry, the CloneSet goes with it.
 */
export function isNamespaceTerminating(err: unknown): boolean {
  const code = statusCodeOf(err);
  if (code !== 403 && code !== 404) return false;
  const body = (err as { body?: unknown }).body;
  const text = typeof body === 'string' ? body : JSON.stringify(body ?? '');
  if (code === 404) return /"kind"\s*:\s*"namespaces"/.test(text);
  return text.includes('NamespaceTerminating') || text.includes('because it is being terminated');
}
const CLAIM = 'pvc:';
/** How long to wait for the cache to show our own pod writes before looking again. */
const STALE_POD_RETRY_MS = 2000;
/** Upper bound on the wait for creations/deletions to show up; their events requeue earlier. */
const MAX_EXPECTATION_WAIT_MS = 30_000;

/**
 * Writes to different pods run this many at a time: through admission webhooks one pod write takes
 * a round trip of tens of milliseconds, and kruise's Go client pipelines what a serial loop here
 * would not.
 */
const WRITE_CONCURRENCY = 16;

/** Run fn over items with at most `limit` in flight; every item is attempted, the first error is rethrown. */
async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { err: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      try {
        await fn(item);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.err;
}

/** Everything one reconcile knows, shared by the apply steps. */
interface Ctx {
  readonly key: string;
  readonly cs: CloneSet;
  readonly namespace: string;
  readonly now: number;
  /** Active owned pods by name (cache copies). */
  readonly pods: ReadonlyMap<string, V1Pod>;
  readonly claims: readonly V1PersistentVolumeClaim[];
  readonly templates: ReadonlyMap<string, V1PodTemplateSpec>;
  readonly revisionOf: (label: string) => string | undefined;
  readonly decide: (from: string, to: string) => InPlaceDecision | undefined;
}

export class CloneSetReconciler {
  readonly expectations: Expectations;
  readonly resourceVersions: ResourceVersionExpectations;
  private readonly _gates: CloneSetGates;
  private readonly _log: Logger | undefined;
  private readonly _newId: (taken: ReadonlySet<string>) => string;
  private readonly _excludePreparingDelete: boolean;

  constructor(
    private readonly _port: CloneSetPort,
    opts: ReconcilerOptions = {},
  ) {
    this._gates = opts.gates ?? NO_GATES;
    this._log = opts.logger;
    this.expectations = opts.expectations ?? new Expectations();
    this.resourceVersions = opts.resourceVersions ?? new ResourceVersionExpectations();
    this._newId = opts.newInstanceId ?? ((taken) => randomInstanceId(taken));
    this._excludePreparingDelete = opts.scalingExcludePreparingDelete ?? false;
  }

  // ---- watch hooks ----

  /** A pod event of an owned pod: settles creation/deletion and resourceVersion expectations. */
  observePod(ownerKey: string, pod: V1Pod, type: 'add' | 'update' | 'delete'): void {
    const uid = pod.metadata?.uid ?? '';
    if (type === 'add') this.expectations.creationObserved(ownerKey, pod.metadata?.name ?? '');
    if (type === 'delete' || pod.metadata?.deletionTimestamp) this.expectations.deletionObserved(ownerKey, uid);
    if (type === 'delete') this.resourceVersions.delete(uid);
    else this.resourceVersions.observe(uid, pod.metadata?.resourceVersion);
  }

  /** A PVC event of an owned claim. */
  observeClaim(ownerKey: string, claim: V1PersistentVolumeClaim, type: 'add' | 'update' | 'delete'): void {
    if (type === 'add') this.expectations.creationObserved(ownerKey, CLAIM + (claim.metadata?.name ?? ''));
    if (type === 'delete' || claim.metadata?.deletionTimestamp) this.expectations.deletionObserved(ownerKey, claim.metadata?.uid ?? '');
  }

  /** The CloneSet is gone: forget what we expected for it. */
  forget(key: string): void {
    this.expectations.delete(key);
  }

  // ---- reconcile ----

  async reconcile(key: string): Promise<ReconcileOutcome> {
    try {
      return await this._reconcile(key);
    } catch (err) {
      if (isNamespaceTerminating(err) || (err instanceof ReconcileError && isNamespaceTerminating(err.cause))) return {};
      throw err;
    }
  }

  private async _reconcile(key: string): Promise<ReconcileOutcome> {
    const slash = key.indexOf('/');
    const namespace = key.slice(0, slash);
    const name = key.slice(slash + 1);
    const port = this._port;
    const cs = port.getCloneSet(namespace, name);
    if (!cs) {
      this.forget(key);
      return {};
    }
    // Pods go with the CloneSet through garbage collection; nothing to drive.
    if (cs.metadata?.deletionTimestamp) return {};

    const owned = port.listPods(namespace).filter((p) => isControlledBy(p, cs));
    const ownedClaims = port.listClaims(namespace).filter((c) => isControlledBy(c, cs));
    this._observeFromCache(key, owned, ownedClaims);
    if (!this.expectations.satisfied(key)) {
      return { requeueAfterMs: Math.max(1000, Math.min(this.expectations.remainingMs(key), MAX_EXPECTATION_WAIT_MS)) };
    }

    // claimPods: owned pods that stopped matching the selector are released, not managed.
    const matches = compileLabelSelector((cs.spec.selector ?? {}) as LabelSelector) ?? (() => false);
    const released = owned.filter((p) => !matches(p.metadata?.labels ?? {}));
    for (const p of released) await this._release(cs, p);
    const members = owned.filter((p) => matches(p.metadata?.labels ?? {}));
    const active = members.filter(isActivePod);
    // A pod we just wrote is not trusted until the cache shows that write.
    if (active.some((p) => !this.resourceVersions.satisfied(p.metadata?.uid ?? '', p.metadata?.resourceVersion))) {
      return { requeueAfterMs: STALE_POD_RETRY_MS };
    }

    const now = port.now();
    const claims = await this._cleanupClaims(key, cs, ownedClaims, members, active);
    const { revisions, current, update, collisionCount, templates, annotations } = await this._syncRevisions(cs, namespace);
    const ctx = this._context(key, cs, namespace, now, active, claims, templates, annotations, revisions);
    const views = active.map(podView);
    const spec = specView(cs);
    const revs = { current, update };

    let scaleError: unknown;
    let updateError: unknown;
    let requeueAfterMs: number | undefined;
    let scaled = false;
    try {
      const scale = await this._scale(ctx, views, revs, members);
      scaled = scale.changed;
      requeueAfterMs = scale.requeueAfterMs;
    } catch (err) {
      scaled = true;
      scaleError = err;
    }
    if (!scaled) {
      try {
        requeueAfterMs = await this._update(ctx, views, revs);
      } catch (err) {
        updateError = err;
      }
    }

    const status = calculateStatus({ spec, pods: views, revisions: revs, generation: cs.metadata?.generation ?? 0, collisionCount, labelSelector: selectorString(cs.spec.selector), now });
    const conditions: CloneSetCondition[] = [];
    const failed = (type: string, err: unknown) => conditions.push({ type, status: 'True', lastTransitionTime: rfc3339(now), message: errorMessage(err) });
    if (scaleError !== undefined) failed(CLONESET_CONDITION_FAILED_SCALE, scaleError);
    if (updateError !== undefined) failed(CLONESET_CONDITION_FAILED_UPDATE, updateError);
    try {
      await this._writeStatus(cs, status, conditions);
      await this._truncatePodsToDelete(cs, active);
    } catch (err) {
      // Deleted while we worked: garbage collection takes it from here.
      if (statusCodeOf(err) === 404) return {};
      throw err;
    }
    await this._truncateHistory(cs, namespace, revisions, current, update, owned);

    const failure = scaleError ?? updateError;
    if (failure !== undefined) throw new ReconcileError(`reconcile of CloneSet ${key}: ${errorMessage(failure)}`, { cause: failure });
    const minReady = minReadyRequeueSeconds(spec, status);
    const waits = [requeueAfterMs, minReady !== undefined ? minReady * 1000 : undefined].filter((v): v is number => v !== undefined);
    return waits.length > 0 ? { requeueAfterMs: Math.ceil(Math.min(...waits)) } : {};
  }

  private _context(
    key: string,
    cs: CloneSet,
    namespace: string,
    now: number,
    active: readonly V1Pod[],
    claims: readonly V1PersistentVolumeClaim[],
    templates: ReadonlyMap<string, V1PodTemplateSpec>,
    annotations: ReadonlyMap<string, Readonly<Record<string, string>>>,
    revisions: readonly RevisionView[],
  ): Ctx {
    const byHash = new Map(revisions.map((r) => [shortHash(r.name), r.name]));
    const revisionOf = (label: string): string | undefined => (templates.has(label) ? label : byHash.get(shortHash(label)));
    const inPlaceOnly = cs.spec.updateStrategy?.type === 'InPlaceOnly';
    const decisions = new Map<string, InPlaceDecision | undefined>();
    const decide = (fromLabel: string, toLabel: string): InPlaceDecision | undefined => {
      const from = revisionOf(fromLabel);
      const to = revisionOf(toLabel);
      if (from === undefined || to === undefined) return undefined;
      const k = `${from}\u0000${to}`;
      if (!decisions.has(k)) {
        const a = templates.get(from);
        const b = templates.get(to);
        const vct = this._gates.RecreatePodWhenChangeVCTInCloneSetGate && !inPlaceOnly;
        decisions.set(
          k,
          a && b
            ? calculateInPlaceSpec(a, b, {
                verticalScaling: this._gates.InPlaceWorkloadVerticalScaling,
                ...(vct && { vctHashes: { from: annotations.get(from)?.[ANNOTATION_VCT_HASH], to: annotations.get(to)?.[ANNOTATION_VCT_HASH] } }),
              })
            : undefined,
        );
      }
      return decisions.get(k);
    };
    return { key, cs, namespace, now, pods: new Map(active.map((p) => [p.metadata?.name ?? '', p])), claims, templates, revisionOf, decide };
  }

  /** Settle expectations from the cache itself, so a missed watch event cannot wedge the CloneSet. */
  private _observeFromCache(key: string, pods: readonly V1Pod[], claims: readonly V1PersistentVolumeClaim[]): void {
    const pending = this.expectations.pending(key);
    if (!pending) return;
    const podNames = new Set(pods.map((p) => p.metadata?.name ?? ''));
    const claimNames = new Set(claims.map((c) => CLAIM + (c.metadata?.name ?? '')));
    const live = new Set([...pods, ...claims].filter((o) => !o.metadata?.deletionTimestamp).map((o) => o.metadata?.uid ?? ''));
    for (const id of pending.creations) if (podNames.has(id) || claimNames.has(id)) this.expectations.creationObserved(key, id);
    for (const uid of pending.deletions) if (!live.has(uid)) this.expectations.deletionObserved(key, uid);
  }

  /** ReleasePod: drop our ownerReference from a pod that no longer matches the selector. */
  private async _release(cs: CloneSet, pod: V1Pod): Promise<void> {
    const uid = cs.metadata?.uid;
    try {
      await this._port.updatePod(cs.metadata?.namespace ?? '', pod.metadata?.name ?? '', (p) => {
        const refs = p.metadata?.ownerReferences ?? [];
        if (!refs.some((r) => r.uid === uid)) return undefined;
        return { ...p, metadata: { ...p.metadata, ownerReferences: refs.filter((r) => r.uid !== uid) } };
      });
    } catch (err) {
      this._log?.warn('pod not released', { pod: pod.metadata?.name, err });
    }
  }

  // ---- PVCs of vanished instances (disablePVCReuse) ----

  /**
   * cleanupPVCs: with disablePVCReuse, a claim whose instance has no active pod is handed to the
   * inactive pod of that instance (garbage collection removes it with the pod) or deleted.
   * Returns the claims still owned and usable.
   */
  private async _cleanupClaims(
    key: string,
    cs: CloneSet,
    claims: readonly V1PersistentVolumeClaim[],
    members: readonly V1Pod[],
    active: readonly V1Pod[],
  ): Promise<V1PersistentVolumeClaim[]> {
    if (!cs.spec.scaleStrategy?.disablePVCReuse) return [...claims];
    const activeIds = new Set(active.map((p) => podView(p).instanceId));
    const kept: V1PersistentVolumeClaim[] = [];
    for (const claim of claims) {
      const id = claimInstanceId(claim);
      if (activeIds.has(id) || claim.metadata?.deletionTimestamp) {
        kept.push(claim);
        continue;
      }
      const inactive = members.find((p) => podView(p).instanceId === id && !isActivePod(p));
      const name = claim.metadata?.name ?? '';
      if (inactive) {
        await this._port.updateClaim(cs.metadata?.namespace ?? '', name, (c) => ({
          ...c,
          metadata: { ...c.metadata, ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: inactive.metadata?.name ?? '', uid: inactive.metadata?.uid ?? '' }] },
        }));
      } else {
        const uid = claim.metadata?.uid;
        if (uid) this.expectations.expectDeletions(key, [uid]);
        try {
          await this._port.deleteClaim(cs.metadata?.namespace ?? '', name, uid);
        } catch (err) {
          if (uid) this.expectations.deletionObserved(key, uid);
          throw err;
        }
      }
    }
    return kept;
  }

  // ---- revisions ----

  private async _syncRevisions(cs: CloneSet, namespace: string) {
    const port = this._port;
    const csName = cs.metadata?.name ?? '';
    const owned = port.listRevisions(namespace).filter((r) => isControlledBy(r, cs));
    let revisions: RevisionView[] = sortRevisions(
      owned.map((r) => ({ name: r.metadata?.name ?? '', revision: Number(r.revision ?? 0), data: r.data, annotations: r.metadata?.annotations ?? {} })),
    );
    let collisionCount = cs.status?.collisionCount ?? 0;
    let plan = planUpdateRevision(csName, cs.spec.template, cs.spec.volumeClaimTemplates, revisions, collisionCount);
    if (plan.kind === 'bump') {
      const { name, revision, vctHash } = plan;
      await port.updateRevision(namespace, name, (r) => ({
        ...r,
        revision,
        metadata: { ...r.metadata, annotations: { ...(r.metadata?.annotations ?? {}), [ANNOTATION_VCT_HASH]: vctHash } },
      }));
      revisions = sortRevisions(revisions.map((r) => (r.name === name ? { ...r, revision, annotations: { ...r.annotations, [ANNOTATION_VCT_HASH]: vctHash } } : r)));
    }
    for (let attempt = 0; plan.kind === 'create'; attempt++) {
      const body: V1ControllerRevision = {
        apiVersion: 'apps/v1',
        kind: 'ControllerRevision',
        metadata: {
          name: plan.name,
          namespace,
          labels: { ...(cs.spec.template?.metadata?.labels ?? {}), [LABEL_REVISION_HASH]: plan.hash },
          annotations: { ...(cs.metadata?.annotations ?? {}), [ANNOTATION_VCT_HASH]: plan.vctHash },
          ownerReferences: [controllerRef(cs)],
        },
        data: plan.data,
        revision: plan.revision,
      };
      try {
        await port.createRevision(namespace, body);
        revisions = sortRevisions([...revisions, { name: plan.name, revision: plan.revision, data: plan.data, annotations: body.metadata?.annotations ?? {} }]);
        break;
      } catch (err) {
        if (statusCodeOf(err) !== 409 || attempt >= 5) throw err;
        // Ours with the same data (a cache that has not shown it yet): use it. Otherwise a hash collision.
        const existing = await port.readRevision(namespace, plan.name);
        if (existing && isControlledBy(existing, cs) && sameData(existing.data, plan.data)) {
          const view = { name: plan.name, revision: Number(existing.revision ?? 0), data: existing.data, annotations: existing.metadata?.annotations ?? {} };
          revisions = sortRevisions([...revisions.filter((r) => r.name !== plan.name), view]);
          break;
        }
        collisionCount++;
        plan = planUpdateRevision(csName, cs.spec.template, cs.spec.volumeClaimTemplates, revisions, collisionCount);
      }
    }
    const update = plan.name;
    const current = resolveCurrentRevision(cs.status?.currentRevision || undefined, revisions.map((r) => r.name), update);
    const templates = new Map<string, V1PodTemplateSpec>();
    const annotations = new Map<string, Readonly<Record<string, string>>>();
    for (const r of revisions) {
      const t = templateFromData(r.data);
      if (t) templates.set(r.name, t);
      annotations.set(r.name, r.annotations ?? {});
    }
    return { revisions, current, update, collisionCount, templates, annotations };
  }

  private async _truncateHistory(cs: CloneSet, namespace: string, revisions: readonly RevisionView[], current: string, update: string, pods: readonly V1Pod[]): Promise<void> {
    const live = [current, update, ...pods.map((p) => p.metadata?.labels?.[LABEL_CONTROLLER_REVISION_HASH] ?? '')];
    for (const name of revisionsToDelete(revisions, live, cs.spec.revisionHistoryLimit ?? 10)) {
      try {
        await this._port.deleteRevision(namespace, name);
      } catch (err) {
        if (statusCodeOf(err) !== 404) this._log?.warn('revision not deleted', { revision: name, err });
      }
    }
  }

  // ---- Scale ----

  /**
   * Scale. `changed`: something was written (or a creation waits), so Update waits for the next
   * reconcile, as kruise skips Update whenever Scale did anything.
   */
  private async _scale(ctx: Ctx, views: readonly PodView[], revs: { current: string; update: string }, members: readonly V1Pod[]): Promise<{ changed: boolean; requeueAfterMs?: number }> {
    const { cs } = ctx;
    const spec = specView(cs);
    const inactive = members.filter((p) => !isActivePod(p));
    // A terminal pod keeps its name for good: never reuse its id. A terminating one is going away:
    // its id (and PVCs) are reused once it is gone, as kruise does for pods deleted by hand.
    const terminalIds = new Set(inactive.filter((p) => !p.metadata?.deletionTimestamp).map((p) => podView(p).instanceId));
    const terminatingNames = new Set(inactive.filter((p) => p.metadata?.deletionTimestamp).map((p) => p.metadata?.name ?? ''));
    const plan = planScale({
      spec,
      pods: views,
      revisions: revs,
      flags: flagsFor(cs, this._gates, this._excludePreparingDelete),
      now: ctx.now,
      pvcInstanceIds: ctx.claims.filter((c) => !c.metadata?.deletionTimestamp).map(claimInstanceId).filter((id) => id !== '' && !terminalIds.has(id)),
      newInstanceId: (taken) => this._newId(new Set([...taken, ...inactive.map((p) => podView(p).instanceId)])),
      ...(spec.topologySpreadKeys !== undefined && { nodeLabels: this._port.nodeLabels() }),
    });
    if (plan.scaleUpLimited && plan.diffs) {
      this._port.event(cs, 'Warning', 'ScaleUpLimited', `scaleUp is limited because of scaleStrategy.maxUnavailable, limit: ${plan.diffs.scaleUpLimit}`);
    }
    if (plan.action.kind === 'create') {
      // kruise would try and fail with AlreadyExists until the old pod is gone; wait for it instead.
      const name = cs.metadata?.name ?? '';
      const now = plan.action.pods.filter((c) => !terminatingNames.has(podName(name, c.instanceId)));
      const waiting = plan.action.pods.length - now.length;
      if (now.length > 0) await this._createPods(ctx, now);
      return { changed: true, ...(waiting > 0 && { requeueAfterMs: STALE_POD_RETRY_MS }) };
    }
    return { changed: await this._applyScale(ctx, plan.action) };
  }

  private async _applyScale(ctx: Ctx, action: Exclude<ScaleAction, { kind: 'create' }>): Promise<boolean> {
    switch (action.kind) {
      case 'none':
        return false;
      case 'cancelPreparingDelete': {
        let changed = false;
        await forEachLimited(action.pods, WRITE_CONCURRENCY, async (pod) => {
          if (await this._setLifecycle(ctx, pod, 'PreparingNormal', false)) changed = true;
        });
        return changed;
      }
      case 'delete': {
        let changed = false;
        await forEachLimited(action.deletions, WRITE_CONCURRENCY, async (d) => {
          if (await this._deletePod(ctx, d)) changed = true;
        });
        return changed;
      }
    }
  }

  /** createPods in slow-start batches (1, 2, 4, ...): a failing batch stops the rest. */
  private async _createPods(ctx: Ctx, creations: readonly PodCreation[]): Promise<void> {
    let start = 0;
    for (let size = 1; start < creations.length; size *= 2) {
      const batch = creations.slice(start, start + size);
      const results = await Promise.allSettled(batch.map((c) => this._createPod(ctx, c)));
      const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      // Like upstream controllers: a namespace being deleted is not a failure to retry.
      if (failure && isNamespaceTerminating(failure.reason)) return;
      if (failure) throw failure.reason;
      start += batch.length;
    }
  }

  private async _createPod(ctx: Ctx, c: PodCreation): Promise<void> {
    const { cs, namespace, key } = ctx;
    const port = this._port;
    const existing = new Set(ctx.claims.map((x) => x.metadata?.name ?? ''));
    for (const claim of buildClaims(cs, c.instanceId)) {
      const name = claim.metadata?.name ?? '';
      if (existing.has(name)) continue;
      this.expectations.expectCreations(key, [CLAIM + name]);
      try {
        await port.createClaim(namespace, claim);
      } catch (err) {
        this.expectations.creationObserved(key, CLAIM + name);
        // A claim left by an earlier attempt (or not yet in the cache) is reused.
        if (statusCodeOf(err) === 409) continue;
        if (isNamespaceTerminating(err)) throw err;
        port.event(cs, 'Warning', 'FailedCreate', `failed to create pvc ${name}: ${errorMessage(err)}`);
        throw err;
      }
    }
    const template = ctx.templates.get(c.revision) ?? cs.spec.template;
    const pod = buildPod(cs, { instanceId: c.instanceId, revision: c.revision, template, shortHash: this._gates.CloneSetShortHash, now: ctx.now });
    const name = pod.metadata?.name ?? '';
    this.expectations.expectCreations(key, [name]);
    try {
      await port.createPod(namespace, pod);
    } catch (err) {
      this.expectations.creationObserved(key, name);
      if (isNamespaceTerminating(err)) throw err;
      port.event(cs, 'Warning', 'FailedCreate', `failed to create pod ${name}: ${errorMessage(err)}`);
      throw err;
    }
    port.event(cs, 'Normal', 'SuccessfulCreate', `succeed to create pod ${name}`);
  }

  /** deletePods: a pod held by the preDelete hook goes to PreparingDelete; others go, with their PVCs. */
  private async _deletePod(ctx: Ctx, d: PodDeletion): Promise<boolean> {
    if (d.action === 'preparingDelete') return this._setLifecycle(ctx, d.pod, 'PreparingDelete', d.markPodNotReady);
    const { cs, namespace, key } = ctx;
    const pod = ctx.pods.get(d.pod);
    const uid = pod?.metadata?.uid;
    if (uid) this.expectations.expectDeletions(key, [uid]);
    try {
      await this._port.deletePod(namespace, d.pod, uid);
    } catch (err) {
      if (uid) this.expectations.deletionObserved(key, uid);
      this._port.event(cs, 'Warning', 'FailedDelete', `failed to delete pod ${d.pod}: ${errorMessage(err)}`);
      throw err;
    }
    this._port.event(cs, 'Normal', 'SuccessfulDelete', `succeed to delete pod ${d.pod}`);
    const id = pod ? podView(pod).instanceId : '';
    for (const claim of ctx.claims) {
      if (id === '' || claimInstanceId(claim) !== id || claim.metadata?.deletionTimestamp) continue;
      const claimUid = claim.metadata?.uid;
      if (claimUid) this.expectations.expectDeletions(key, [claimUid]);
      try {
        await this._port.deleteClaim(namespace, claim.metadata?.name ?? '', claimUid);
      } catch (err) {
        if (claimUid) this.expectations.deletionObserved(key, claimUid);
        throw err;
      }
    }
    return true;
  }

  // ---- Update ----

  /** Returns how long until a grace period ends (a requeue), if any pod waits in one. */
  private async _update(ctx: Ctx, views: readonly PodView[], revs: { current: string; update: string }): Promise<number | undefined> {
    const { cs } = ctx;
    const requeue = await this._refreshInPlace(ctx);
    const plan = planUpdate({
      spec: specView(cs),
      pods: views,
      revisions: revs,
      flags: flagsFor(cs, this._gates, this._excludePreparingDelete),
      now: ctx.now,
      canUpdateInPlace: (from, to) => ctx.decide(from, to)?.possible === true,
    });
    await forEachLimited(plan.refresh.refreshes, WRITE_CONCURRENCY, (r) => this._refresh(ctx, r));
    // The planner already stopped at the first pod that cannot be updated.
    await forEachLimited(plan.updates, WRITE_CONCURRENCY, (u) => this._updatePod(ctx, u));
    return requeue;
  }

  /**
   * The in-place engine's own refresh: updates parked for inPlaceUpdateStrategy.gracePeriodSeconds,
   * images held until their pod's resize is done (and a resize the kubelet blocks, reported).
   */
  private async _refreshInPlace(ctx: Ctx): Promise<number | undefined> {
    let wait: number | undefined;
    const due: [string, Extract<ReturnType<typeof graceProgress>, { kind: 'finish' }>][] = [];
    const images: [string, Extract<ReturnType<typeof heldImagesProgress>, { kind: 'apply' }>][] = [];
    for (const [name, pod] of ctx.pods) {
      const g = graceProgress(pod, ctx.now);
      if (g.kind === 'wait') wait = Math.min(wait ?? Infinity, g.remainingMs);
      if (g.kind === 'finish') due.push([name, g]);
      const i = heldImagesProgress(pod, ctx.now);
      if (i.kind === 'apply') images.push([name, i]);
      const blocked = blockedResize(pod);
      if (blocked) {
        this._port.event(ctx.cs, 'Warning', REASON_RESIZE_BLOCKED, blocked.message);
        this._log?.warn('in-place update pending', { cloneSet: ctx.key, pod: name, reason: blocked.reason });
      }
    }
    await forEachLimited(due, WRITE_CONCURRENCY, async ([name, g]) => {
      await this._resize(ctx, name, g.resize);
      await this._writePod(ctx, name, g.mutate);
    });
    await forEachLimited(images, WRITE_CONCURRENCY, async ([name, i]) => {
      await this._writePod(ctx, name, i.mutate);
    });
    return wait;
  }

  /**
   * One pod's refresh. The labels go first and the InPlaceUpdateReady condition last: the condition
   * is what lets the kubelet report the pod Ready, and a Ready pod should already show its final
   * lifecycle state (a watcher never sees Ready + PreparingNormal).
   */
  private async _refresh(ctx: Ctx, r: PodRefresh): Promise<void> {
    const cached = ctx.pods.get(r.pod);
    if (!cached) return;
    if (r.podTemplateHash !== undefined) {
      const hash = r.podTemplateHash;
      await this._writePod(ctx, r.pod, (p) =>
        p.metadata?.labels?.[LABEL_POD_TEMPLATE_HASH] === hash ? undefined : { ...p, metadata: { ...p.metadata, labels: { ...(p.metadata?.labels ?? {}), [LABEL_POD_TEMPLATE_HASH]: hash } } },
      );
    }
    if (r.lifecycle) await this._setLifecycle(ctx, r.pod, r.lifecycle.state, r.lifecycle.markPodNotReady);
    const hasGate = (cached.spec?.readinessGates ?? []).some((g) => g.conditionType === CONDITION_INPLACE_UPDATE_READY);
    if (r.setInPlaceUpdateReady && hasGate) {
      await this._writePodStatus(ctx, r.pod, (p) => {
        const t = new Date(ctx.now);
        const next = withPodCondition(p, { type: CONDITION_INPLACE_UPDATE_READY, status: 'True', lastTransitionTime: t });
        // A fresh pod also waits for KruisePodReady. The pod-readiness controller fills in a missing
        // one as True; doing it in the same write saves a second status update (and its conflicts).
        const kruiseGate = (p.spec?.readinessGates ?? []).some((g) => g.conditionType === CONDITION_KRUISE_POD_READY);
        const missing = !(p.status?.conditions ?? []).some((c) => c.type === CONDITION_KRUISE_POD_READY);
        return next && kruiseGate && missing ? (withPodCondition(next, { type: CONDITION_KRUISE_POD_READY, status: 'True', lastTransitionTime: t }) ?? next) : next;
      });
    }
  }

  private async _updatePod(ctx: Ctx, u: PodUpdate): Promise<void> {
    const { cs } = ctx;
    switch (u.kind) {
      case 'failed':
        throw new ReconcileError(u.message);
      case 'recreate': {
        const written = await this._writePod(ctx, u.pod, (p) =>
          Object.hasOwn(p.metadata?.labels ?? {}, LABEL_SPECIFIED_DELETE) ? undefined : { ...p, metadata: { ...p.metadata, labels: { ...(p.metadata?.labels ?? {}), [LABEL_SPECIFIED_DELETE]: 'true' } } },
        );
        if (written) this._port.event(cs, 'Normal', 'SuccessfulUpdatePodReCreate', `successfully update pod ${u.pod} by recreate`);
        return;
      }
      case 'preparingUpdate':
        await this._setLifecycle(ctx, u.pod, 'PreparingUpdate', u.markPodNotReady, u.applyHook ? cs.spec.lifecycle?.inPlaceUpdate : undefined);
        return;
      case 'inPlace':
        await this._inPlace(ctx, u.pod, u.revision);
        return;
    }
  }

  private async _inPlace(ctx: Ctx, name: string, target: string): Promise<void> {
    const { cs } = ctx;
    const cached = ctx.pods.get(name);
    const from = cached?.metadata?.labels?.[LABEL_CONTROLLER_REVISION_HASH] ?? '';
    const decision = ctx.decide(from, target);
    const revision = ctx.revisionOf(target);
    if (!cached || !decision?.possible || revision === undefined) throw new ReconcileError(`pod ${name} cannot be updated in place to ${target}`);
    const writeAt = (now: number) =>
      planInPlaceWrite(cached, decision.spec, {
        revision,
        revisionLabel: this._gates.CloneSetShortHash ? shortHash(revision) : revision,
        now,
        gracePeriodSeconds: cs.spec.updateStrategy?.inPlaceUpdateStrategy?.gracePeriodSeconds ?? 0,
      });
    const write = writeAt(ctx.now);
    try {
      if (write.markUnready) {
        await this._writePodStatus(ctx, name, (p) => {
          const t = new Date(ctx.now);
          const next = withPodCondition(p, { type: CONDITION_INPLACE_UPDATE_READY, status: 'False', reason: REASON_START_INPLACE_UPDATE, lastTransitionTime: t });
          // What the kubelet would conclude at once: a readiness gate is False, so the pod is not Ready.
          return next && (withPodCondition(next, { type: 'Ready', status: 'False', reason: 'ReadinessGatesNotReady', lastTransitionTime: t }) ?? next);
        });
      }
      // Resize before the revision label moves: a failed pod update is retried with the resize a no-op.
      await this._resize(ctx, name, write.resize);
      // Stamp the update (and a grace period's start) when it is written, after the InPlaceUpdateReady
      // write, as OpenKruise's updatePodInPlace does: a stamp from the reconcile's start would
      // shorten gracePeriodSeconds by however long the writes before it took.
      await this._writePod(ctx, name, writeAt(this._port.now()).mutate);
    } catch (err) {
      this._port.event(cs, 'Warning', 'FailedUpdatePodInPlace', `failed to update pod ${name} in-place: ${errorMessage(err)}`);
      throw err;
    }
    this._port.event(cs, 'Normal', 'SuccessfulUpdatePodInPlace', `successfully update pod ${name} in-place(revision ${revision})`);
  }

  private async _resize(ctx: Ctx, name: string, resize: Readonly<Record<string, V1ResourceRequirements>>): Promise<void> {
    const containers = Object.entries(resize).map(([n, resources]) => ({ name: n, resources }));
    if (containers.length === 0) return;
    const pod = await this._port.resizePod(ctx.namespace, name, containers);
    this.resourceVersions.expect(pod.metadata?.uid ?? '', pod.metadata?.resourceVersion);
  }

  // ---- lifecycle ----

  /**
   * UpdatePodLifecycle(WithHandler): the state label and timestamp; with markPodNotReady the hook's
   * key in the KruisePodReady condition first; with a hook, its labels and finalizers. Returns
   * whether anything was written.
   */
  private async _setLifecycle(ctx: Ctx, pod: string, state: LifecycleState, markPodNotReady: boolean, hook?: LifecycleHook): Promise<boolean> {
    let changed = false;
    if (markPodNotReady) changed = await this._podNotReadyPolicy(ctx, pod, state);
    const written = await this._writePod(ctx, pod, (p) => {
      const labels = p.metadata?.labels ?? {};
      const finalizers = p.metadata?.finalizers ?? [];
      const hookLabels = hook?.labelsHandler ?? {};
      const hookFinalizers = hook?.finalizersHandler ?? [];
      const done =
        labels[LABEL_LIFECYCLE_STATE] === state && Object.entries(hookLabels).every(([k, v]) => labels[k] === v) && hookFinalizers.every((f) => finalizers.includes(f));
      if (done) return undefined;
      return {
        ...p,
        metadata: {
          ...p.metadata,
          labels: { ...labels, ...hookLabels, [LABEL_LIFECYCLE_STATE]: state },
          annotations: { ...(p.metadata?.annotations ?? {}), [ANNOTATION_LIFECYCLE_TIMESTAMP]: rfc3339(ctx.now) },
          ...(hookFinalizers.length > 0 && { finalizers: [...new Set([...finalizers, ...hookFinalizers])] }),
        },
      };
    });
    return changed || written !== undefined;
  }

  /** executePodNotReadyPolicy: PreparingDelete/PreparingUpdate add the hook's key to KruisePodReady, Updated removes it. */
  private async _podNotReadyPolicy(ctx: Ctx, pod: string, state: LifecycleState): Promise<boolean> {
    if (!notReadyKeyFor(state)) return false;
    const written = await this._writePodStatus(ctx, pod, (p) => withLifecycleNotReadyKey(p, state, new Date(ctx.now)));
    return written !== undefined;
  }

  // ---- pod writes (each records the resourceVersion it produced) ----

  private async _writePod(ctx: Ctx, name: string, mutate: PodMutation): Promise<V1Pod | undefined> {
    const written = await this._port.updatePod(ctx.namespace, name, mutate);
    if (written) this.resourceVersions.expect(written.metadata?.uid ?? '', written.metadata?.resourceVersion);
    return written;
  }

  private async _writePodStatus(ctx: Ctx, name: string, mutate: PodMutation): Promise<V1Pod | undefined> {
    const written = await this._port.updatePodStatus(ctx.namespace, name, mutate);
    if (written) this.resourceVersions.expect(written.metadata?.uid ?? '', written.metadata?.resourceVersion);
    return written;
  }

  // ---- status and spec housekeeping ----

  private async _writeStatus(cs: CloneSet, status: CloneSetStatus, conditions: readonly CloneSetCondition[]): Promise<void> {
    const prev = cs.status;
    const previous: CloneSetStatus = {
      observedGeneration: prev?.observedGeneration ?? 0,
      replicas: prev?.replicas ?? 0,
      readyReplicas: prev?.readyReplicas ?? 0,
      availableReplicas: prev?.availableReplicas ?? 0,
      updatedReplicas: prev?.updatedReplicas ?? 0,
      updatedReadyReplicas: prev?.updatedReadyReplicas ?? 0,
      updatedAvailableReplicas: prev?.updatedAvailableReplicas ?? 0,
      expectedUpdatedReplicas: prev?.expectedUpdatedReplicas ?? 0,
      currentRevision: prev?.currentRevision ?? '',
      updateRevision: prev?.updateRevision ?? '',
      collisionCount: prev?.collisionCount ?? 0,
      labelSelector: prev?.labelSelector ?? '',
    };
    // Keep a condition's transition time while it holds; kruise only compares counters, we also
    // write when the conditions or collisionCount change so failures show up and clear promptly.
    const merged = conditions.map((c) => {
      const old = prev?.conditions?.find((o) => o.type === c.type && o.status === c.status);
      return old?.lastTransitionTime ? { ...c, lastTransitionTime: old.lastTransitionTime } : c;
    });
    const sig = (cs: readonly CloneSetCondition[] | undefined) => JSON.stringify((cs ?? []).map((c) => [c.type, c.status, c.message ?? '']));
    const changed = statusNeedsWrite(previous, status) || sig(prev?.conditions) !== sig(merged) || previous.collisionCount !== status.collisionCount;
    if (!changed) return;
    await this._port.updateStatus(cs.metadata?.namespace ?? '', cs.metadata?.name ?? '', { ...status, ...(merged.length > 0 && { conditions: merged }) });
  }

  /** truncatePodsToDelete: names of pods that no longer exist leave scaleStrategy.podsToDelete. */
  private async _truncatePodsToDelete(cs: CloneSet, active: readonly V1Pod[]): Promise<void> {
    const names = cs.spec.scaleStrategy?.podsToDelete ?? [];
    if (names.length === 0) return;
    const existing = new Set(active.map((p) => p.metadata?.name ?? ''));
    const gone = new Set(names.filter((n) => !existing.has(n)));
    if (gone.size === 0) return;
    await this._port.updateCloneSet(cs.metadata?.namespace ?? '', cs.metadata?.name ?? '', (live) => {
      const list = live.spec.scaleStrategy?.podsToDelete ?? [];
      const kept = list.filter((n) => !gone.has(n));
      if (kept.length === list.length) return undefined;
      return { ...live, spec: { ...live.spec, scaleStrategy: { ...live.spec.scaleStrategy, podsToDelete: kept } } };
    });
  }
}
