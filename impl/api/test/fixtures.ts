// Builders and assertions shared by the api unit tests.
import type { V1Pod, V1StorageClass } from '@kubernetes/client-node';
import { expect } from 'vitest';
import type { CloneSet } from '../cloneset.ts';
import type { CloneSetValidationContext } from '../cloneset-validation.ts';
import { defaultCloneSet, defaultStatefulSet } from '../defaults.ts';
import type { FieldError } from '../field-errors.ts';
import type { StatefulSet } from '../statefulset.ts';
import type { StorageClassPort } from '../statefulset-validation.ts';

export const CS_UID = '11111111-2222-3333-4444-555555555555';

/** A valid, defaulted CloneSet with 3 replicas; `edit` changes it before defaulting. */
export function cloneSet(edit: (cs: CloneSet) => void = () => {}): CloneSet {
  const cs: CloneSet = {
    apiVersion: 'apps.kruise.io/v1alpha1',
    kind: 'CloneSet',
    metadata: { name: 'demo', namespace: 'ns', uid: CS_UID },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'demo' } },
      template: { metadata: { labels: { app: 'demo' } }, spec: { containers: [{ name: 'main', image: 'nginx:1.25' }] } },
    },
  };
  edit(cs);
  return defaultCloneSet(cs);
}

/** A valid, defaulted Advanced StatefulSet with 3 replicas and one VCT "data" (1Gi). */
export function statefulSet(edit: (s: StatefulSet) => void = () => {}, opts: { autoResizePVC?: boolean } = {}): StatefulSet {
  const s: StatefulSet = {
    apiVersion: 'apps.kruise.io/v1beta1',
    kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'ns', uid: 'u-sts' },
    spec: {
      replicas: 3,
      serviceName: 'web',
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'main', image: 'nginx:1.25' }] } },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    },
  };
  edit(s);
  return defaultStatefulSet(s, opts);
}

/** Deep copy, then edit: the "new" object of an update. */
export function edited<T>(obj: T, edit: (o: T) => void): T {
  const c = structuredClone(obj);
  edit(c);
  return c;
}

/** Expected error: its field, and a substring (or pattern) of its message. */
export type Want = [field: string, message: string | RegExp];

/**
 * The errors are exactly the wanted ones (as a set of fields, each with a matching message), and
 * every message starts with its field path.
 */
export function expectErrors(errs: readonly FieldError[], want: readonly Want[]): void {
  for (const e of errs) expect(e.message.startsWith(`${e.field}: `), `message names its field: ${e.message}`).toBe(true);
  const got = errs.map((e) => `${e.field} -> ${e.message}`);
  expect([...new Set(errs.map((e) => e.field))].sort(), `fields of ${JSON.stringify(got, null, 1)}`).toEqual([...new Set(want.map((w) => w[0]))].sort());
  for (const [field, message] of want) {
    const matching = errs.filter((e) => e.field === field && (typeof message === 'string' ? e.message.includes(message) : message.test(e.message)));
    expect(matching.length, `an error on ${field} matching ${String(message)}; got ${JSON.stringify(got, null, 1)}`).toBeGreaterThan(0);
  }
}

/** A pod lookup over a fixed map of pods keyed by name. */
export function podsContext(pods: Record<string, V1Pod>): CloneSetValidationContext {
  return { getPod: async (_ns, name) => pods[name] };
}

export function ownedPod(name: string, ownerUid = CS_UID, extra: Partial<V1Pod['metadata']> = {}): V1Pod {
  return {
    metadata: { name, namespace: 'ns', ownerReferences: [{ apiVersion: 'apps.kruise.io/v1alpha1', kind: 'CloneSet', name: 'demo', uid: ownerUid, controller: true }], ...extra },
    spec: { containers: [{ name: 'main', image: 'nginx' }] },
  };
}

export function storageClass(name: string, allowVolumeExpansion: boolean | undefined, opts: { isDefault?: boolean; created?: string } = {}): V1StorageClass {
  return {
    metadata: {
      name,
      ...(opts.isDefault ? { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } : {}),
      ...(opts.created ? { creationTimestamp: new Date(opts.created) } : {}),
    },
    provisioner: 'test',
    ...(allowVolumeExpansion === undefined ? {} : { allowVolumeExpansion }),
  };
}

export function classesPort(classes: V1StorageClass[], failures: { list?: boolean } = {}): StorageClassPort {
  return {
    get: async (name) => classes.find((c) => c.metadata?.name === name),
    list: async () => {
      if (failures.list) throw new Error('forbidden');
      return classes;
    },
  };
}
