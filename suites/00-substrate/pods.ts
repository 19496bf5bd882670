import { PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import { inject } from 'vitest';
import { waitForObject } from '../../harness/kube/wait.ts';
import type { Fixture } from './fixture.ts';

const strategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

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
      resize: pod.status?.resize,
      containers: pod.status?.containerStatuses?.map((c) => ({ name: c.name, image: c.image, ready: c.ready, restartCount: c.restartCount, resources: c.resources, allocatedResources: c.allocatedResources })),
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

/** A resize is under way: the PodResizeInProgress condition (1.33+) or status.resize InProgress (before). */
export const resizeInProgress = (pod: V1Pod | undefined) => condition(pod, 'PodResizeInProgress') !== undefined || pod?.status?.resize === 'InProgress';

type ContainerResources = { name: string; resources: NonNullable<V1Pod['spec']>['containers'][number]['resources'] };

/**
 * Change container resources the way the cluster's release takes it: through pods/resize where it
 * is served (1.32+), else by a plain pod update (1.30 with InPlacePodVerticalScaling).
 */
export function resizePod(f: Fixture, name: string, containers: ContainerResources[]): Promise<V1Pod> {
  const body = { spec: { containers } };
  return inject('podResizeSubresource')
    ? f.core.patchNamespacedPodResize({ name, namespace: f.ns, body }, strategic)
    : f.core.patchNamespacedPod({ name, namespace: f.ns, body }, strategic);
}

/** HTTP status and server message of a failed API call. */
export function apiFailure(err: unknown): { code?: number; message: string } {
  const e = err as { code?: number; body?: unknown; message?: string };
  let message = e.message ?? String(err);
  if (typeof e.body === 'string') {
    try {
      message = (JSON.parse(e.body) as { message?: string }).message ?? e.body;
    } catch {
      message = e.body;
    }
  }
  return { code: e.code, message };
}
