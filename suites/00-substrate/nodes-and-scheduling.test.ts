import type { V1Deployment, V1Node, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { waitForCollection, waitForObject } from '../../harness/kube/wait.ts';
import { useNamespace } from './fixture.ts';
import { isReady, podSummary } from './pods.ts';

const f = useNamespace('substrate-sched');

describe('simulated nodes and real scheduling', () => {
  it('has at least 6 Ready nodes over 3 zones and 2 architectures, with realistic allocatable', async () => {
    const nodes = (await f.core.listNode()).items;
    const ready = nodes.filter((n: V1Node) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    const zones = new Set(ready.map((n) => n.metadata?.labels?.['topology.kubernetes.io/zone']));
    const archs = new Set(ready.map((n) => n.metadata?.labels?.['kubernetes.io/arch']));
    expect(ready.length, `Ready nodes: ${ready.map((n) => n.metadata?.name).join(', ')}`).toBeGreaterThanOrEqual(6);
    expect([...zones].sort()).toEqual(['zone-a', 'zone-b', 'zone-c']);
    expect([...archs].sort()).toEqual(['amd64', 'arm64']);
    for (const n of ready) {
      expect(n.status?.allocatable, `allocatable of ${n.metadata?.name}`).toMatchObject({ cpu: '7910m', memory: '30Gi', pods: '110' });
      expect(n.status?.nodeInfo?.architecture).toBe(n.metadata?.labels?.['kubernetes.io/arch']);
    }
  });

  it('schedules a Deployment over all zones and its pods become Ready', async () => {
    const labels = { app: 'spread' };
    const deploy: V1Deployment = {
      metadata: { name: 'spread' },
      spec: {
        replicas: 6,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: labels } }],
            containers: [{ name: 'app', image: 'registry.example/app:v1', resources: { requests: { cpu: '100m', memory: '64Mi' } } }],
          },
        },
      },
    };
    await f.apps.createNamespacedDeployment({ namespace: f.ns, body: deploy });
    const pods = await waitForCollection<V1Pod>(f.kc, { path: `/api/v1/namespaces/${f.ns}/pods`, labelSelector: 'app=spread' }, (ps) => ps.length === 6 && ps.every(isReady), {
      timeoutMs: 60_000,
      describe: '6 pods of Deployment spread to be Ready',
      render: (ps) => ps.map(podSummary).join('\n'),
    });
    const nodes = new Map((await f.core.listNode()).items.map((n) => [n.metadata!.name!, n.metadata?.labels?.['topology.kubernetes.io/zone']]));
    const perZone: Record<string, number> = {};
    for (const p of pods) {
      const zone = nodes.get(p.spec!.nodeName!) ?? 'none';
      perZone[zone] = (perZone[zone] ?? 0) + 1;
      expect(p.status?.podIP, `pod ${p.metadata?.name} has an IP`).toMatch(/^10\.244\./);
    }
    expect(perZone, 'pods per zone (maxSkew 1 over 3 zones)').toEqual({ 'zone-a': 2, 'zone-b': 2, 'zone-c': 2 });
    // The Deployment's status follows its pods after a controller round trip: wait for it, don't read it once.
    await waitForObject<V1Deployment>(f.kc, `/apis/apps/v1/namespaces/${f.ns}/deployments`, 'spread', (d) => d?.status?.readyReplicas === 6 && d.status.availableReplicas === 6, {
      timeoutMs: 30_000,
      describe: 'Deployment spread to report 6 ready and available replicas',
      render: (ds) => JSON.stringify(ds[0]?.status),
    });
  });
});
