// Controller shape: a name, watches that map informer events to queue keys, and reconcile(key).
// The runner feeds a rate-limited WorkQueue from the watches and runs `concurrency` workers.
import type { KubernetesObject } from '@kubernetes/client-node';
import { objectKey, type InformerCache, type InformerEvent } from './informer.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import { WorkQueue } from './workqueue.ts';
import type { RateLimiter } from './rate-limiter.ts';
import type { Manager } from './manager.ts';

/** ReconcileResult asks for a later reconcile of the same key (besides the watches). */
export interface ReconcileResult {
  /** Re-queue after this many ms (the key's backoff is reset). */
  requeueAfterMs?: number;
  /** Re-queue with rate-limited backoff without counting an error. */
  requeue?: boolean;
}

/** Keys a watch produces for one event: none, one, or several. */
export type MappedKeys = string | readonly string[] | undefined | null | void;

/**
 * Watch ties an informer (by API path) to the controller: map turns each event into the keys to
 * reconcile. map runs synchronously in the informer's event fan-out; use it also to observe
 * expectations (a pod add satisfies its owner's creation expectation).
 */
export interface Watch<T extends KubernetesObject = KubernetesObject> {
  apiPath: string;
  map(ev: InformerEvent<T>): MappedKeys;
}

/** Controller is what a ControllerFactory returns. */
export interface Controller {
  name: string;
  watches: Watch[];
  reconcile(key: string): Promise<ReconcileResult | void>;
  /** Worker count; defaults to the Manager's --concurrency. */
  concurrency?: number;
  /** Optional per-controller rate limiter; default is client-go's controller limiter. */
  rateLimiter?: RateLimiter;
  /** Called once after caches synced and before workers start (e.g. to warm state). */
  start?(signal: AbortSignal): Promise<void> | void;
}

/** ControllerFactory builds a controller from the Manager (clients, caches, gates, logger). */
export type ControllerFactory = (mgr: Manager) => Controller;

/** watch builds a typed Watch; the cast erases T so watches of several kinds fit in one array. */
export function watch<T extends KubernetesObject>(apiPath: string, map: (ev: InformerEvent<T>) => MappedKeys): Watch {
  return { apiPath, map: map as (ev: InformerEvent<KubernetesObject>) => MappedKeys };
}

/** forObject maps each event to the object's own "ns/name" key (controller-runtime's For()). */
export function forObject(apiPath: string): Watch {
  return watch(apiPath, (ev) => objectKey(ev.object));
}

/**
 * ownedBy maps events of dependents (pods, PVCs, revisions) to the key of their controller owner
 * of the given kind (controller-runtime's Owns()). On updates the old owner is also enqueued so an
 * orphaned or re-parented object wakes both.
 */
export function ownedBy(apiPath: string, ownerKind: string, ownerGroup?: string): Watch {
  const ownerKey = (obj: KubernetesObject): string | undefined => {
    const ref = obj.metadata?.ownerReferences?.find((r) => r.controller && r.kind === ownerKind);
    if (!ref) return undefined;
    if (ownerGroup !== undefined && groupOf(ref.apiVersion) !== ownerGroup) return undefined;
    const ns = obj.metadata?.namespace;
    return ns ? `${ns}/${ref.name}` : ref.name;
  };
  return watch(apiPath, (ev) => {
    const keys = new Set<string>();
    const k = ownerKey(ev.object);
    if (k) keys.add(k);
    if (ev.type === 'update') {
      const ok = ownerKey(ev.old);
      if (ok) keys.add(ok);
    }
    return [...keys];
  });
}

function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

export interface ControllerRunnerDeps {
  logger: Logger;
  metrics: Metrics;
  informer(apiPath: string): InformerCache;
  defaultConcurrency: number;
}

/** ControllerRunner owns one controller's queue, event subscriptions and workers. */
export class ControllerRunner {
  readonly queue: WorkQueue;
  private readonly _log: Logger;
  private readonly _unsubscribe: Array<() => void> = [];
  private _workers: Promise<void>[] = [];
  private _active = 0;

  constructor(
    readonly controller: Controller,
    private readonly _deps: ControllerRunnerDeps,
  ) {
    this._log = _deps.logger.child(controller.name);
    this.queue = new WorkQueue({
      name: controller.name,
      rateLimiter: controller.rateLimiter,
      metrics: _deps.metrics.queueMetrics(),
    });
  }

