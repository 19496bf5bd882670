/**
 * Builders and waits for the workloads the suites drive. Images are the pause images every kind
 * node image carries, so the suites need no registry on a real kubelet either.
 */
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { isPodReady } from '../../harness/kube/invariants.ts';
import { ASTS, CLONESET, type Obj, POD, waitForAll, waitForOne } from './api.ts';
import { timeouts } from './context.ts';
import type { AdvancedStatefulSet, CloneSet, CloneSetSpec, StatefulSetSpec } from './kinds.ts';

export const IMAGE_V1 = 'registry.k8s.io/pause:3.9';
export const IMAGE_V2 = 'registry.k8s.io/pause:3.10';
export const IMAGE_V3 = 'registry.k8s.io/pause:3.8';
/**
 * Arguments that make a pause image exit 0 at once (it prints its version): an init container
 * must finish before a real kubelet starts the pod's containers, while kwok completes it anyway.
 */
export const EXIT_AT_ONCE = ['-v'];

export function container(overrides: Partial<V1Container> = {}): V1Container {
  return { name: 'main', image: IMAGE_V1, resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } }, ...overrides };
}

export function cloneSet(name: string, spec: Partial<CloneSetSpec> & { image?: string } = {}): Record<string, unknown> {
  const { image, ...rest } = spec;
  return {
    metadata: { name },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [container(image ? { image } : {})] } },
      ...rest,
    },
  };
}

export function statefulSet(name: string, spec: Partial<StatefulSetSpec> & { image?: string } = {}): Record<string, unknown> {
  const { image, ...rest } = spec;
  return {
    metadata: { name },
    spec: {
      replicas: 3,
      serviceName: name,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [container(image ? { image } : {})] } },
      ...rest,
    },
  };
}

export const podsOf = (name: string) => `app=${name}`;

export function activePods(pods: V1Pod[]): V1Pod[] {
  return pods.filter((p) => !p.metadata?.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
}

export function imageOf(pod: V1Pod, containerName = 'main'): string | undefined {
  return pod.spec?.containers.find((c) => c.name === containerName)?.image;
}

/** One line per pod: what a failure message shows. */
export function renderPods(items: Obj[]): string {
  return (items as V1Pod[])
    .map((p) => {
      const cs = p.status?.containerStatuses?.map((c) => `${c.name}:${c.image} restarts=${c.restartCount}`).join(' ') ?? '';
      return `  ${p.metadata?.name} uid=${p.metadata?.uid?.slice(0, 8)} phase=${p.status?.phase} ready=${isPodReady(p)}${p.metadata?.deletionTimestamp ? ' terminating' : ''} rev=${p.metadata?.labels?.['controller-revision-hash'] ?? '-'} image=${imageOf(p)} ${cs}`;
    })
    .join('\n');
}

export function renderStatus(o: Obj & { spec?: unknown; status?: unknown }): string {
  return JSON.stringify({ generation: o.metadata.generation, spec: o.spec, status: o.status }, null, 2);
}

/** Wait until exactly `count` active pods match and every one of them satisfies `each`. */
export function waitForPods(namespace: string, selector: string, count: number, each: (p: V1Pod) => boolean, describe: string, timeoutMs = timeouts().podsReady): Promise<V1Pod[]> {
  return waitForAll<V1Pod & Obj>(POD, namespace, selector, (items) => activePods(items).length === count && items.length === count && items.every(each), {
    timeoutMs,
    describe,
    namespace,
    render: renderPods,
  });
}

export function waitForReadyPods(namespace: string, selector: string, count: number, timeoutMs = timeouts().podsReady): Promise<V1Pod[]> {
  return waitForPods(namespace, selector, count, isPodReady, `${count} Ready pods matching ${selector}`, timeoutMs);
}

/** A CloneSet whose status reflects its latest generation and satisfies `predicate`. */
export async function waitForCloneSet(namespace: string, name: string, predicate: (cs: CloneSet) => boolean, describe: string, timeoutMs = timeouts().rolloutComplete): Promise<CloneSet> {
  const cs = await waitForOne<CloneSet>(CLONESET, namespace, name, (o) => !!o && o.status?.observedGeneration === o.metadata.generation && predicate(o), {
    timeoutMs,
    describe: `CloneSet ${namespace}/${name}: ${describe}`,
    namespace,
    render: (items) => items.map((o) => renderStatus(o as CloneSet)).join('\n'),
  });
  return cs!;
}

/** Every pod Ready and updated, status counting them all. */
export function cloneSetSettled(replicas: number): (cs: CloneSet) => boolean {
  return (cs) =>
    cs.status?.replicas === replicas &&
    cs.status.readyReplicas === replicas &&
    cs.status.updatedReplicas === replicas &&
    cs.status.updatedReadyReplicas === replicas &&
    cs.status.updateRevision !== undefined &&
    cs.status.currentRevision === cs.status.updateRevision;
}

export async function waitForStatefulSet(namespace: string, name: string, predicate: (s: AdvancedStatefulSet) => boolean, describe: string, timeoutMs = timeouts().rolloutComplete): Promise<AdvancedStatefulSet> {
  const s = await waitForOne<AdvancedStatefulSet>(ASTS, namespace, name, (o) => !!o && o.status?.observedGeneration === o.metadata.generation && predicate(o), {
    timeoutMs,
    describe: `StatefulSet ${namespace}/${name}: ${describe}`,
    namespace,
    render: (items) => items.map((o) => renderStatus(o as AdvancedStatefulSet)).join('\n'),
  });
  return s!;
}
