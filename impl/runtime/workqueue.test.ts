import { afterEach, describe, expect, it, vi } from 'vitest';
import { BucketRateLimiter, defaultControllerRateLimiter, ItemExponentialFailureRateLimiter, MaxOfRateLimiter } from './rate-limiter.ts';
import { WorkQueue, type QueueMetrics } from './workqueue.ts';

function recordingMetrics() {
  const m = { depth: [] as number[], adds: 0, retries: 0, durations: [] as number[] };
  const sink: QueueMetrics = {
    depth: (_n, d) => m.depth.push(d),
    add: () => m.adds++,
    retry: () => m.retries++,
    workDuration: (_n, s) => m.durations.push(s),
  };
  return { m, sink };
}

describe('ItemExponentialFailureRateLimiter', () => {
  it('doubles from 5 ms per failure and caps at 1000 s', () => {
    const rl = new ItemExponentialFailureRateLimiter(5, 1_000_000);
    const delays = Array.from({ length: 20 }, () => rl.when('a'));
    expect(delays.slice(0, 5)).toEqual([5, 10, 20, 40, 80]);
    expect(delays[17]).toBe(655_360);
    expect(delays[18]).toBe(1_000_000);
    expect(delays[19]).toBe(1_000_000);
    expect(rl.numRequeues('a')).toBe(20);
  });

  it('tracks items separately and forget resets one', () => {
    const rl = new ItemExponentialFailureRateLimiter(5, 1_000_000);
    rl.when('a');
    rl.when('a');
    expect(rl.when('b')).toBe(5);
    rl.forget('a');
    expect(rl.numRequeues('a')).toBe(0);
    expect(rl.when('a')).toBe(5);
  });

  it('never overflows to Infinity after very many failures', () => {
    const rl = new ItemExponentialFailureRateLimiter(5, 1_000_000);
    let last = 0;
    for (let i = 0; i < 2000; i++) last = rl.when('x');
    expect(last).toBe(1_000_000);
  });
});

describe('BucketRateLimiter', () => {
  it('lets the burst through at once, then spaces items by 1/qps', () => {
    let now = 0;
    const rl = new BucketRateLimiter(10, 100, () => now);
    const burst = Array.from({ length: 100 }, (_, i) => rl.when(`k${i}`));
    expect(burst.every((d) => d === 0)).toBe(true);
    expect(rl.when('k100')).toBeCloseTo(100);
    expect(rl.when('k101')).toBeCloseTo(200);
    now = 1000; // 10 tokens refilled, 2 were reserved
    expect(rl.when('k102')).toBe(0);
  });
});

describe('defaultControllerRateLimiter', () => {
  it('takes the larger of the per-item backoff and the bucket', () => {
    let now = 0;
    const rl = defaultControllerRateLimiter(() => now);
    expect(rl.when('a')).toBe(5);
    expect(rl.when('a')).toBe(10);
    expect(rl.numRequeues('a')).toBe(2);
    rl.forget('a');
    expect(rl.numRequeues('a')).toBe(0);
    const max = new MaxOfRateLimiter(new ItemExponentialFailureRateLimiter(1, 10), new ItemExponentialFailureRateLimiter(3, 100));
    expect(max.when('z')).toBe(3);
  });
});

