import type { V1Pod } from '@kubernetes/client-node';
import { waitForObject } from '../../harness/kube/wait.ts';
import type { Fixture } from './fixture.ts';

export const condition = (pod: V1Pod | undefined, type: string) => pod?.status?.conditions?.find((c) => c.type === type);
export const isReady = (pod: V1Pod | undefined) => condition(pod, 'Ready')?.status === 'True';
export const container = (pod: V1Pod | undefined, name = 'app') => pod?.status?.containerStatuses?.find((c) => c.name === name);

/** A compact view of a pod for failure messages: what a reader needs, not the whole object. */
export function podSummary(pod: V1Pod | undefined): string {
  if (!pod) return '(pod does not exist)';
  return JSON.stringify(
    {
      name: pod.metadata?.name,
      uid: pod.metadata?.uid,
      node: pod.spec?.nodeName,
      phase: pod.status?.phase,
      podIP: pod.status?.podIP,
      deletionTimestamp: pod.metadata?.deletionTimestamp,
      conditions: pod.status?.conditions?.map((c) => `${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ''}`),
      containers: pod.status?.containerStatuses?.map((c) => ({ name: c.name, image: c.image, ready: c.ready, restartCount: c.restartCount, resources: c.resources })),
    },
    null,
    2,
  );
}

export function waitForPod(f: Fixture, name: string, predicate: (pod: V1Pod | undefined) => boolean, describe: string, timeoutMs = 30_000): Promise<V1Pod | undefined> {
  return waitForObject<V1Pod>(f.kc, `/api/v1/namespaces/${f.ns}/pods`, name, predicate, {
    timeoutMs,
    describe: `pod ${f.ns}/${name}: ${describe}`,
    render: (pods) => podSummary(pods[0]),
  });
}

export function simplePod(name: string, extra: Partial<NonNullable<V1Pod['spec']>> = {}, containerExtra: Record<string, unknown> = {}): V1Pod {
  return {
    metadata: { name },
    spec: {
      terminationGracePeriodSeconds: 30,
      containers: [{ name: 'app', image: 'registry.example/app:v1', ...containerExtra }],
      ...extra,
    },
  };
}
