// Rate limiters in the shape of client-go's workqueue: the default controller limiter is the max of
// a per-item exponential backoff (5 ms doubling to 1000 s) and an overall token bucket (10 qps, burst 100).

/** RateLimiter decides how long an item waits before it is re-added after a failure. */
export interface RateLimiter {
  /** when returns the delay in ms for the next retry of key and records the attempt. */
  when(key: string): number;
  /** forget clears the failure history of key (after a success). */
  forget(key: string): void;
  /** numRequeues is how many failures key has had since it was last forgotten. */
  numRequeues(key: string): number;
}

/** ItemExponentialFailureRateLimiter waits base * 2^failures, capped at max. */
export class ItemExponentialFailureRateLimiter implements RateLimiter {
  private readonly _failures = new Map<string, number>();

  constructor(
    readonly baseDelayMs = 5,
    readonly maxDelayMs = 1_000_000,
  ) {}

  when(key: string): number {
    const exp = this._failures.get(key) ?? 0;
    this._failures.set(key, exp + 1);
    const backoff = this.baseDelayMs * 2 ** exp;
    return Number.isFinite(backoff) ? Math.min(backoff, this.maxDelayMs) : this.maxDelayMs;
  }

  forget(key: string): void {
    this._failures.delete(key);
  }

  numRequeues(key: string): number {
    return this._failures.get(key) ?? 0;
  }
}

/**
 * BucketRateLimiter is an overall token bucket: each call reserves a token and returns how long
 * until that token is available. It keeps no per-item state.
 */
export class BucketRateLimiter implements RateLimiter {
  private _tokens: number;
  private _last: number;

  constructor(
    readonly qps = 10,
    readonly burst = 100,
    private readonly _now: () => number = () => performance.now(),
  ) {
    this._tokens = burst;
    this._last = _now();
  }

  when(_key: string): number {
    const now = this._now();
    this._tokens = Math.min(this.burst, this._tokens + ((now - this._last) / 1000) * this.qps);
    this._last = now;
    this._tokens -= 1;
    // A negative balance is a reservation: wait until the bucket has refilled to zero.
    return this._tokens >= 0 ? 0 : (-this._tokens / this.qps) * 1000;
  }

  forget(_key: string): void {}

  numRequeues(_key: string): number {
    return 0;
  }
}

/** MaxOfRateLimiter asks every limiter and waits for the longest answer. */
export class MaxOfRateLimiter implements RateLimiter {
  private readonly _limiters: RateLimiter[];

  constructor(...limiters: RateLimiter[]) {
    this._limiters = limiters;
  }

  when(key: string): number {
    let max = 0;
    for (const l of this._limiters) max = Math.max(max, l.when(key));
    return max;
  }

  forget(key: string): void {
    for (const l of this._limiters) l.forget(key);
  }

  numRequeues(key: string): number {
    let max = 0;
    for (const l of this._limiters) max = Math.max(max, l.numRequeues(key));
    return max;
  }
}

/** defaultControllerRateLimiter matches client-go's DefaultControllerRateLimiter. */
export function defaultControllerRateLimiter(now?: () => number): RateLimiter {
  return new MaxOfRateLimiter(new ItemExponentialFailureRateLimiter(5, 1_000_000), new BucketRateLimiter(10, 100, now));
}
