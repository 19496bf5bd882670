/**
 * scaleStrategy.maxUnavailable (spec digest §2.2, §2.4, §2.8 scaleUpLimit; OpenKruise e2e
 * "scales with minReadySeconds and scaleStrategy"): while scaling out, no more pods are created
 * than keep the number of unavailable pods within the limit; a percent rounds up. Pods are slowed
 * with the substrate's start-delay annotation so the limit is visible from outside.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { expect, it } from 'vitest';
import { isPodReady } from '../../harness/kube/invariants.ts';
import { CLONESET, createObject, patchObject } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { timeouts } from '../lib/context.ts';
import { activePods, cloneSetSettled, waitForCloneSet } from '../lib/workloads.ts';
import { START_DELAY_ANNOTATION, cloneSetWith, conditionOf, describePods, waitPods } from './fixtures.ts';

/** Scale to `replicas` and record, on every pod event, how many active pods are not Ready. */
async function scaleOutWatchingUnready(ns: string, name: string, replicas: number): Promise<{ peak: number; pods: V1Pod[] }> {
  let peak = 0;
  await patchObject(CLONESET, ns, name, { spec: { replicas } });
  const pods = await waitPods(
    ns,
    name,
    (items) => {
      peak = Math.max(peak, activePods(items).filter((p) => !isPodReady(p)).length);
      return items.length === replicas && items.every(isPodReady);
    },
    `${replicas} Ready pods`,
    timeouts().rolloutComplete,
  );
  return { peak, pods };
}

describeFeature('CloneSet.ScaleMaxUnavailable', 'scaleStrategy.maxUnavailable limits scale-out', () => {
  const ns = useNamespace('cs-scalemu');
  const slow = { [START_DELAY_ANNOTATION]: '2s' };

  it('int 1: pods are created one at a time, each after the previous one is Ready', async () => {
    await createObject(CLONESET, ns.name, cloneSetWith('one', { replicas: 0, annotations: slow, scaleStrategy: { maxUnavailable: 1 } }));
    const { peak, pods } = await scaleOutWatchingUnready(ns.name, 'one', 3);
    expect(peak, `most pods not Ready at once during the scale-out (limit 1):\n${describePods(pods)}`).toBe(1);
    const byCreation = [...pods].sort((a, b) => Date.parse(String(a.metadata!.creationTimestamp)) - Date.parse(String(b.metadata!.creationTimestamp)));
    for (let i = 1; i < byCreation.length; i++) {
      const readyAt = Date.parse(String(conditionOf(byCreation[i - 1], 'Ready')?.lastTransitionTime));
      const created = Date.parse(String(byCreation[i]!.metadata!.creationTimestamp));
      // Timestamps have second precision; a pod created before its predecessor was Ready shows as < -1 s.
      expect(created - readyAt, `pod ${i} created ${created - readyAt} ms after pod ${i - 1} became Ready`).toBeGreaterThanOrEqual(-1000);
    }
    await waitForCloneSet(ns.name, 'one', cloneSetSettled(3), 'status counts 3 Ready pods');
  });

  it('percent rounds up: 50% of 3 allows 2 unavailable pods at once, never 3', async () => {
    await createObject(CLONESET, ns.name, cloneSetWith('pct', { replicas: 0, annotations: slow, scaleStrategy: { maxUnavailable: '50%' } }));
    const { peak, pods } = await scaleOutWatchingUnready(ns.name, 'pct', 3);
    expect(peak, `most pods not Ready at once during the scale-out (ceil(1.5) = 2):\n${describePods(pods)}`).toBe(2);
  });

  it('with minReadySeconds, the next pod waits until the previous one has been Ready that long', async () => {
    await createObject(CLONESET, ns.name, cloneSetWith('mrs', { replicas: 0, minReadySeconds: 3, scaleStrategy: { maxUnavailable: 1 } }));
    const { pods } = await scaleOutWatchingUnready(ns.name, 'mrs', 3);
    const byCreation = [...pods].sort((a, b) => Date.parse(String(a.metadata!.creationTimestamp)) - Date.parse(String(b.metadata!.creationTimestamp)));
    for (let i = 1; i < byCreation.length; i++) {
      const readyAt = Date.parse(String(conditionOf(byCreation[i - 1], 'Ready')?.lastTransitionTime));
      const created = Date.parse(String(byCreation[i]!.metadata!.creationTimestamp));
      expect(created - readyAt, `pod ${i} created ${created - readyAt} ms after pod ${i - 1} became Ready (minReadySeconds 3, second precision)`).toBeGreaterThanOrEqual(2000);
    }
    await waitForCloneSet(ns.name, 'mrs', (cs) => cloneSetSettled(3)(cs) && cs.status?.availableReplicas === 3, '3 pods available', timeouts().rolloutComplete);
  });
});
