/**
 * SidecarSets are cluster-scoped: every one a suite creates is confined to the test namespace
 * (spec.namespace) and named after it, so files can run in parallel and nothing leaks.
 */
import { afterAll } from 'vitest';
import { SIDECARSET, deleteObject } from '../lib/api.ts';
import { IMAGE_V1 } from '../lib/workloads.ts';

export const HASH_ANNOTATION = 'kruise.io/sidecarset-hash';
export const INJECTED_LIST = 'kruise.io/sidecarset-injected-list';

const created: string[] = [];
afterAll(async () => {
  for (const name of created.splice(0)) await deleteObject(SIDECARSET, undefined, name);
});

/** Remember a SidecarSet for deletion after the file's tests. */
export function track(name: string): string {
  created.push(name);
  return name;
}

export function sidecarSet(name: string, namespace: string, app: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    metadata: { name },
    spec: {
      namespace,
      selector: { matchLabels: { app } },
      containers: [{ name: 'sidecar', image: IMAGE_V1, volumeMounts: [{ name: 'shared', mountPath: '/shared' }] }],
      volumes: [{ name: 'shared', emptyDir: {} }],
      ...extra,
    },
  };
}

export function bareOrOwnedPod(name: string, app: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app } },
    spec: { containers: [{ name: 'main', image: IMAGE_V1 }], ...extra },
  };
}