describe('WorkQueue', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('hands out keys in FIFO order and de-duplicates queued keys', async () => {
    const { m, sink } = recordingMetrics();
    const q = new WorkQueue({ name: 't', metrics: sink });
    q.add('a');
    q.add('b');
    q.add('a');
    expect(q.len()).toBe(2);
    expect(m.adds).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
    expect(q.len()).toBe(0);
    expect(m.depth.at(-1)).toBe(0);
  });

  it('never gives a key to two workers at once; an add during processing re-queues it after done', async () => {
    const q = new WorkQueue();
    q.add('a');
    const first = await q.get();
    expect(first).toBe('a');
    q.add('a'); // dirty while processing
    q.add('b');
    expect(await q.get()).toBe('b'); // 'a' is held back
    let second: string | undefined;
    const p = q.get().then((k) => (second = k));
    await Promise.resolve();
    expect(second).toBeUndefined();
    q.done('a');
    await p;
    expect(second).toBe('a');
  });

  it('processes a key once when it was added many times while in flight', async () => {
    const q = new WorkQueue();
    q.add('a');
    await q.get();
    for (let i = 0; i < 5; i++) q.add('a');
    q.done('a');
    expect(q.len()).toBe(1);
    expect(await q.get()).toBe('a');
    q.done('a');
    expect(q.len()).toBe(0);
  });

  it('wakes a waiting get when a key arrives', async () => {
    const q = new WorkQueue();
    const p = q.get();
    q.add('x');
    expect(await p).toBe('x');
  });

  it('addAfter delays the add; the earlier of two delays wins', () => {
    vi.useFakeTimers();
    const q = new WorkQueue({ now: () => Date.now() });
    q.addAfter('a', 1000);
    q.addAfter('a', 200);
    q.addAfter('a', 5000);
    expect(q.len()).toBe(0);
    expect(q.pendingDelayed()).toBe(1);
    vi.advanceTimersByTime(199);
    expect(q.len()).toBe(0);
    vi.advanceTimersByTime(1);
    expect(q.len()).toBe(1);
    vi.advanceTimersByTime(10_000);
    expect(q.len()).toBe(1);
  });

  it('addRateLimited backs off exponentially and forget resets it; retries are counted', () => {
    vi.useFakeTimers();
    const { m, sink } = recordingMetrics();
    const q = new WorkQueue({ metrics: sink, rateLimiter: new ItemExponentialFailureRateLimiter(5, 1_000_000), now: () => Date.now() });
    q.addRateLimited('a'); // 5 ms
    vi.advanceTimersByTime(4);
    expect(q.len()).toBe(0);
    vi.advanceTimersByTime(1);
    expect(q.len()).toBe(1);
    expect(q.numRequeues('a')).toBe(1);
    q.addRateLimited('b');
    q.addRateLimited('b'); // the pending 5 ms add wins over the new 10 ms
    expect(q.numRequeues('b')).toBe(2);
    q.forget('b');
    expect(q.numRequeues('b')).toBe(0);
    expect(m.retries).toBe(3);
  });

  it('records work duration when a key is done', async () => {
    let now = 0;
    const { m, sink } = recordingMetrics();
    const q = new WorkQueue({ metrics: sink, now: () => now });
    q.add('a');
    await q.get();
    now = 250;
    q.done('a');
    expect(m.durations).toEqual([0.25]);
  });

  it('shutdown wakes waiting workers with undefined and ignores later adds', async () => {
    vi.useFakeTimers();
    const q = new WorkQueue();
    const waiting = [q.get(), q.get()];
    q.addAfter('later', 100);
    q.shutdown();
    expect(await Promise.all(waiting)).toEqual([undefined, undefined]);
    q.add('x');
    vi.advanceTimersByTime(1000);
    expect(q.len()).toBe(0);
    expect(await q.get()).toBeUndefined();
    expect(q.shuttingDown()).toBe(true);
  });

  it('drain resolves when the keys in flight are done', async () => {
    const q = new WorkQueue();
    q.add('a');
    await q.get();
    q.shutdown();
    let drained = false;
    const p = q.drain().then(() => (drained = true));
    await Promise.resolve();
    expect(drained).toBe(false);
    q.done('a');
    await p;
    expect(drained).toBe(true);
  });

  it('with N concurrent workers, each key is processed by one worker at a time', async () => {
    const q = new WorkQueue();
    const inFlight = new Set<string>();
    let overlaps = 0;
    let processed = 0;
    const worker = async () => {
      for (;;) {
        const k = await q.get();
        if (k === undefined) return;
        if (inFlight.has(k)) overlaps++;
        inFlight.add(k);
        await new Promise((r) => setTimeout(r, 1));
        // Re-adding the same key while processing must not start a parallel run.
        if (processed < 40) q.add(k);
        inFlight.delete(k);
        processed++;
        q.done(k);
      }
    };
    const workers = Array.from({ length: 4 }, worker);
    for (const k of ['a', 'b', 'a', 'c', 'a', 'b']) q.add(k);
    await vi.waitFor(() => expect(processed).toBeGreaterThanOrEqual(40), { timeout: 5000 });
    await vi.waitFor(() => expect(q.inFlight() + q.len()).toBe(0), { timeout: 5000 });
    q.shutdown();
    await Promise.all(workers);
    expect(overlaps).toBe(0);
  });
});

describe('WorkQueue.waitIdle', () => {
  it('resolves when nothing is queued or in flight, not before', async () => {
    const q = new WorkQueue();
    await q.waitIdle(); // already idle
    q.add('a');
    q.add('b');
    let idle = false;
    const p = q.waitIdle().then(() => (idle = true));
    const a = await q.get();
    q.done(a!);
    await Promise.resolve();
    expect(idle).toBe(false);
    const b = await q.get();
    q.done(b!);
    await p;
    expect(idle).toBe(true);
  });
});
