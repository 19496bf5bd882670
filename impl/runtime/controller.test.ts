import type { V1ConfigMap, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { ControllerRunner, forObject, isAlreadyExists, isConflict, isNamespaceTerminating, isNotFound, ownedBy, ReconcileError, type Controller } from './controller.ts';
import { createLogger } from './logger.ts';
import { Metrics } from './metrics.ts';
import { ItemExponentialFailureRateLimiter } from './rate-limiter.ts';
import { FakeInformer } from './testing.ts';

/** What client-node throws for a create in a namespace being deleted (body as the apiserver sends it). */
const terminating = {
  code: 403,
  body: JSON.stringify({
    kind: 'Status',
    status: 'Failure',
    message: 'pods "web-0" is forbidden: unable to create new content in namespace ns because it is being terminated',
    reason: 'Forbidden',
    details: { name: 'web-0', kind: 'pods', causes: [{ reason: 'NamespaceTerminating', message: 'namespace ns is being terminated', field: 'metadata.namespace' }] },
    code: 403,
  }),
};

const quiet = createLogger({ level: 'fatal', stream: { write: () => true } });

function runnerFor(controller: Controller, informers: Record<string, FakeInformer>) {
  const metrics = new Metrics();
  const runner = new ControllerRunner(controller, {
    logger: quiet,
    metrics,
    informer: (p) => {
      const inf = informers[p];
      if (!inf) throw new Error(`no fake informer for ${p}`);
      return inf;
    },
    defaultConcurrency: 2,
  });
  return { runner, metrics };
}

function pod(name: string, owner?: string): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'ns',
      ownerReferences: owner ? [{ apiVersion: 'apps.kruise.io/v1alpha1', kind: 'CloneSet', name: owner, uid: `uid-${owner}`, controller: true }] : [],
    },
  };
}

describe('watch mappings', () => {
  it('forObject maps to ns/name; ownedBy maps to the controller owner of the kind and group', () => {
    expect(forObject('/api/v1/pods').map({ type: 'add', object: pod('p') })).toBe('ns/p');
    const w = ownedBy('/api/v1/pods', 'CloneSet', 'apps.kruise.io');
    expect(w.map({ type: 'add', object: pod('p', 'cs') })).toEqual(['ns/cs']);
    expect(w.map({ type: 'add', object: pod('p') })).toEqual([]);
    expect(ownedBy('/api/v1/pods', 'CloneSet', 'apps').map({ type: 'add', object: pod('p', 'cs') })).toEqual([]);
    // Re-parenting wakes both owners.
    expect(w.map({ type: 'update', object: pod('p', 'new'), old: pod('p', 'old') })).toEqual(['ns/new', 'ns/old']);
  });
});

