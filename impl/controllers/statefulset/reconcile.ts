// The Advanced StatefulSet reconcile: read the cache through a port, compute the plan with the
// pure planners, apply it in order (recording expectations before each write), write the status
// when it changed, and prune revision history. All I/O goes through StatefulSetPort, so tests
// drive this with an in-memory fake.
import type { V1ControllerRevision, V1PersistentVolumeClaim, V1Pod, V1PodTemplateSpec, V1StorageClass } from '@kubernetes/client-node';
import { Expectations, ReconcileError, errorMessage, splitKey, statusCodeOf, type Logger } from '../../runtime/index.ts';

export { ReconcileError };
import type { InPlaceDecision } from '../shared/inplace/diff.ts';
import type { Action, PlanError } from './actions.ts';
import { applyInPlaceUpdate, calculateInPlaceSpec, graceStep, heldImagesStep } from './inplace.ts';
import { blockedResize, REASON_RESIZE_BLOCKED } from '../shared/inplace/sequence.ts';
import { planClaims, withControllerRef, withoutOwnerRef } from './claim.ts';
import { claimName, replicasRange } from './ordinals.ts';
import { desiredClaimOwnerRefs } from './pvc.ts';
import { planReconcile, type ReconcilePlan } from './plan.ts';
import { planUpdateRevision, resolveCurrentRevision, revisionsToDelete, sortRevisions, templateFromData, type RevisionView } from './revision.ts';
import { setCondition, statusNeedsWrite, type StatefulSetCondition, type StatefulSetStatus, type StoredStatus } from './status.ts';
import type { StatefulSetGates } from './types.ts';
import { notReadyKeyFor, withLifecycleNotReadyKey, withPodCondition } from '../shared/lifecycle.ts';
import {
  ANNOTATION_LIFECYCLE_TIMESTAMP,
  ANNOTATION_OWNED_BY_ASTS,
  CONDITION_FAILED_CREATE_POD,
  CONDITION_FAILED_UPDATE_POD,
  CONDITION_INPLACE_UPDATE_READY,
  LABEL_LIFECYCLE_STATE,
  LABEL_REVISION,
} from './types.ts';
import { buildClaim, buildPod, claimView, controllerRef, identityLabels, podView, podVolumes, rfc3339, selectorString, specView, storageClassExpansion, type AdvancedStatefulSet } from './views.ts';

/** Every read (from caches) and write the reconcile needs. */
export interface StatefulSetPort {
  getSet(namespace: string, name: string): AdvancedStatefulSet | undefined;
  listPods(namespace: string): V1Pod[];
  listClaims(namespace: string): V1PersistentVolumeClaim[];
  listRevisions(namespace: string): V1ControllerRevision[];
  listStorageClasses(): V1StorageClass[];

  createPod(namespace: string, pod: V1Pod): Promise<V1Pod>;
  /** Delete with a UID precondition; a missing pod is not an error. */
  deletePod(namespace: string, name: string, uid: string | undefined): Promise<void>;
  /** Read the live pod, apply `mutate` (undefined: no write), update; retried on conflict. */
  updatePod(namespace: string, name: string, mutate: (pod: V1Pod) => V1Pod | undefined): Promise<void>;
  /** Same for the status subresource. */
  updatePodStatus(namespace: string, name: string, mutate: (pod: V1Pod) => V1Pod | undefined): Promise<void>;
  /** Strategic-merge patch of container resources through the pods/resize subresource. */
  resizePod(namespace: string, name: string, containers: { name: string; resources: NonNullable<V1Pod['spec']>['containers'][number]['resources'] }[]): Promise<void>;
  createClaim(namespace: string, claim: V1PersistentVolumeClaim): Promise<V1PersistentVolumeClaim>;
  updateClaim(namespace: string, name: string, mutate: (claim: V1PersistentVolumeClaim) => V1PersistentVolumeClaim | undefined): Promise<void>;
  createRevision(namespace: string, revision: V1ControllerRevision): Promise<V1ControllerRevision>;
  /** Read a revision live (collision checks). */
  readRevision(namespace: string, name: string): Promise<V1ControllerRevision | undefined>;
  setRevisionNumber(namespace: string, name: string, revision: number): Promise<void>;
  deleteRevision(namespace: string, name: string): Promise<void>;
  /** Write set.status (read live, replace the status subresource, retry on conflict). */
  writeStatus(namespace: string, name: string, status: StatefulSetStatus): Promise<void>;
  event(set: AdvancedStatefulSet, type: 'Normal' | 'Warning', reason: string, message: string): void;
  now(): number;
}

