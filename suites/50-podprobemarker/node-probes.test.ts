/**
 * Probes run on real nodes by the implementation's node agent (spec §6.2; OpenKruise e2e "pod
 * probe marker exec test"): a passing exec probe marks the pod with the condition and the
 * Succeeded labels. Needs containers that really run (RealKubelet).
 */
import type { V1Pod } from '@kubernetes/client-node';
import { it } from 'vitest';
import { CLONESET, PODPROBEMARKER, POD, createObject, waitForAll, type Obj } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { timeouts } from '../lib/context.ts';
import { cloneSet, podsOf } from '../lib/workloads.ts';

describeFeature('PodProbeMarker.NodeProbes', 'probes executed on the node mark pods', () => {
  const ns = useNamespace('ppm-node');

  it('a passing exec probe sets the pod condition True and applies the Succeeded labels', async () => {
    await createObject(PODPROBEMARKER, ns.name, {
      metadata: { name: 'ppm-exec' },
      spec: {
        selector: { matchLabels: { app: 'probed' } },
        probes: [{ name: 'idle', containerName: 'main', probe: { exec: { command: ['/pause', '-v'] }, periodSeconds: 1 }, podConditionType: 'conformance.kruise.io/idle', markerPolicy: [{ state: 'Succeeded', labels: { idle: 'true' } }] }],
      },
    });
    await createObject(CLONESET, ns.name, cloneSet('probed', { replicas: 2 }));
    await waitForAll<V1Pod & Obj>(
      POD,
      ns.name,
      podsOf('probed'),
      (pods) => pods.length === 2 && pods.every((p) => p.metadata.labels?.idle === 'true' && p.status?.conditions?.some((c) => c.type === 'conformance.kruise.io/idle' && c.status === 'True')),
      { timeoutMs: timeouts().rolloutComplete, describe: '2 pods marked idle=true with condition conformance.kruise.io/idle=True', namespace: ns.name },
    );
  });
});
