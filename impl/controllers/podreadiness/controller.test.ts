import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { createLogger, FakeInformer, type Manager } from '../../runtime/index.ts';
import { KRUISE_POD_READY, needsCondition, podReadinessController, withReadyCondition } from './controller.ts';

function pod(opts: { gate?: boolean; condition?: 'True' | 'False'; deleting?: boolean } = {}): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'ns', resourceVersion: '7', ...(opts.deleting ? { deletionTimestamp: new Date() } : {}) },
    spec: { containers: [{ name: 'c', image: 'i' }], readinessGates: opts.gate ? [{ conditionType: KRUISE_POD_READY }] : [] },
    status: { conditions: opts.condition ? [{ type: KRUISE_POD_READY, status: opts.condition }] : [{ type: 'Ready', status: 'False' }] },
  };
}

describe('needsCondition', () => {
  it.each([
    { name: 'gate and no condition', p: pod({ gate: true }), want: true },
    { name: 'no gate', p: pod(), want: false },
    { name: 'condition already False (owned by a workload controller)', p: pod({ gate: true, condition: 'False' }), want: false },
    { name: 'condition already True', p: pod({ gate: true, condition: 'True' }), want: false },
    { name: 'terminating pod', p: pod({ gate: true, deleting: true }), want: false },
  ])('$name -> $want', ({ p, want }) => {
    expect(needsCondition(p)).toBe(want);
  });

  it('withReadyCondition appends KruisePodReady=True without touching the input', () => {
    const p = pod({ gate: true });
    const now = new Date('2025-01-01T00:00:00Z');
    const out = withReadyCondition(p, now);
    expect(out.status?.conditions).toEqual([
      { type: 'Ready', status: 'False' },
      { type: KRUISE_POD_READY, status: 'True', lastTransitionTime: now },
    ]);
    expect(p.status?.conditions).toHaveLength(1);
  });
});

describe('podReadinessController', () => {
  function setup(pods: V1Pod[], replace: (req: { name: string; namespace: string; body: V1Pod }) => Promise<V1Pod>) {
    const inf = new FakeInformer<V1Pod>('/api/v1/pods', pods);
    const mgr = {
      informer: () => inf,
      core: { replaceNamespacedPodStatus: replace },
      logger: createLogger({ level: 'fatal', stream: { write: () => true } }),
    } as unknown as Manager;
    return { inf, controller: podReadinessController(mgr, () => new Date('2025-01-01T00:00:00Z')) };
  }

  it('writes the status with the cached resourceVersion, only for pods that need it', async () => {
    const writes: Array<{ name: string; rv: string | undefined; conditions: string[] }> = [];
    const { controller, inf } = setup([pod({ gate: true })], async (req) => {
      writes.push({ name: req.name, rv: req.body.metadata?.resourceVersion, conditions: (req.body.status?.conditions ?? []).map((c) => `${c.type}=${c.status}`) });
      return req.body;
    });
    const w = controller.watches[0]!;
    expect(w.map({ type: 'add', object: inf.get('ns', 'p')! })).toBe('ns/p');
    expect(w.map({ type: 'add', object: pod() })).toBeUndefined();
    await controller.reconcile('ns/p');
    await controller.reconcile('ns/missing');
    expect(writes).toEqual([{ name: 'p', rv: inf.get('ns', 'p')!.metadata?.resourceVersion, conditions: ['Ready=False', 'KruisePodReady=True'] }]);
  });

  it('asks for a retry on a conflict and ignores a pod that vanished', async () => {
    const { controller } = setup([pod({ gate: true })], async () => {
      throw Object.assign(new Error('conflict'), { code: 409 });
    });
    expect(await controller.reconcile('ns/p')).toEqual({ requeue: true });
    const gone = setup([pod({ gate: true })], async () => {
      throw Object.assign(new Error('gone'), { code: 404 });
    });
    expect(await gone.controller.reconcile('ns/p')).toBeUndefined();
  });
});