export interface ReconcilerOptions {
  readonly gates: StatefulSetGates;
  /** Gate PodIndexLabel (beta, default on). */
  readonly podIndexLabel?: boolean;
  readonly logger?: Logger;
  readonly expectations?: Expectations;
  /** How long an in-place update may stay invisible in the cache before we stop waiting. */
  readonly updateExpectationTimeoutMs?: number;
}

export interface ReconcileOutcome {
  readonly requeueAfterMs?: number;
}


export class StatefulSetReconciler {
  readonly expectations: Expectations;
  private readonly _updates = new Map<string, Map<string, { revision: string; since: number }>>();
  private readonly _gates: StatefulSetGates;
  private readonly _podIndexLabel: boolean;
  private readonly _updateTimeoutMs: number;
  private readonly _log: Logger | undefined;

  constructor(
    private readonly _port: StatefulSetPort,
    opts: ReconcilerOptions,
  ) {
    this._gates = opts.gates;
    this._podIndexLabel = opts.podIndexLabel ?? true;
    this.expectations = opts.expectations ?? new Expectations();
    this._updateTimeoutMs = opts.updateExpectationTimeoutMs ?? 5 * 60_000;
    this._log = opts.logger;
  }

  /** Observe a pod event for the expectations (called from the pod watch). */
  observePod(ownerKey: string, pod: V1Pod, type: 'add' | 'update' | 'delete'): void {
    const name = pod.metadata?.name ?? '';
    if (type === 'add') this.expectations.creationObserved(ownerKey, name);
    if (type === 'delete') this.expectations.deletionObserved(ownerKey, pod.metadata?.uid ?? '');
    if (type === 'update' && pod.metadata?.deletionTimestamp) this.expectations.deletionObserved(ownerKey, pod.metadata?.uid ?? '');
  }

