// Admission handlers of deletion protection: DELETE of namespaces, CRDs, apps/v1 Deployments,
// ReplicaSets and StatefulSets, Services and Ingresses. (CloneSet and Advanced StatefulSet deletes
// go through those kinds' own validating webhooks, impl/webhooks/handlers.ts.) A refusal is a 403
// whose message is the rule's text; anything that is not a DELETE of the object is allowed.
import type { V1Namespace } from '@kubernetes/client-node';
import { type AdmissionRequest, allow, deny, type Verdict } from '../admission.ts';
import { alwaysOnlyDeletion, type CrdShape, crdDeletion, type CustomResources, type GateReader, type NamespaceContents, namespaceDeletion, workloadDeletion } from './rules.ts';

export interface DeletionProtectionDeps {
  gates: GateReader;
  cluster: NamespaceContents & CustomResources;
}

export type DeletionHandler = (req: AdmissionRequest, deps: DeletionProtectionDeps) => Promise<Verdict>;

const FORBIDDEN = 403;

/** The object being deleted, or undefined when this request is not a DELETE of the object itself. */
function deletedObject<T>(req: AdmissionRequest): T | undefined {
  if (req.operation !== 'DELETE' || req.subResource) return undefined;
  const old = req.oldObject;
  return typeof old === 'object' && old !== null && !Array.isArray(old) ? (old as T) : undefined;
}

const verdict = (refusal: string | undefined): Verdict => (refusal === undefined ? allow() : deny(FORBIDDEN, refusal));

/** apps/v1 Deployment, ReplicaSet and StatefulSet: spec.replicas decides Cascading. */
export const validateBuiltinWorkloadDeletion: DeletionHandler = async (req, { gates }) => {
  if (!['Deployment', 'ReplicaSet', 'StatefulSet'].includes(req.kind.kind)) return allow();
  const obj = deletedObject<{ metadata?: CrdShape['metadata']; spec?: { replicas?: number } }>(req);
  return obj ? verdict(workloadDeletion(obj, obj.spec?.replicas, gates)) : allow();
};

export const validateNamespaceDeletion: DeletionHandler = async (req, { gates, cluster }) => {
  const ns = deletedObject<V1Namespace>(req);
  return ns ? verdict(await namespaceDeletion(ns, gates, cluster)) : allow();
};

export const validateCrdDeletion: DeletionHandler = async (req, { gates, cluster }) => {
  const crd = deletedObject<CrdShape>(req);
  return crd ? verdict(await crdDeletion(crd, gates, cluster)) : allow();
};

/** Services and Ingresses: Always only. */
export const validateAlwaysOnlyDeletion: DeletionHandler = async (req, { gates }) => {
  const obj = deletedObject<CrdShape>(req);
  return obj ? verdict(alwaysOnlyDeletion(obj, gates)) : allow();
};

/** CloneSet / Advanced StatefulSet DELETE, called from their validating handlers. */
export function validateKruiseWorkloadDeletion(req: AdmissionRequest, gates: GateReader): Verdict {
  const obj = deletedObject<{ metadata?: CrdShape['metadata']; spec?: { replicas?: number } }>(req);
  return obj ? verdict(workloadDeletion(obj, obj.spec?.replicas, gates)) : allow();
}
