// Resource deletion protection (OpenKruise 1.8, spec §7): the label policy.kruise.io/delete-protection
// with the value Always or Cascading makes a DELETE of the labelled object fail. Each rule here
// decides one kind and returns the refusal text (undefined = allowed); the texts are OpenKruise's,
// because users and tests match them. Cluster reads go through the small ports below, so every rule
// is table-testable.
import type { V1ObjectMeta, V1PersistentVolumeClaim, V1Pod } from '@kubernetes/client-node';
import type { FeatureName } from '../../runtime/feature-gates.ts';

export const DELETION_PROTECTION_LABEL = 'policy.kruise.io/delete-protection';
export const PROTECT_ALWAYS = 'Always';
export const PROTECT_CASCADING = 'Cascading';
export type Protection = typeof PROTECT_ALWAYS | typeof PROTECT_CASCADING;

export interface GateReader {
  enabled(name: FeatureName): boolean;
}

interface Meta {
  metadata?: Pick<V1ObjectMeta, 'labels' | 'deletionTimestamp' | 'name'>;
}

/** The protection an object asks for; any other value of the label (or none) asks for nothing. */
export function protectionOf(obj: Meta): Protection | undefined {
  const value = obj.metadata?.labels?.[DELETION_PROTECTION_LABEL];
  return value === PROTECT_ALWAYS || value === PROTECT_CASCADING ? value : undefined;
}

/**
 * What every rule checks first: the gate is on, and the object is not already being deleted (a
 * second DELETE of a terminating object, or the garbage collector finishing it, is never refused).
 */
function checked(obj: Meta, gates: GateReader): Protection | undefined {
  if (!gates.enabled('ResourcesDeletionProtection')) return undefined;
  if (obj.metadata?.deletionTimestamp) return undefined;
  return protectionOf(obj);
}

const forbidden = (p: Protection, why?: string): string => `forbidden by ResourcesProtectionDeletion for ${DELETION_PROTECTION_LABEL}=${p}${why ? ` and ${why}` : ''}`;

/**
 * CloneSet, Advanced StatefulSet and apps/v1 Deployment, ReplicaSet, StatefulSet: Always refuses;
 * Cascading refuses while spec.replicas is set and above 0 (the field, not the pods that exist).
 */
export function workloadDeletion(obj: Meta, replicas: number | undefined | null, gates: GateReader): string | undefined {
  const p = checked(obj, gates);
  if (p === PROTECT_ALWAYS) return forbidden(p);
  if (p === PROTECT_CASCADING && replicas !== undefined && replicas !== null && replicas > 0) return forbidden(p, `replicas ${replicas}>0`);
  return undefined;
}

/** Service and Ingress honour Always only; Cascading on them protects nothing. */
export function alwaysOnlyDeletion(obj: Meta, gates: GateReader): string | undefined {
  const p = checked(obj, gates);
  return p === PROTECT_ALWAYS ? forbidden(p) : undefined;
}

/** Reads a namespace's Cascading check needs. */
export interface NamespaceContents {
  listPods(namespace: string): Promise<V1Pod[]>;
  listPersistentVolumeClaims(namespace: string): Promise<V1PersistentVolumeClaim[]>;
}

/** Upstream controller.IsPodActive: not finished and not being deleted. */
export function isPodActive(pod: V1Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata?.deletionTimestamp;
}

/**
 * Namespace: Always refuses; Cascading refuses while the namespace has an active pod, then while it
 * has a Bound claim that is not being deleted (pods are counted first, as OpenKruise does).
 */
export async function namespaceDeletion(ns: Meta, gates: GateReader, contents: NamespaceContents): Promise<string | undefined> {
  const p = checked(ns, gates);
  if (p === PROTECT_ALWAYS) return forbidden(p);
  if (p !== PROTECT_CASCADING) return undefined;
  const name = ns.metadata?.name ?? '';
  let pods: V1Pod[];
  try {
    pods = await contents.listPods(name);
  } catch (err) {
    return `forbidden by ResourcesProtectionDeletion for list pods error: ${(err as Error).message}`;
  }
  const active = pods.filter(isPodActive).length;
  if (active > 0) return forbidden(p, `active pods ${active}>0`);
  let claims: V1PersistentVolumeClaim[];
  try {
    claims = await contents.listPersistentVolumeClaims(name);
  } catch (err) {
    return `forbidden by ResourcesProtectionDeletion for list pvc error: ${(err as Error).message}`;
  }
  const bound = claims.filter((c) => !c.metadata?.deletionTimestamp && c.status?.phase === 'Bound').length;
  if (bound > 0) return forbidden(p, `"Bound" status pvc ${bound}>0`);
  return undefined;
}

/** The part of a CustomResourceDefinition the CRD rule reads. */
export interface CrdShape extends Meta {
  spec?: { group?: string; names?: { plural?: string; kind?: string }; versions?: { name?: string; storage?: boolean }[] };
}

/** Reads the CRD Cascading check needs: the custom resources of one version, in every namespace. */
export interface CustomResources {
  listCustomObjects(group: string, version: string, plural: string): Promise<Meta[]>;
}

/**
 * CustomResourceDefinition: Always refuses; Cascading needs DeletionProtectionForCRDCascadingGate
 * (without it the delete is refused, naming the gate), then refuses while any custom resource of
 * the storage version exists that is not being deleted.
 */
export async function crdDeletion(crd: CrdShape, gates: GateReader, resources: CustomResources): Promise<string | undefined> {
  const p = checked(crd, gates);
  if (p === PROTECT_ALWAYS) return forbidden(p);
  if (p !== PROTECT_CASCADING) return undefined;
  if (!gates.enabled('DeletionProtectionForCRDCascadingGate')) return 'feature-gate DeletionProtectionForCRDCascadingGate is not enabled';
  const group = crd.spec?.group ?? '';
  const version = crd.spec?.versions?.find((v) => v.storage)?.name ?? '';
  const plural = crd.spec?.names?.plural ?? '';
  const kind = crd.spec?.names?.kind ?? '';
  let items: Meta[];
  try {
    items = await resources.listCustomObjects(group, version, plural);
  } catch (err) {
    return `failed to list CRs of ${group}/${version}, Kind=${kind}: ${(err as Error).message}`;
  }
  const active = items.filter((o) => !o.metadata?.deletionTimestamp).length;
  if (active > 0) return forbidden(p, `active CRs ${active}>0`);
  return undefined;
}