  async reconcile(key: string): Promise<ReconcileOutcome> {
    const { namespace = '', name } = splitKey(key);
    const port = this._port;
    const set = port.getSet(namespace, name);
    if (!set) {
      this.expectations.delete(key);
      this._updates.delete(key);
      return {};
    }
    const ownedPods = await this._claimPods(set, namespace);
    this._observeFromCache(key, ownedPods);
    if (!this.expectations.satisfied(key)) {
      // A stale cache: wait for our own creations/deletions to show up (or time out).
      return { requeueAfterMs: Math.max(1000, Math.min(this.expectations.remainingMs(key), 30_000)) };
    }
    const now = port.now();
    const spec = specView(set);
    const pods = ownedPods;
    const claims = new Map(port.listClaims(namespace).map((c) => [c.metadata?.name ?? '', c]));

    // ControllerRevisions
    const { revisions, current, update, collisionCount } = await this._syncRevisions(set, namespace);
    const templates = new Map(revisions.map((r) => [r.name, templateFromData(r.data)]));
    const decisions = new Map<string, InPlaceDecision>();
    const decide = (from: string, to: string): InPlaceDecision | undefined => {
      const a = templates.get(from);
      const b = templates.get(to);
      if (!a || !b) return undefined;
      const k = `${from}\u0000${to}`;
      let d = decisions.get(k);
      if (!d) decisions.set(k, (d = calculateInPlaceSpec(a, b, this._gates.verticalScaling)));
      return d;
    };

    // The in-place engine's Refresh, ahead of planning: grace periods that are due, held images.
    const graceWaitMs = await this._refreshInPlace(set, namespace, pods, now);

    const plan = planReconcile({
      setName: name,
      setUid: set.metadata?.uid ?? '',
      spec,
      gates: this._gates,
      pods: pods.map((p) => podView(p, set, this._gates.verticalScaling)),
      claims: (n) => {
        const c = claims.get(n);
        return c ? claimView(c) : undefined;
      },
      storageClasses: storageClassExpansion(port.listStorageClasses()),
      revisions: { current, update },
      newPodMeta: (rev) => ({ labels: templates.get(rev)?.metadata?.labels ?? {}, ...(templates.get(rev)?.metadata?.finalizers && { finalizers: templates.get(rev)?.metadata?.finalizers ?? [] }) }),
      canUpdateInPlace: (from, to) => decide(from, to)?.possible === true,
      updateExpectationsSatisfied: this._updatesSatisfied(key, pods, now),
      generation: set.metadata?.generation ?? 0,
      collisionCount,
      labelSelector: selectorString(set.spec?.selector),
      now,
      ...(set.metadata?.deletionTimestamp && { deleting: true }),
    });

    const ctx: ApplyContext = { key, set, namespace, pods: new Map(pods.map((p) => [p.metadata?.name ?? '', p])), claims, templates, decide, now };
    let conditions: StatefulSetCondition[] = [];
    let failure: unknown;
    for (const action of plan.actions) {
      try {
        await this._apply(action, ctx);
      } catch (err) {
        failure = err;
        const type = action.kind === 'createPod' ? CONDITION_FAILED_CREATE_POD : action.kind === 'fixPodIdentity' ? CONDITION_FAILED_UPDATE_POD : undefined;
        if (type) conditions = setCondition(conditions, { type, status: 'True', lastTransitionTime: rfc3339(now), message: `StatefulPodControl failed to ${action.kind === 'createPod' ? 'create' : 'update'} Pod error: ${errorMessage(err)}` });
        this._log?.warn('action failed', { set: key, action: action.kind, pod: 'pod' in action ? action.pod : undefined, err });
        break;
      }
    }
    if (failure === undefined && plan.error) this._recordPlanError(set, plan.error);

    await this._writeStatus(set, plan, conditions);
    await this._truncateHistory(set, namespace, revisions, current, update, pods);

    if (failure !== undefined) throw new ReconcileError(`reconcile of StatefulSet ${key} stopped: ${errorMessage(failure)}`, { cause: failure });
    if (plan.error) throw new ReconcileError(plan.error.message);
    const waits = [plan.requeueAfterMs, graceWaitMs].filter((v): v is number => v !== undefined);
    return waits.length > 0 ? { requeueAfterMs: Math.ceil(Math.min(...waits)) } : {};
  }

  /**
   * The in-place engine's Refresh: finishGracePeriod for every pod with a parked update that is due
   * (resize, then images), images held until their pod's resize is done, and a resize the kubelet
   * blocks reported; returns the time until the next grace period ends (undefined: none waiting).
   */
  private async _refreshInPlace(set: AdvancedStatefulSet, namespace: string, pods: readonly V1Pod[], now: number): Promise<number | undefined> {
    let wait: number | undefined;
    for (const pod of pods) {
      const name = pod.metadata?.name ?? '';
      const blocked = blockedResize(pod);
      if (blocked) {
        this._port.event(set, 'Warning', REASON_RESIZE_BLOCKED, blocked.message);
        this._log?.warn('in-place update pending', { set: `${namespace}/${set.metadata?.name ?? ''}`, pod: name, reason: blocked.reason });
      }
      const images = heldImagesStep(pod, now);
      if (images.kind === 'apply') await this._port.updatePod(namespace, name, images.mutate);
      const step = graceStep(pod, now);
      if (step.kind === 'wait') wait = Math.min(wait ?? Infinity, step.remainingMs);
      if (step.kind !== 'finish') continue;
      const resize = Object.entries(step.resize).map(([c, resources]) => ({ name: c, resources }));
      if (resize.length > 0) await this._port.resizePod(namespace, name, resize);
      await this._port.updatePod(namespace, name, step.mutate);
    }
    return wait;
  }

