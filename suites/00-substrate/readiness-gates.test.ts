import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { useNamespace } from './fixture.ts';
import { condition, container, isReady, simplePod, waitForPod } from './pods.ts';

const f = useNamespace('substrate-gates');
const GATE = 'example.com/gate';

async function setGate(name: string, status: 'True' | 'False') {
  await f.core.patchNamespacedPodStatus(
    { name, namespace: f.ns, body: { status: { conditions: [{ type: GATE, status }] } } },
    setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
  );
}

describe('readiness gates', () => {
  it('keeps a gated pod not Ready until every gate condition is True, and follows the gate back', async () => {
    await f.core.createNamespacedPod({ namespace: f.ns, body: simplePod('gated', { readinessGates: [{ conditionType: GATE }] }) });
    // Containers run and are ready, but the pod is not: the gate has no condition yet.
    const running = await waitForPod(f, 'gated', (p) => p?.status?.phase === 'Running' && container(p)?.ready === true, 'Running with ready containers');
    expect(condition(running, 'ContainersReady')?.status).toBe('True');
    expect(condition(running, 'Ready')).toMatchObject({ status: 'False', reason: 'ReadinessGatesNotReady' });

    await setGate('gated', 'True');
    await waitForPod(f, 'gated', isReady, 'Ready after the gate condition became True');

    await setGate('gated', 'False');
    const unready = await waitForPod(f, 'gated', (p) => condition(p, 'Ready')?.status === 'False', 'not Ready after the gate went False');
    expect(container(unready)?.ready, 'the container itself stays ready').toBe(true);
  });

  it('makes an ungated pod Ready without any condition from outside', async () => {
    await f.core.createNamespacedPod({ namespace: f.ns, body: simplePod('plain') });
    const pod = await waitForPod(f, 'plain', isReady, 'Ready');
    expect(condition(pod, 'ContainersReady')?.status).toBe('True');
  });

  it('honours a per-pod start delay', async () => {
    const pod = simplePod('slow');
    pod.metadata!.annotations = { 'kruise-conformance.io/start-delay': '3s' };
    const created = await f.core.createNamespacedPod({ namespace: f.ns, body: pod });
    const ready = await waitForPod(f, 'slow', isReady, 'Ready after its 3 s start delay');
    const readyAt = Date.parse(String(condition(ready, 'Ready')?.lastTransitionTime));
    const createdAt = Date.parse(String(created.metadata?.creationTimestamp));
    // Timestamps have second precision: 3 s of delay shows as at least 2 s.
    expect(readyAt - createdAt, 'ms from creation to Ready').toBeGreaterThanOrEqual(2000);
  });
});