describe('ControllerRunner', () => {
  it('reconciles keys from watch events, counts results, and retries errors with backoff', async () => {
    const cms = new FakeInformer<V1ConfigMap>('/api/v1/configmaps');
    const calls: string[] = [];
    let failuresLeft = 2;
    const { runner, metrics } = runnerFor(
      {
        name: 'c',
        watches: [forObject('/api/v1/configmaps')],
        rateLimiter: new ItemExponentialFailureRateLimiter(1, 10),
        async reconcile(key) {
          calls.push(key);
          if (key === 'ns/flaky' && failuresLeft-- > 0) throw new Error('transient');
        },
      },
      { '/api/v1/configmaps': cms as unknown as FakeInformer },
    );
    runner.subscribe();
    await runner.start(new AbortController().signal);
    cms.set({ metadata: { name: 'ok', namespace: 'ns' } });
    cms.set({ metadata: { name: 'flaky', namespace: 'ns' } });
    await runner.queue.waitIdle();
    // The failed key comes back after its backoff timer; wait for it to succeed.
    while (calls.filter((k) => k === 'ns/flaky').length < 3) {
      await new Promise((r) => setTimeout(r, 5));
    }
    await runner.queue.waitIdle();
    expect(calls.filter((k) => k === 'ns/ok')).toHaveLength(1);
    expect(calls.filter((k) => k === 'ns/flaky')).toHaveLength(3);
    expect(metrics.reconcileErrors.get({ controller: 'c' })).toBe(2);
    expect(metrics.reconcileTotal.get({ controller: 'c', result: 'error' })).toBe(2);
    expect(metrics.reconcileTotal.get({ controller: 'c', result: 'success' })).toBe(2);
    expect(metrics.queueRetries.get({ name: 'c' })).toBe(2);
    // Success resets the backoff.
    expect(runner.queue.numRequeues('ns/flaky')).toBe(0);
    await runner.stop();
  });

  it('drops a key whose reconcile failed because its namespace is terminating, without retrying', async () => {
    const cms = new FakeInformer<V1ConfigMap>('/api/v1/configmaps');
    let calls = 0;
    const { runner, metrics } = runnerFor(
      {
        name: 't',
        watches: [forObject('/api/v1/configmaps')],
        rateLimiter: new ItemExponentialFailureRateLimiter(1, 10),
        async reconcile() {
          calls++;
          throw new ReconcileError('create failed', { cause: terminating });
        },
      },
      { '/api/v1/configmaps': cms as unknown as FakeInformer },
    );
    runner.subscribe();
    await runner.start(new AbortController().signal);
    cms.set({ metadata: { name: 'gone', namespace: 'ns' } });
    await runner.queue.waitIdle();
    // A retry would come 1 ms later: give it ten times that to show up.
    await new Promise((r) => setTimeout(r, 10));
    await runner.queue.waitIdle();
    expect(calls).toBe(1);
    expect(runner.queue.numRequeues('ns/gone')).toBe(0);
    expect(metrics.reconcileErrors.get({ controller: 't' })).toBe(1);
    await runner.stop();
  });

  it('requeueAfterMs schedules the key again', async () => {
    const cms = new FakeInformer<V1ConfigMap>('/api/v1/configmaps', [{ metadata: { name: 'a', namespace: 'ns' } }]);
    let n = 0;
    let resolveSecond!: () => void;
    const second = new Promise<void>((r) => (resolveSecond = r));
    const { runner, metrics } = runnerFor(
      {
        name: 'r',
        watches: [forObject('/api/v1/configmaps')],
        async reconcile() {
          n++;
          if (n === 2) resolveSecond();
          return n === 1 ? { requeueAfterMs: 20 } : undefined;
        },
      },
      { '/api/v1/configmaps': cms as unknown as FakeInformer },
    );
    runner.subscribe(); // replays the existing object as an add
    await runner.start(new AbortController().signal);
    await second;
    expect(metrics.reconcileTotal.get({ controller: 'r', result: 'requeue_after' })).toBe(1);
    await runner.stop();
  });

  it('stop waits for the reconcile in flight and takes no new keys', async () => {
    const cms = new FakeInformer<V1ConfigMap>('/api/v1/configmaps');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let finished = 0;
    const { runner } = runnerFor(
      {
        name: 's',
        concurrency: 1,
        watches: [forObject('/api/v1/configmaps')],
        async reconcile() {
          await gate;
          finished++;
        },
      },
      { '/api/v1/configmaps': cms as unknown as FakeInformer },
    );
    runner.subscribe();
    await runner.start(new AbortController().signal);
    cms.set({ metadata: { name: 'a', namespace: 'ns' } });
    const stopped = runner.stop();
    cms.set({ metadata: { name: 'b', namespace: 'ns' } });
    release();
    await stopped;
    expect(finished).toBe(1);
  });
});

describe('API error helpers', () => {
  it('recognise codes from client-node exceptions and raw HTTP errors', () => {
    expect(isConflict({ code: 409 })).toBe(true);
    expect(isNotFound({ statusCode: 404 })).toBe(true);
    expect(isNotFound(new Error('x'))).toBe(false);
    expect(isAlreadyExists({ code: 409, body: '{"reason":"AlreadyExists"}' })).toBe(true);
    expect(isAlreadyExists({ code: 409, body: '{"reason":"Conflict"}' })).toBe(false);
  });

  it('recognise a create refused because the namespace is terminating, also as a cause', () => {
    expect(isNamespaceTerminating(terminating)).toBe(true);
    expect(isNamespaceTerminating(new ReconcileError('x', { cause: terminating }))).toBe(true);
    expect(isNamespaceTerminating({ code: 403, body: '{"reason":"Forbidden","message":"RBAC"}' })).toBe(false);
    expect(isNamespaceTerminating({ code: 409, body: '{"reason":"NamespaceTerminating"}' })).toBe(false);
    expect(isNamespaceTerminating(new Error('NamespaceTerminating'))).toBe(false);
  });
});

describe('FakeInformer', () => {
  it('lists by namespace and selector and emits update only on a new resourceVersion', () => {
    const inf = new FakeInformer<V1ConfigMap>('/api/v1/configmaps', [
      { metadata: { name: 'a', namespace: 'x', labels: { app: 'web' } } },
      { metadata: { name: 'b', namespace: 'y', labels: { app: 'web' } } },
    ]);
    expect(inf.hasSynced()).toBe(true);
    expect(inf.list('x', { matchLabels: { app: 'web' } }).map((o) => o.metadata?.name)).toEqual(['a']);
    const seen: string[] = [];
    inf.on((ev) => seen.push(`${ev.type} ${ev.object.metadata?.name}`));
    seen.length = 0;
    const a = inf.get('x', 'a')!;
    inf.set(a); // same object again: still an update, since the fake stamps a new resourceVersion
    inf.remove('y/b');
    expect(seen).toEqual(['update a', 'delete b']);
    inf.addIndex('app', (o) => [o.metadata?.labels?.app ?? '']);
    expect(inf.byIndex('app', 'web').map((o) => o.metadata?.name)).toEqual(['a']);
  });
});