  /**
   * getPodsForStatefulSet: adopt matching orphans, release owned pods that stopped matching, and
   * return the pods the set controls. An adoption the API refuses fails the reconcile (retried);
   * a pod gone in the meantime is simply not claimed.
   */
  private async _claimPods(set: AdvancedStatefulSet, namespace: string): Promise<V1Pod[]> {
    const port = this._port;
    const plan = planClaims(port.listPods(namespace), set);
    const lost = new Set<string>();
    const errors: string[] = [];
    for (const pod of plan.adopt) {
      const name = pod.metadata?.name ?? '';
      try {
        await port.updatePod(namespace, name, (live) => withControllerRef(live, set, pod.metadata?.uid));
        this._log?.info('adopted pod', { set: `${namespace}/${set.metadata?.name}`, pod: name });
      } catch (err) {
        lost.add(name);
        if (statusCodeOf(err) !== 404) errors.push(`adopt pod ${name}: ${errorMessage(err)}`);
      }
    }
    for (const pod of plan.release) {
      const name = pod.metadata?.name ?? '';
      try {
        await port.updatePod(namespace, name, (live) => withoutOwnerRef(live, set.metadata?.uid ?? '', pod.metadata?.uid));
        this._log?.info('released pod', { set: `${namespace}/${set.metadata?.name}`, pod: name });
      } catch (err) {
        // Gone or no longer valid: nothing left to release.
        const code = statusCodeOf(err);
        if (code !== 404 && code !== 422) errors.push(`release pod ${name}: ${errorMessage(err)}`);
      }
    }
    if (errors.length > 0) throw new ReconcileError(`claim pods of StatefulSet ${namespace}/${set.metadata?.name}: ${errors.join('; ')}`);
    return plan.claimed.filter((p) => !lost.has(p.metadata?.name ?? ''));
  }

  /** Settle expectations from the cache itself, so a missed watch event cannot wedge the set. */
  private _observeFromCache(key: string, pods: readonly V1Pod[]): void {
    const pending = this.expectations.pending(key);
    if (!pending) return;
    const names = new Set(pods.map((p) => p.metadata?.name ?? ''));
    const live = new Set(pods.filter((p) => !p.metadata?.deletionTimestamp).map((p) => p.metadata?.uid ?? ''));
    for (const name of pending.creations) if (names.has(name)) this.expectations.creationObserved(key, name);
    for (const uid of pending.deletions) if (!live.has(uid)) this.expectations.deletionObserved(key, uid);
  }

  // ---- revisions ----

