/**
 * Advanced DaemonSet status (OpenKruise v1.8.3 DaemonSetStatus; e2e CheckDaemonStatus): counts are
 * per node. The pods carry a readiness gate the test owns, so each count is driven to a known
 * value: all scheduled and none Ready, some Ready, all Ready but not yet available for
 * minReadySeconds, all available; then a template change under a partition shows
 * updatedNumberScheduled, daemonSetHash and observedGeneration following the new revision.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { expect, it } from 'vitest';
import { isPodReady } from '../../harness/kube/invariants.ts';
import { ADVANCED_DAEMONSET, createObject } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { timeouts } from '../lib/context.ts';
import type { AdvancedDaemonSet } from '../lib/kinds.ts';
import { IMAGE_V2 } from '../lib/workloads.ts';
import {
  HOLD_GATE,
  REVISION_LABEL,
  daemonSetWith,
  hasImage,
  holdGateOpen,
  listDaemonPods,
  onePerNode,
  renderDaemonSet,
  requireNodes,
  rollingUpdate,
  setHoldGate,
  setImage,
  waitDaemonPods,
  waitForDaemonSet,
} from './fixtures.ts';

const MIN_READY = 8;

describeFeature('DaemonSet.Status', 'Advanced DaemonSet status fields', () => {
  const ns = useNamespace('ads-status');

  it('counts scheduled, Ready, available and updated nodes; daemonSetHash and observedGeneration follow the revision', async () => {
    const nodes = await requireNodes(3);
    const n = nodes.length;
    const name = 'counted';
    await createObject(
      ADVANCED_DAEMONSET,
      ns.name,
      daemonSetWith(name, { readinessGates: [HOLD_GATE], minReadySeconds: MIN_READY, updateStrategy: rollingUpdate({ rollingUpdateType: 'Standard', maxUnavailable: 1, partition: n - 1 }) }),
    );
    const held = await waitDaemonPods(ns.name, name, onePerNode(nodes, (p) => p.status?.phase === 'Running' && !isPodReady(p)), `one Running, not Ready pod on each of the ${n} nodes`, timeouts().podsReady);
    const first = await waitForDaemonSet(
      ns.name,
      name,
      (d) => d.status?.desiredNumberScheduled === n && d.status.currentNumberScheduled === n && d.status.numberReady === 0 && d.status.updatedNumberScheduled === n,
      `${n} desired and scheduled, none Ready`,
      timeouts().statusSync,
    );
    const hash = first.status!.daemonSetHash;
    expect(
      { numberAvailable: first.status!.numberAvailable ?? 0, numberUnavailable: first.status!.numberUnavailable, numberMisscheduled: first.status!.numberMisscheduled, observedGeneration: first.status!.observedGeneration },
      `status while every pod is held not-Ready:\n${renderDaemonSet(first)}`,
    ).toEqual({ numberAvailable: 0, numberUnavailable: n, numberMisscheduled: 0, observedGeneration: first.metadata.generation });
    expect(hash, 'daemonSetHash is set').toBeTruthy();
    expect(
      held.map((p) => p.metadata?.labels?.[REVISION_LABEL]),
      'every pod carries controller-revision-hash = status.daemonSetHash',
    ).toEqual(held.map(() => hash));

    // Two pods Ready.
    for (const p of held.slice(0, 2)) await setHoldGate(ns.name, p.metadata!.name!);
    await waitForDaemonSet(ns.name, name, (d) => d.status?.numberReady === 2 && d.status.currentNumberScheduled === n, 'numberReady 2 after opening two gates', timeouts().statusSync);

    // All Ready: numberReady n is seen before numberAvailable n (minReadySeconds), then both.
    for (const p of held.slice(2)) await setHoldGate(ns.name, p.metadata!.name!);
    const ready = await waitForDaemonSet(ns.name, name, (d) => d.status?.numberReady === n, `numberReady ${n}`, timeouts().statusSync);
    expect(ready.status?.numberAvailable ?? 0, `numberAvailable when numberReady first reached ${n}: the pods are Ready for less than minReadySeconds ${MIN_READY}\n${renderDaemonSet(ready)}`).toBeLessThan(n);
    const available = await waitForDaemonSet(ns.name, name, (d) => d.status?.numberReady === n && d.status.numberAvailable === n, `numberAvailable ${n} after minReadySeconds`, timeouts().statusSync + MIN_READY * 1000);
    expect(available.status?.numberUnavailable ?? 0, 'numberUnavailable once all are available').toBe(0);

    // A new image under partition n-1: exactly one node updated; its new pod is held too.
    await setImage(ns.name, name, IMAGE_V2);
    const pods = await waitDaemonPods(ns.name, name, (all) => onePerNode(nodes)(all) && all.filter(hasImage(IMAGE_V2)).length === 1, `one pod at ${IMAGE_V2} (partition ${n - 1}), one pod per node`);
    const fresh = pods.find(hasImage(IMAGE_V2))!;
    expect(holdGateOpen(fresh), 'the new pod starts with the gate closed').toBe(false);
    const moved = await waitForDaemonSet(
      ns.name,
      name,
      (d: AdvancedDaemonSet) => d.status?.updatedNumberScheduled === 1 && d.status.numberReady === n - 1 && d.status.daemonSetHash !== hash,
      `updatedNumberScheduled 1, numberReady ${n - 1}, a new daemonSetHash`,
      timeouts().statusSync,
    );
    expect(moved.status?.observedGeneration, 'observedGeneration after the template change').toBe(moved.metadata.generation);
    expect(moved.metadata.generation, 'the template change made a new generation').toBeGreaterThan(first.metadata.generation ?? 0);
    expect(fresh.metadata?.labels?.[REVISION_LABEL], 'the new pod carries the new daemonSetHash').toBe(moved.status?.daemonSetHash);
    const old: V1Pod[] = (await listDaemonPods(ns.name, name)).filter((p) => !hasImage(IMAGE_V2)(p));
    expect(new Set(old.map((p) => p.metadata?.labels?.[REVISION_LABEL])), 'the other pods keep the old hash').toEqual(new Set([hash]));
    expect({ desired: moved.status?.desiredNumberScheduled, current: moved.status?.currentNumberScheduled }, 'desired and current unchanged').toEqual({ desired: n, current: n });

    await setHoldGate(ns.name, fresh.metadata!.name!);
    await waitForDaemonSet(ns.name, name, (d) => d.status?.numberReady === n && d.status.numberAvailable === n && d.status.updatedNumberScheduled === 1, `all ${n} Ready and available again, 1 updated`, timeouts().statusSync + MIN_READY * 1000);
  });
});
