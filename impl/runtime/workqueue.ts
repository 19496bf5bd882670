// A rate-limited, de-duplicating work queue with client-go semantics:
// - a key queued twice is processed once;
// - a key being processed is never handed to a second worker; if it is added meanwhile it is
//   marked dirty and re-queued when the first worker calls done();
// - addAfter / addRateLimited delay an add; shutdown wakes every waiting get() with undefined.
import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiter.ts';

/** QueueMetrics receives the queue's counters; the Manager wires it to Prometheus. */
export interface QueueMetrics {
  depth(name: string, depth: number): void;
  add(name: string): void;
  retry(name: string): void;
  workDuration(name: string, seconds: number): void;
  queueLatency?(name: string, seconds: number): void;
}

export interface WorkQueueOptions {
  name?: string;
  rateLimiter?: RateLimiter;
  metrics?: QueueMetrics;
  /** Clock for latency/duration metrics. */
  now?: () => number;
}

export class WorkQueue {
  readonly name: string;
  private readonly _queue: string[] = [];
  private readonly _dirty = new Set<string>();
  private readonly _processing = new Set<string>();
  private readonly _waiters: Array<(key: string | undefined) => void> = [];
  private readonly _timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly _addedAt = new Map<string, number>();
  private readonly _startedAt = new Map<string, number>();
  private readonly _limiter: RateLimiter;
  private readonly _metrics: QueueMetrics | undefined;
  private readonly _now: () => number;
  private _shuttingDown = false;
  private readonly _drainWaiters: Array<() => void> = [];
  private readonly _idleWaiters: Array<() => void> = [];

  constructor(opts: WorkQueueOptions = {}) {
    this.name = opts.name ?? 'queue';
    this._limiter = opts.rateLimiter ?? defaultControllerRateLimiter();
    this._metrics = opts.metrics;
    this._now = opts.now ?? (() => performance.now());
  }

  /** add queues key unless it is already queued; a key in flight is re-queued after done(). */
  add(key: string): void {
    if (this._shuttingDown || this._dirty.has(key)) return;
    this._metrics?.add(this.name);
    this._dirty.add(key);
    this._addedAt.set(key, this._now());
    if (this._processing.has(key)) return;
    const waiter = this._waiters.shift();
    if (waiter) {
      this._take(key);
      waiter(key);
      return;
    }
    this._queue.push(key);
    this._metrics?.depth(this.name, this._queue.length);
  }

  /** addAfter adds key after delayMs; a pending earlier delay for the same key wins. */
  addAfter(key: string, delayMs: number): void {
    if (this._shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const at = this._now() + delayMs;
    const existing = this._timers.get(key);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this._timers.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref?.();
    this._timers.set(key, { at, timer });
  }

  /** addRateLimited re-adds key after the rate limiter's delay (a retry after failure). */
  addRateLimited(key: string): void {
    if (this._shuttingDown) return;
    this._metrics?.retry(this.name);
    this.addAfter(key, this._limiter.when(key));
  }

  /** forget resets key's backoff; call it after a successful reconcile. */
  forget(key: string): void {
    this._limiter.forget(key);
  }

  numRequeues(key: string): number {
    return this._limiter.numRequeues(key);
  }

  /** get waits for the next key; undefined means the queue is shut down. */
  get(): Promise<string | undefined> {
    const key = this._queue.shift();
    if (key !== undefined) {
      this._metrics?.depth(this.name, this._queue.length);
      this._take(key);
      return Promise.resolve(key);
    }
    if (this._shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this._waiters.push(resolve));
  }

  /** done marks key finished; if it was added while in flight it goes back on the queue. */
  done(key: string): void {
    if (!this._processing.delete(key)) return;
    const started = this._startedAt.get(key);
    this._startedAt.delete(key);
    if (started !== undefined) this._metrics?.workDuration(this.name, (this._now() - started) / 1000);
    if (this._dirty.has(key)) {
      const waiter = this._waiters.shift();
      if (waiter) {
        this._take(key);
        waiter(key);
      } else {
        this._queue.push(key);
        this._metrics?.depth(this.name, this._queue.length);
      }
    }
    if (this._processing.size === 0) for (const w of this._drainWaiters.splice(0)) w();
    this._notifyIdle();
  }

  /** len is the number of keys waiting (not counting those in flight or delayed). */
  len(): number {
    return this._queue.length;
  }

  /** processing is the number of keys currently handed to workers. */
  inFlight(): number {
    return this._processing.size;
  }

  /** pendingDelayed is the number of keys waiting on a timer (addAfter / addRateLimited). */
  pendingDelayed(): number {
    return this._timers.size;
  }

  shuttingDown(): boolean {
    return this._shuttingDown;
  }

  /** shutdown stops accepting keys, drops delayed ones and wakes every waiting get(). */
  shutdown(): void {
    if (this._shuttingDown) return;
    this._shuttingDown = true;
    for (const { timer } of this._timers.values()) clearTimeout(timer);
    this._timers.clear();
    this._queue.length = 0;
    this._dirty.clear();
    this._metrics?.depth(this.name, 0);
    for (const w of this._waiters.splice(0)) w(undefined);
    this._notifyIdle();
  }

  /**
   * waitIdle resolves once no key is queued or in flight (keys waiting on an addAfter timer do not
   * count). Tests use it to know a burst of events has been fully reconciled.
   */
  waitIdle(): Promise<void> {
    if (this._isIdle()) return Promise.resolve();
    return new Promise((resolve) => this._idleWaiters.push(resolve));
  }

  private _isIdle(): boolean {
    return this._queue.length === 0 && this._processing.size === 0;
  }

  private _notifyIdle(): void {
    if (this._isIdle()) for (const w of this._idleWaiters.splice(0)) w();
  }

  /** drain resolves once no key is in flight (use after shutdown to let workers finish). */
  drain(): Promise<void> {
    if (this._processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this._drainWaiters.push(resolve));
  }

  private _take(key: string): void {
    this._dirty.delete(key);
    this._processing.add(key);
    const now = this._now();
    this._startedAt.set(key, now);
    const added = this._addedAt.get(key);
    this._addedAt.delete(key);
    if (added !== undefined) this._metrics?.queueLatency?.(this.name, (now - added) / 1000);
  }
}