  private async _syncRevisions(set: AdvancedStatefulSet, namespace: string): Promise<{ revisions: RevisionView[]; current: string; update: string; collisionCount: number }> {
    const port = this._port;
    const owned = port.listRevisions(namespace).filter((r) => r.metadata?.ownerReferences?.some((o) => o.controller && o.uid === set.metadata?.uid));
    let revisions: RevisionView[] = sortRevisions(owned.map((r) => ({ name: r.metadata?.name ?? '', revision: Number(r.revision), data: r.data })));
    let collisionCount = set.status?.collisionCount ?? 0;
    const template = set.spec?.template ?? {};
    let plan = planUpdateRevision(set.metadata?.name ?? '', template, revisions, collisionCount);
    let update = plan.name;
    if (plan.kind === 'bump') {
      const bump = plan;
      await port.setRevisionNumber(namespace, bump.name, bump.revision);
      revisions = sortRevisions(revisions.map((r) => (r.name === bump.name ? { ...r, revision: bump.revision } : r)));
    } else if (plan.kind === 'create') {
      // A name taken by other data is a hash collision: count it and try the next name.
      for (let attempt = 0; plan.kind === 'create'; attempt++) {
        const body: V1ControllerRevision = {
          apiVersion: 'apps/v1',
          kind: 'ControllerRevision',
          metadata: {
            name: plan.name,
            namespace,
            labels: { ...(template.metadata?.labels ?? {}) },
            annotations: { ...(set.metadata?.annotations ?? {}) },
            ownerReferences: [controllerRef(set)],
          },
          data: plan.data as object,
          revision: plan.revision,
        };
        try {
          await port.createRevision(namespace, body);
          break;
        } catch (err) {
          if (statusCodeOf(err) !== 409 || attempt > 5) throw err;
          const existing = await port.readRevision(namespace, plan.name);
          const mine = existing?.metadata?.ownerReferences?.some((o) => o.uid === set.metadata?.uid);
          if (existing && mine && JSON.stringify(templateFromData(existing.data)) === JSON.stringify(templateFromData(plan.data))) break;
          collisionCount++;
          plan = planUpdateRevision(set.metadata?.name ?? '', template, revisions, collisionCount);
        }
      }
      update = plan.name;
      if (plan.kind === 'create') revisions = sortRevisions([...revisions, { name: plan.name, revision: plan.revision, data: plan.data }]);
    }
    const current = resolveCurrentRevision(set.status?.currentRevision, revisions.map((r) => r.name), update);
    return { revisions, current, update, collisionCount };
  }

  private async _truncateHistory(set: AdvancedStatefulSet, namespace: string, revisions: readonly RevisionView[], current: string, update: string, pods: readonly V1Pod[]): Promise<void> {
    const live = new Set([current, update, ...pods.map((p) => p.metadata?.labels?.[LABEL_REVISION] ?? '')]);
    for (const name of revisionsToDelete(revisions, live, set.spec?.revisionHistoryLimit ?? 10)) {
      try {
        await this._port.deleteRevision(namespace, name);
      } catch (err) {
        if (statusCodeOf(err) !== 404) this._log?.warn('revision not deleted', { revision: name, err });
      }
    }
  }

  // ---- update expectations (in-place updates until the cache shows the new revision) ----

  private _updatesSatisfied(key: string, pods: readonly V1Pod[], now: number): boolean {
    const expected = this._updates.get(key);
    if (!expected) return true;
    const byName = new Map(pods.map((p) => [p.metadata?.name ?? '', p]));
    for (const [pod, e] of expected) {
      const seen = byName.get(pod);
      if (!seen || seen.metadata?.labels?.[LABEL_REVISION] === e.revision || now - e.since >= this._updateTimeoutMs) expected.delete(pod);
    }
    if (expected.size === 0) this._updates.delete(key);
    return expected.size === 0;
  }

  private _expectUpdate(key: string, pod: string, revision: string, now: number): void {
    let m = this._updates.get(key);
    if (!m) this._updates.set(key, (m = new Map()));
    m.set(pod, { revision, since: now });
  }

  // ---- applying actions ----