  /** subscribe connects the watches to the queue (before caches sync, so nothing is missed). */
  subscribe(): void {
    for (const w of this.controller.watches) {
      const inf = this._deps.informer(w.apiPath);
      this._unsubscribe.push(
        inf.on((ev) => {
          const keys = w.map(ev);
          if (keys === undefined || keys === null) return;
          if (typeof keys === 'string') this.queue.add(keys);
          else for (const k of keys as readonly string[]) this.queue.add(k);
        }),
      );
    }
  }

  async start(signal: AbortSignal): Promise<void> {
    await this.controller.start?.(signal);
    const n = Math.max(1, this.controller.concurrency ?? this._deps.defaultConcurrency);
    this._deps.metrics.maxConcurrentReconciles.set({ controller: this.controller.name }, n);
    this._log.info('starting workers', { workers: n });
    for (let i = 0; i < n; i++) this._workers.push(this._worker());
  }

  /** stop shuts the queue down and waits for reconciles in flight to finish. */
  async stop(): Promise<void> {
    for (const u of this._unsubscribe.splice(0)) u();
    this.queue.shutdown();
    await Promise.all(this._workers);
    this._workers = [];
  }

  private async _worker(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      await this._process(key);
    }
  }

  private async _process(key: string): Promise<void> {
    const name = this.controller.name;
    const m = this._deps.metrics;
    const start = performance.now();
    m.activeWorkers.set({ controller: name }, ++this._active);
    try {
      const res = await this.controller.reconcile(key);
      if (res?.requeueAfterMs !== undefined && res.requeueAfterMs > 0) {
        this.queue.forget(key);
        this.queue.addAfter(key, res.requeueAfterMs);
        m.reconcileTotal.inc({ controller: name, result: 'requeue_after' });
      } else if (res?.requeue) {
        this.queue.addRateLimited(key);
        m.reconcileTotal.inc({ controller: name, result: 'requeue' });
      } else {
        this.queue.forget(key);
        m.reconcileTotal.inc({ controller: name, result: 'success' });
      }
    } catch (err) {
      m.reconcileErrors.inc({ controller: name });
      m.reconcileTotal.inc({ controller: name, result: 'error' });
      const retries = this.queue.numRequeues(key);
      if (isNamespaceTerminating(err)) {
        // Nothing can be created in a namespace being deleted, and its deletion takes the object
        // with it: retrying would only fill the log (Kubernetes' controllers drop these too).
        this._log.debug('reconcile stopped: namespace is terminating', { key, retries });
        this.queue.forget(key);
        return;
      }
      // Conflicts are routine with a lagging cache; keep them out of the error level.
      const conflict = isConflict(err);
      this._log[conflict ? 'info' : 'error']('reconcile failed', { key, err, retries, conflict });
      this.queue.addRateLimited(key);
    } finally {
      m.reconcileTime.observe({ controller: name }, (performance.now() - start) / 1000);
      m.activeWorkers.set({ controller: name }, --this._active);
      this.queue.done(key);
    }
  }
}

/** isConflict recognises a 409 from the generated clients (ApiException.code) or raw HTTP errors. */
export function isConflict(err: unknown): boolean {
  return statusCodeOf(err) === 409;
}

/** isNotFound recognises a 404. */
export function isNotFound(err: unknown): boolean {
  return statusCodeOf(err) === 404;
}

/** isAlreadyExists recognises a 409 AlreadyExists on create. */
export function isAlreadyExists(err: unknown): boolean {
  return statusCodeOf(err) === 409 && bodyText(err).includes('AlreadyExists');
}

/** The response body of an API error as text (client-node keeps it as a string or a parsed object). */
function bodyText(err: unknown): string {
  const body = (err as { body?: unknown }).body;
  return typeof body === 'string' ? body : JSON.stringify(body ?? '');
}

/**
 * isNamespaceTerminating recognises the 403 the apiserver returns for a create in a namespace
 * being deleted (status cause NamespaceTerminating), also when wrapped as the `cause` of another
 * error (a ReconcileError).
 */
export function isNamespaceTerminating(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; typeof e === 'object' && e !== null && depth < 5; depth++) {
    if (statusCodeOf(e) === 403 && bodyText(e).includes('NamespaceTerminating')) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** statusCodeOf extracts the HTTP status from client-node's ApiException or a KubeHttpError. */
export function statusCodeOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; statusCode?: unknown };
  if (typeof e.code === 'number') return e.code;
  if (typeof e.statusCode === 'number') return e.statusCode;
  return undefined;
}

/** Thrown after a partial reconcile (status already written) so the runner retries with backoff. */
export class ReconcileError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReconcileError';
  }
}

/** The message of whatever was thrown. */
export const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));
