/**
 * Thin, typed access to the objects the suites touch, through the API only. Custom resources go
 * through CustomObjectsApi with their group/version/plural; failures keep the server's message.
 */
import { type CoreV1Event, PatchStrategy, setHeaderOptions, type V1ObjectMeta } from '@kubernetes/client-node';
import { waitForCollection, waitForObject, WaitTimeoutError, type KubeObject } from '../../harness/kube/wait.ts';
import { kube } from './context.ts';

export interface Resource {
  group: string; // '' for the core group
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
}

export const CLONESET: Resource = { group: 'apps.kruise.io', version: 'v1alpha1', plural: 'clonesets', kind: 'CloneSet', namespaced: true };
export const ASTS: Resource = { group: 'apps.kruise.io', version: 'v1beta1', plural: 'statefulsets', kind: 'StatefulSet', namespaced: true };
export const ASTS_V1ALPHA1: Resource = { ...ASTS, version: 'v1alpha1' };
export const WORKLOADSPREAD: Resource = { group: 'apps.kruise.io', version: 'v1alpha1', plural: 'workloadspreads', kind: 'WorkloadSpread', namespaced: true };
export const SIDECARSET: Resource = { group: 'apps.kruise.io', version: 'v1alpha1', plural: 'sidecarsets', kind: 'SidecarSet', namespaced: false };
/** SidecarSet at v1beta1: served by OpenKruise 1.9 (not 1.8), converted to and from v1alpha1. */
export const SIDECARSET_V1BETA1: Resource = { ...SIDECARSET, version: 'v1beta1' };
export const PODPROBEMARKER: Resource = { group: 'apps.kruise.io', version: 'v1alpha1', plural: 'podprobemarkers', kind: 'PodProbeMarker', namespaced: true };
/** Advanced DaemonSet (OpenKruise apps.kruise.io/v1alpha1 DaemonSet; not apps/v1). */
export const ADVANCED_DAEMONSET: Resource = { group: 'apps.kruise.io', version: 'v1alpha1', plural: 'daemonsets', kind: 'DaemonSet', namespaced: true };
export const POD: Resource = { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true };
export const PVC: Resource = { group: '', version: 'v1', plural: 'persistentvolumeclaims', kind: 'PersistentVolumeClaim', namespaced: true };
export const CONTROLLER_REVISION: Resource = { group: 'apps', version: 'v1', plural: 'controllerrevisions', kind: 'ControllerRevision', namespaced: true };

export function collectionPath(r: Resource, namespace?: string): string {
  const base = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  return r.namespaced && namespace ? `${base}/namespaces/${namespace}/${r.plural}` : `${base}/${r.plural}`;
}

export function apiVersionOf(r: Resource): string {
  return r.group === '' ? r.version : `${r.group}/${r.version}`;
}

/** A Kubernetes object as the suites see it: loosely typed, read through predicates. */
export interface Obj extends KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: V1ObjectMeta;
}

export async function createObject<T extends Obj>(r: Resource, namespace: string | undefined, body: Record<string, unknown>, opts: { dryRun?: boolean } = {}): Promise<T> {
  const { custom } = kube();
  const full = { apiVersion: apiVersionOf(r), kind: r.kind, ...body };
  const dryRun = opts.dryRun ? 'All' : undefined;
  if (r.namespaced) {
    return (await custom.createNamespacedCustomObject({ group: r.group, version: r.version, namespace: namespace!, plural: r.plural, body: full, dryRun })) as T;
  }
  return (await custom.createClusterCustomObject({ group: r.group, version: r.version, plural: r.plural, body: full, dryRun })) as T;
}

export async function getObject<T extends Obj>(r: Resource, namespace: string | undefined, name: string): Promise<T> {
  const { custom } = kube();
  if (r.namespaced) return (await custom.getNamespacedCustomObject({ group: r.group, version: r.version, namespace: namespace!, plural: r.plural, name })) as T;
  return (await custom.getClusterCustomObject({ group: r.group, version: r.version, plural: r.plural, name })) as T;
}