  private async _apply(action: Action, ctx: ApplyContext): Promise<void> {
    const { set, namespace } = ctx;
    const port = this._port;
    const setName = set.metadata?.name ?? '';
    switch (action.kind) {
      case 'createPod': {
        await this._createClaims(ctx, action.pod, action.ordinal);
        const template = ctx.templates.get(action.revision) ?? set.spec?.template ?? {};
        const pod = buildPod(set, template, { ordinal: action.ordinal, revision: action.revision, lifecycleState: action.lifecycleState, now: ctx.now, podIndexLabel: this._podIndexLabel });
        this.expectations.expectCreations(ctx.key, [action.pod]);
        let created: V1Pod;
        try {
          created = await port.createPod(namespace, pod);
        } catch (err) {
          this.expectations.creationObserved(ctx.key, action.pod);
          port.event(set, 'Warning', 'FailedCreate', `create Pod ${action.pod} in StatefulSet ${setName} failed error: ${errorMessage(err)}`);
          throw err;
        }
        if (this._gates.autoDeletePVC) await this._fixClaimOwnersFor(ctx, created, action.ordinal);
        port.event(set, 'Normal', 'SuccessfulCreate', `create Pod ${action.pod} in StatefulSet ${setName} successful`);
        return;
      }
      case 'createMissingClaims':
        await this._createClaims(ctx, action.pod, action.ordinal);
        return;
      case 'deletePod': {
        const uid = ctx.pods.get(action.pod)?.metadata?.uid;
        if (uid) this.expectations.expectDeletions(ctx.key, [uid]);
        try {
          await port.deletePod(namespace, action.pod, uid);
        } catch (err) {
          if (uid) this.expectations.deletionObserved(ctx.key, uid);
          port.event(set, 'Warning', 'FailedDelete', `delete Pod ${action.pod} in StatefulSet ${setName} failed error: ${errorMessage(err)}`);
          throw err;
        }
        port.event(set, 'Normal', 'SuccessfulDelete', `delete Pod ${action.pod} in StatefulSet ${setName} successful`);
        return;
      }
      case 'lifecycle':
        await this._setLifecycle(ctx, action);
        return;
      case 'inPlaceUpdateReady':
        await port.updatePodStatus(namespace, action.pod, (pod) => withPodCondition(pod, { type: CONDITION_INPLACE_UPDATE_READY, status: 'True', lastTransitionTime: new Date(ctx.now) }));
        return;
      case 'fixPodIdentity':
        await port.updatePod(namespace, action.pod, (pod) => {
          const next = structuredClone(pod);
          next.metadata = { ...next.metadata, labels: { ...(next.metadata?.labels ?? {}), ...identityLabels(action.pod, action.ordinal, this._podIndexLabel) } };
          if (next.spec) next.spec.volumes = podVolumes(set, action.ordinal, next.spec.volumes);
          return next;
        });
        await this._createClaims(ctx, action.pod, action.ordinal);
        port.event(set, 'Normal', 'SuccessfulUpdate', `update Pod ${action.pod} in StatefulSet ${setName} successful`);
        return;
      case 'fixClaimOwners':
        await port.updateClaim(namespace, action.claim, (c) => ({ ...c, metadata: { ...c.metadata, ownerReferences: action.ownerReferences.map((r) => ({ apiVersion: r.apiVersion ?? 'v1', kind: r.kind ?? '', name: r.name, uid: r.uid })) } }));
        return;
      case 'expandClaim': {
        const template = (set.spec?.volumeClaimTemplates ?? []).find((t) => t.metadata?.name === action.template);
        try {
          await port.updateClaim(namespace, action.claim, (c) => ({
            ...c,
            metadata: { ...c.metadata, annotations: { ...(c.metadata?.annotations ?? {}), [ANNOTATION_OWNED_BY_ASTS]: setName } },
            spec: { ...c.spec, resources: structuredClone(template?.spec?.resources ?? {}) },
          }));
        } catch (err) {
          port.event(set, 'Warning', 'FailedResize', `resize Claim ${action.claim} for Pod ${action.pod} in StatefulSet ${setName} failed error: ${errorMessage(err)}`);
          throw err;
        }
        port.event(set, 'Normal', 'SuccessfulResize', `resize Claim ${action.claim} Pod ${action.pod} in StatefulSet ${setName} success`);
        return;
      }
      case 'inPlaceUpdate':
        await this._inPlaceUpdate(ctx, action);
        return;
    }
  }

