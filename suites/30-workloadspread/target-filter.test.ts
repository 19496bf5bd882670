/**
 * Custom workloads and targetFilter (spec §4.2, §4.8; OpenKruise e2e "job-like custom workload";
 * seed "OpenKruise 1.8": a TFJob whose workers alone are spread). The target is the suite's
 * TFJob-like kind (./tfjob.ts), whitelisted by the implementation's install-time configuration
 * with ReplicasPath spec.tfReplicaSpecs.Master.replicas. Each job runs fewer pods than some role
 * asks for, so the replicas read at a path differ from the pods counted: only an implementation
 * that reads that path gets the numbers below. Every job mixes pods the filter selects with pods
 * it does not, in the same workload.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { expect, it } from 'vitest';
import { isPodReady } from '../../harness/kube/invariants.ts';
import { WORKLOADSPREAD, createObject, patchObject } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { costOf, describeSpreadPods, expectSubsetCounts, matchedSubset, plainSubset, recordCreations, subsetOf, waitForSpreadPods, waitForSubsets, workloadSpread } from './fixtures.ts';
import { TFJOB, createTFJob, tfJob, tfJobPods, tfJobRef, useTFJobController } from './tfjob.ts';

const role = (p: V1Pod) => p.metadata?.labels?.role;
const pct = (a: string, b: string) => [plainSubset('subset-a', a), plainSubset('subset-b', b)];

async function podsReady(namespace: string, job: string, count: number, errors: () => readonly string[]): Promise<V1Pod[]> {
  const pods = await waitForSpreadPods(namespace, tfJobPods(job), count, isPodReady, `${count} Ready pods of TFJob ${job}${errors().length ? ` (controller errors: ${errors().join('; ')})` : ''}`);
  return pods;
}

describeFeature('WorkloadSpread.CustomWorkload', 'a whitelisted custom workload as target', () => {
  const ns = useNamespace('ws-custom');
  const controller = useTFJobController(ns);

  // 3 pods (PS 1, Master 2 of 5): read at the path, 80% of 5 leaves subset-b 2 missing; an
  // implementation that counts the 3 pods instead gets ceil(80% x 3) = 3 and 1 missing. (With 4
  // pods both readings gave the same status: ceil(80% x 4) = ceil(80% x 5) = 4.)
  it('without targetFilter, percents resolve against the whitelist ReplicasPath (Master.replicas 5, 3 pods running): 20% / 80% -> 1 / 4', async () => {
    await createObject(WORKLOADSPREAD, ns.name, workloadSpread('ws', tfJobRef('whitelist'), pct('20%', '80%')));
    await createTFJob(ns.name, tfJob('whitelist', { PS: { replicas: 1 }, Master: { replicas: 5, running: 2 }, Worker: { replicas: 0 } }));
    const pods = await podsReady(ns.name, 'whitelist', 3, controller.errors);
    const matched = await waitForSpreadPods(ns.name, tfJobPods('whitelist'), 3, (p) => subsetOf(p) !== undefined, '3 pods matched to a subset');
    await expectSubsetCounts(matched, { 'subset-a': 1, 'subset-b': 2 }, 'ceil(20% x 5) = 1 in subset-a, the rest in subset-b');
    expect(pods.every((p) => p.metadata?.ownerReferences?.[0]?.kind === TFJOB.kind), 'the pods are owned by the TFJob').toBe(true);
    await waitForSubsets(ns.name, 'ws', { 'subset-a': { replicas: 1, missingReplicas: 0 }, 'subset-b': { replicas: 2, missingReplicas: 2 } });
  });
});

describeFeature(['WorkloadSpread.TargetFilter', 'WorkloadSpread.CustomWorkload'], 'targetFilter on a custom workload', () => {
  const ns = useNamespace('ws-filter');
  const controller = useTFJobController(ns);

  it('selects the workers only and reads Worker.replicas (4, with 2 running): 25% / 75% -> status 1/0 and 1/2; ps and master pods untouched', async () => {
    const ws = workloadSpread('ws-worker', tfJobRef('train'), pct('25%', '75%'), {
      targetFilter: { selector: { matchLabels: { role: 'worker' } }, replicasPathList: ['spec.tfReplicaSpecs.Worker.replicas'] },
    });
    await createObject(WORKLOADSPREAD, ns.name, ws);
    const recorder = await recordCreations(ns.name, tfJobPods('train'));
    try {
      await createTFJob(ns.name, tfJob('train', { PS: { replicas: 1 }, Master: { replicas: 1 }, Worker: { replicas: 4, running: 2 } }));
      await podsReady(ns.name, 'train', 4, controller.errors);
      // Admission first: a pod the filter does not select must not take a subset's place, which
      // would also show, less plainly, as the wrong status below.
      for (const p of recorder.created.filter((x) => role(x) !== 'worker')) {
        expect(matchedSubset(p.metadata?.annotations), `${role(p)} pod ${p.metadata?.name} is not selected: created without the annotation\nas created:\n${describeSpreadPods(recorder.created)}`).toBeUndefined();
      }
      await waitForSubsets(ns.name, 'ws-worker', { 'subset-a': { replicas: 1, missingReplicas: 0 }, 'subset-b': { replicas: 1, missingReplicas: 2 } });
      const pods = await waitForSpreadPods(ns.name, tfJobPods('train'), 4, () => true, 'the 4 pods of TFJob train');
      const view = `\n${describeSpreadPods(pods)}\nas created:\n${describeSpreadPods(recorder.created)}`;
      const workers = pods.filter((p) => role(p) === 'worker');
      expect(workers.map(subsetOf).sort(), `the 2 workers, one per subset${view}`).toEqual(['subset-a', 'subset-b']);
      for (const p of pods.filter((x) => role(x) !== 'worker')) {
        expect({ matched: matchedSubset(p.metadata?.annotations), cost: costOf(p) }, `${role(p)} pod ${p.metadata?.name} stays unmanaged${view}`).toEqual({ matched: undefined, cost: undefined });
      }
    } finally {
      recorder.stop();
    }

    // The path is read again when it changes: Worker.replicas 8 -> ceil(2) = 2 and ceil(6) = 6.
    await patchObject(TFJOB, ns.name, 'train', { spec: { tfReplicaSpecs: { Worker: { replicas: 8, running: 2 } } } });
    await waitForSubsets(ns.name, 'ws-worker', { 'subset-a': { replicas: 1, missingReplicas: 1 }, 'subset-b': { replicas: 1, missingReplicas: 5 } });
  });

  it('sums two paths: PS.replicas 2 + Worker.replicas 6 = 8 for ps and worker pods (2 + 2 running): 25% / 75% -> 2/0 and 2/4', async () => {
    const ws = workloadSpread('ws-sum', tfJobRef('sum'), pct('25%', '75%'), {
      targetFilter: {
        selector: { matchExpressions: [{ key: 'role', operator: 'In', values: ['ps', 'worker'] }] },
        replicasPathList: ['spec.tfReplicaSpecs.PS.replicas', 'spec.tfReplicaSpecs.Worker.replicas'],
      },
    });
    await createObject(WORKLOADSPREAD, ns.name, ws);
    await createTFJob(ns.name, tfJob('sum', { PS: { replicas: 2 }, Master: { replicas: 1 }, Worker: { replicas: 6, running: 2 } }));
    await podsReady(ns.name, 'sum', 5, controller.errors);
    const ws2 = await waitForSubsets(ns.name, 'ws-sum', { 'subset-a': { replicas: 2, missingReplicas: 0 }, 'subset-b': { replicas: 2, missingReplicas: 4 } });
    const pods = await waitForSpreadPods(ns.name, tfJobPods('sum'), 5, () => true, 'the 5 pods of TFJob sum');
    const view = `\n${describeSpreadPods(pods)}\nstatus: ${JSON.stringify(ws2.status?.subsetStatuses)}`;
    expect(pods.filter((p) => role(p) === 'master').map((p) => matchedSubset(p.metadata?.annotations)), `the master pod is not selected${view}`).toEqual([undefined]);
    await expectSubsetCounts(pods.filter((p) => role(p) !== 'master'), { 'subset-a': 2, 'subset-b': 2 }, 'ps and worker pods');
  });
});