/** JSON merge patch (RFC 7386): the simplest way for a test to change a few fields. */
export async function patchObject<T extends Obj>(r: Resource, namespace: string | undefined, name: string, patch: Record<string, unknown>, opts: { dryRun?: boolean } = {}): Promise<T> {
  const { custom } = kube();
  const options = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  const dryRun = opts.dryRun ? 'All' : undefined;
  if (r.namespaced) {
    return (await custom.patchNamespacedCustomObject({ group: r.group, version: r.version, namespace: namespace!, plural: r.plural, name, body: patch, dryRun }, options)) as T;
  }
  return (await custom.patchClusterCustomObject({ group: r.group, version: r.version, plural: r.plural, name, body: patch, dryRun }, options)) as T;
}

export async function deleteObject(r: Resource, namespace: string | undefined, name: string): Promise<void> {
  const { custom } = kube();
  try {
    if (r.namespaced) await custom.deleteNamespacedCustomObject({ group: r.group, version: r.version, namespace: namespace!, plural: r.plural, name });
    else await custom.deleteClusterCustomObject({ group: r.group, version: r.version, plural: r.plural, name });
  } catch (err) {
    if (httpCode(err) !== 404) throw err;
  }
}

export function httpCode(err: unknown): number | undefined {
  const e = err as { code?: number; statusCode?: number };
  return e.code ?? e.statusCode;
}

/** The server's message of a failed call (the Status object's message), or the error text. */
export function serverMessage(err: unknown): string {
  const e = err as { body?: unknown; message?: string };
  if (typeof e.body === 'string') {
    try {
      return (JSON.parse(e.body) as { message?: string }).message ?? e.body;
    } catch {
      return e.body;
    }
  }
  if (e.body && typeof e.body === 'object' && 'message' in e.body) return String((e.body as { message: unknown }).message);
  return e.message ?? String(err);
}

/** The last events of a namespace, oldest first, one line each: what a failure message ends with. */
export async function recentEvents(namespace: string, limit = 25): Promise<string> {
  try {
    const list = await kube().core.listNamespacedEvent({ namespace });
    const when = (e: CoreV1Event) => new Date((e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? 0) as string | Date).getTime();
    return (
      list.items
        .sort((a, b) => when(a) - when(b))
        .slice(-limit)
        .map((e) => `  ${e.type ?? ''} ${e.reason ?? ''} ${e.involvedObject.kind}/${e.involvedObject.name}: ${e.message ?? ''}`)
        .join('\n') || '  (no events)'
    );
  } catch (err) {
    return `  (events unavailable: ${serverMessage(err)})`;
  }
}

export interface WaitSpec {
  timeoutMs: number;
  describe: string;
  /** Events of this namespace are appended to a timeout's message. */
  namespace?: string;
  render?: (items: Obj[]) => string;
  /** Ends the wait early (it then rejects with "aborted while waiting for ..."). */
  signal?: AbortSignal;
}

async function withEvents<T>(spec: WaitSpec, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof WaitTimeoutError && spec.namespace) {
      err.message += `\nrecent events in ${spec.namespace}:\n${await recentEvents(spec.namespace)}`;
    }
    throw err;
  }
}

/** Wait on a watch until one object satisfies `predicate` (undefined = it does not exist). */
export function waitForOne<T extends Obj>(r: Resource, namespace: string | undefined, name: string, predicate: (o: T | undefined) => boolean, spec: WaitSpec): Promise<T | undefined> {
  return withEvents(spec, () =>
    waitForObject<T>(kube().kc, collectionPath(r, namespace), name, predicate, {
      timeoutMs: spec.timeoutMs,
      describe: spec.describe,
      render: spec.render as ((items: T[]) => string) | undefined,
      signal: spec.signal,
    }),
  );
}

/** Wait on a watch until the objects matching a selector satisfy `predicate`. */
export function waitForAll<T extends Obj>(r: Resource, namespace: string | undefined, labelSelector: string | undefined, predicate: (items: T[]) => boolean, spec: WaitSpec): Promise<T[]> {
  return withEvents(spec, () =>
    waitForCollection<T>(kube().kc, { path: collectionPath(r, namespace), labelSelector }, predicate, {
      timeoutMs: spec.timeoutMs,
      describe: spec.describe,
      render: spec.render as ((items: T[]) => string) | undefined,
      signal: spec.signal,
    }),
  );
}