  /** createPersistentVolumeClaims: create the slot's missing claims; a terminating one is an error. */
  private async _createClaims(ctx: ApplyContext, pod: string, ordinal: number): Promise<void> {
    const { set, namespace } = ctx;
    const errors: string[] = [];
    let firstError: unknown;
    for (const template of ctx.set.spec?.volumeClaimTemplates ?? []) {
      const name = claimName(template.metadata?.name ?? '', set.metadata?.name ?? '', ordinal);
      const existing = ctx.claims.get(name);
      if (existing?.metadata?.deletionTimestamp) {
        errors.push(`pvc ${name} is to be deleted`);
        continue;
      }
      if (existing) continue;
      try {
        const created = await this._port.createClaim(namespace, buildClaim(set, template, ordinal));
        ctx.claims.set(name, created);
        this._port.event(set, 'Normal', 'SuccessfulCreate', `create Claim ${name} Pod ${pod} in StatefulSet ${set.metadata?.name} success`);
      } catch (err) {
        if (statusCodeOf(err) === 409) continue;
        firstError ??= err;
        errors.push(`failed to create PVC ${name}: ${errorMessage(err)}`);
        this._port.event(set, 'Warning', 'FailedCreate', `create Claim ${name} for Pod ${pod} in StatefulSet ${set.metadata?.name} failed error: ${errorMessage(err)}`);
      }
    }
    // The cause lets the runner tell a terminating namespace (drop the key) from a real failure.
    if (errors.length > 0) throw new ReconcileError(errors.join('; '), firstError === undefined ? undefined : { cause: firstError });
  }

  /** UpdatePodClaimForRetentionPolicy right after creating a pod (its UID is known now). */
  private async _fixClaimOwnersFor(ctx: ApplyContext, pod: V1Pod, ordinal: number): Promise<void> {
    const { set } = ctx;
    const range = replicasRange(specView(set), this._gates);
    const inRange = ordinal >= range.start && ordinal < range.end && !range.reserved.has(ordinal);
    for (const template of set.spec?.volumeClaimTemplates ?? []) {
      const name = claimName(template.metadata?.name ?? '', set.metadata?.name ?? '', ordinal);
      const claim = ctx.claims.get(name);
      if (!claim) continue;
      const refs = desiredClaimOwnerRefs(
        claimView(claim),
        specView(set).retentionPolicy,
        { name: set.metadata?.name ?? '', uid: set.metadata?.uid ?? '' },
        { name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '' },
        !inRange,
      );
      if (refs === undefined) continue;
      await this._port.updateClaim(ctx.namespace, name, (c) => ({ ...c, metadata: { ...c.metadata, ownerReferences: refs.map((r) => ({ apiVersion: r.apiVersion ?? 'v1', kind: r.kind ?? '', name: r.name, uid: r.uid })) } }));
    }
  }

  private async _setLifecycle(ctx: ApplyContext, action: Extract<Action, { kind: 'lifecycle' }>): Promise<void> {
    const { namespace, set } = ctx;
    const hook = set.spec?.lifecycle?.inPlaceUpdate;
    if (action.markPodNotReady) await this._podNotReadyPolicy(ctx, action.pod, action.state);
    await this._port.updatePod(namespace, action.pod, (pod) => {
      const labels = pod.metadata?.labels ?? {};
      const hookToApply = action.applyInPlaceHook ? hook : undefined;
      if (labels[LABEL_LIFECYCLE_STATE] === action.state && !hookToApply) return undefined;
      const next = structuredClone(pod);
      next.metadata = {
        ...next.metadata,
        labels: { ...labels, ...(hookToApply?.labelsHandler ?? {}), [LABEL_LIFECYCLE_STATE]: action.state },
        annotations: { ...(next.metadata?.annotations ?? {}), [ANNOTATION_LIFECYCLE_TIMESTAMP]: rfc3339(ctx.now) },
      };
      if (hookToApply?.finalizersHandler) next.metadata.finalizers = [...new Set([...(next.metadata.finalizers ?? []), ...hookToApply.finalizersHandler])];
      return next;
    });
  }

  /** executePodNotReadyPolicy: the lifecycle hook's key in the KruisePodReady condition message. */
  private async _podNotReadyPolicy(ctx: ApplyContext, pod: string, state: string): Promise<void> {
    if (!notReadyKeyFor(state)) return;
    await this._port.updatePodStatus(ctx.namespace, pod, (p) => withLifecycleNotReadyKey(p, state, new Date(ctx.now)));
  }

