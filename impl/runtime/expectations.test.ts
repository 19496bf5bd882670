import { describe, expect, it } from 'vitest';
import { DEFAULT_EXPECTATION_TIMEOUT_MS, Expectations, ResourceVersionExpectations } from './expectations.ts';

function clock(start = 1_000_000) {
  const c = { now: start, fn: () => c.now };
  return c;
}

describe('Expectations', () => {
  it('is satisfied for an owner that never expected anything', () => {
    const e = new Expectations();
    expect(e.satisfied('ns/cs')).toBe(true);
    expect(e.pending('ns/cs')).toBeUndefined();
  });

  it('blocks until every expected creation is observed by name', () => {
    const c = clock();
    const e = new Expectations({ now: c.fn });
    e.expectCreations('ns/cs', ['cs-a', 'cs-b']);
    expect(e.satisfied('ns/cs')).toBe(false);
    e.creationObserved('ns/cs', 'cs-a');
    expect(e.pending('ns/cs')).toEqual({ creations: ['cs-b'], deletions: [], anonymousCreations: 0, ageMs: 0 });
    // An unrelated pod of the same owner does not satisfy cs-b.
    e.creationObserved('ns/cs', 'cs-zzz');
    expect(e.satisfied('ns/cs')).toBe(false);
    e.creationObserved('ns/cs', 'cs-b');
    expect(e.satisfied('ns/cs')).toBe(true);
  });

  it('tracks deletions by UID, so a recreated pod with the same name does not count', () => {
    const e = new Expectations();
    e.expectDeletions('ns/cs', ['uid-1']);
    e.deletionObserved('ns/cs', 'uid-2');
    expect(e.satisfied('ns/cs')).toBe(false);
    e.deletionObserved('ns/cs', 'uid-1');
    expect(e.satisfied('ns/cs')).toBe(true);
  });

  it('counts anonymous (generateName) creations', () => {
    const e = new Expectations();
    e.expectCreations('ns/cs', 2);
    e.creationObserved('ns/cs', 'whatever-x1');
    expect(e.pending('ns/cs')?.anonymousCreations).toBe(1);
    e.creationObserved('ns/cs');
    expect(e.satisfied('ns/cs')).toBe(true);
  });

  it('keeps owners apart', () => {
    const e = new Expectations();
    e.expect('ns/a', 'create', 'a-1');
    e.expect('ns/b', 'delete', 'uid-b');
    e.observe('ns/a', 'create', 'a-1');
    expect(e.satisfied('ns/a')).toBe(true);
    expect(e.satisfied('ns/b')).toBe(false);
  });

  it('expires after 5 minutes by default and reports the time left', () => {
    const c = clock();
    const e = new Expectations({ now: c.fn });
    expect(e.timeoutMs).toBe(5 * 60 * 1000);
    e.expectCreations('ns/cs', ['cs-a']);
    c.now += DEFAULT_EXPECTATION_TIMEOUT_MS - 1;
    expect(e.satisfied('ns/cs')).toBe(false);
    expect(e.remainingMs('ns/cs')).toBe(1);
    expect(e.expired('ns/cs')).toBe(false);
    c.now += 1;
    expect(e.satisfied('ns/cs')).toBe(true);
    expect(e.expired('ns/cs')).toBe(true);
    expect(e.remainingMs('ns/cs')).toBe(0);
  });

  it('a new expectation restarts the timeout', () => {
    const c = clock();
    const e = new Expectations({ now: c.fn, timeoutMs: 1000 });
    e.expectCreations('ns/cs', ['a']);
    c.now += 900;
    e.expectCreations('ns/cs', ['b']);
    c.now += 900;
    expect(e.satisfied('ns/cs')).toBe(false);
    c.now += 100;
    expect(e.satisfied('ns/cs')).toBe(true);
  });

  it('observing a failed write (rollback) satisfies it, and delete() forgets the owner', () => {
    const e = new Expectations();
    e.expectCreations('ns/cs', ['cs-a']);
    e.creationObserved('ns/cs', 'cs-a'); // create call failed: roll back
    expect(e.satisfied('ns/cs')).toBe(true);
    e.expectDeletions('ns/cs', ['u1']);
    e.delete('ns/cs');
    expect(e.satisfied('ns/cs')).toBe(true);
  });

  it('models the stale-cache scenario: a second reconcile before the add event does not create again', () => {
    // A planner that wants `replicas` pods and sees `cached` in the cache.
    const e = new Expectations();
    const created: string[] = [];
    const cache: string[] = [];
    const reconcile = (replicas: number) => {
      if (!e.satisfied('ns/cs')) return;
      const missing = replicas - cache.length;
      const names = Array.from({ length: missing }, (_, i) => `cs-${created.length + i}`);
      e.expectCreations('ns/cs', names);
      created.push(...names);
    };
    reconcile(2);
    reconcile(2); // informer lags: cache still empty
    expect(created).toEqual(['cs-0', 'cs-1']);
    for (const n of created) {
      cache.push(n);
      e.creationObserved('ns/cs', n);
    }
    reconcile(2);
    expect(created).toHaveLength(2);
  });
});

describe('ResourceVersionExpectations', () => {
  it('is satisfied once the cache shows the written version or a newer one', () => {
    const r = new ResourceVersionExpectations();
    r.expect('uid', '100');
    expect(r.satisfied('uid', '99')).toBe(false);
    expect(r.satisfied('uid', '100')).toBe(true);
    r.expect('uid', '200');
    r.observe('uid', '201');
    expect(r.satisfied('uid', '150')).toBe(true);
  });

  it('compares numerically, not as strings', () => {
    const r = new ResourceVersionExpectations();
    r.expect('uid', '1000');
    expect(r.satisfied('uid', '999')).toBe(false);
    expect(r.satisfied('uid', '10000')).toBe(true);
  });

  it('keeps the highest expected version and times out', () => {
    const c = clock();
    const r = new ResourceVersionExpectations({ now: c.fn, timeoutMs: 1000 });
    r.expect('uid', '300');
    r.expect('uid', '200');
    expect(r.satisfied('uid', '250')).toBe(false);
    c.now += 1000;
    expect(r.satisfied('uid', '250')).toBe(true);
  });

  it('ignores versions it cannot parse instead of blocking', () => {
    const r = new ResourceVersionExpectations();
    r.expect('uid', 'abc');
    expect(r.satisfied('uid', undefined)).toBe(true);
  });
});