  private async _inPlaceUpdate(ctx: ApplyContext, action: Extract<Action, { kind: 'inPlaceUpdate' }>): Promise<void> {
    const { set, namespace } = ctx;
    const decision = ctx.decide(action.from, action.to);
    const cached = ctx.pods.get(action.pod);
    if (!decision?.possible || !cached) throw new ReconcileError(`pod ${action.pod} cannot be updated in place from ${action.from} to ${action.to}`);
    const gracePeriodSeconds = set.spec?.updateStrategy?.rollingUpdate?.inPlaceUpdateStrategy?.gracePeriodSeconds ?? 0;
    const opts = { revision: action.to, now: new Date(ctx.now), setUpdating: action.setUpdating, gracePeriodSeconds };
    const plan = applyInPlaceUpdate(cached, decision.spec, this._gates.verticalScaling, opts);
    try {
      if (plan.markUnready) {
        await this._port.updatePodStatus(namespace, action.pod, (pod) => {
          const next = withPodCondition(pod, { type: CONDITION_INPLACE_UPDATE_READY, status: 'False', reason: 'StartInPlaceUpdate', lastTransitionTime: new Date(ctx.now) });
          return next && (withPodCondition(next, { type: 'Ready', status: 'False', reason: 'ReadinessGatesNotReady', lastTransitionTime: new Date(ctx.now) }) ?? next);
        });
      }
      // Resize first: if the pod update then fails, the next attempt resizes again (a no-op) and
      // retries the update; the other order could leave a pod at the new revision with old resources.
      const resize = Object.entries(plan.resize).map(([name, resources]) => ({ name, resources }));
      if (resize.length > 0) await this._port.resizePod(namespace, action.pod, resize);
      this._expectUpdate(ctx.key, action.pod, action.to, ctx.now);
      // Stamp the update (and a grace period's start) when it is written, after the InPlaceUpdateReady
      // write, as OpenKruise's updatePodInPlace does: a stamp from the reconcile's start would
      // shorten gracePeriodSeconds by however long the writes before it took.
      await this._port.updatePod(namespace, action.pod, (live) => applyInPlaceUpdate(live, decision.spec, this._gates.verticalScaling, { ...opts, now: new Date(this._port.now()) }).pod);
    } catch (err) {
      this._updates.get(ctx.key)?.delete(action.pod);
      this._port.event(set, 'Warning', 'FailedUpdatePodInPlace', `failed to update pod ${action.pod} in-place(revision ${action.to}): ${errorMessage(err)}`);
      throw err;
    }
    this._port.event(set, 'Normal', 'SuccessfulUpdatePodInPlace', `successfully update pod ${action.pod} in-place(revision ${action.to})`);
  }

  private _recordPlanError(set: AdvancedStatefulSet, error: PlanError): void {
    if (error.event) this._port.event(set, 'Warning', error.event.reason, error.event.message);
    this._log?.warn('rolling update stopped', { set: `${set.metadata?.namespace}/${set.metadata?.name}`, reason: error.message });
  }

  private async _writeStatus(set: AdvancedStatefulSet, plan: ReconcilePlan, conditions: readonly StatefulSetCondition[]): Promise<void> {
    // Like kruise, each reconcile starts from no conditions and adds the failures it hit.
    const next: StatefulSetStatus = { ...plan.status, ...(conditions.length > 0 && { conditions }) };
    if (!statusNeedsWrite((set.status ?? {}) as StoredStatus, next)) return;
    await this._port.writeStatus(set.metadata?.namespace ?? '', set.metadata?.name ?? '', next);
  }
}

interface ApplyContext {
  readonly key: string;
  readonly set: AdvancedStatefulSet;
  readonly namespace: string;
  readonly pods: ReadonlyMap<string, V1Pod>;
  readonly claims: Map<string, V1PersistentVolumeClaim>;
  readonly templates: ReadonlyMap<string, V1PodTemplateSpec | undefined>;
  readonly decide: (from: string, to: string) => InPlaceDecision | undefined;
  readonly now: number;
}

