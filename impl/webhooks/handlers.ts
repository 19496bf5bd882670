// Admission handlers for CloneSet, Advanced StatefulSet and pods (a CloneSet / Advanced
// StatefulSet DELETE is deletion protection's, impl/webhooks/deletion-protection/). Each takes a decoded
// AdmissionRequest and returns a Verdict; cluster reads go through the ClusterReader port, so the
// handlers are testable without an apiserver.
import type { V1Pod, V1PodReadinessGate, V1StorageClass } from '@kubernetes/client-node';
import type { CloneSet } from '../api/cloneset.ts';
import { validateCloneSet } from '../api/cloneset-validation.ts';
import { CONDITION_INPLACE_UPDATE_READY, CONDITION_KRUISE_POD_READY } from '../api/constants.ts';
import { defaultCloneSet, defaultStatefulSet } from '../api/defaults.ts';
import { invalidObjectMessage } from '../api/field-errors.ts';
import { ADVANCED_STATEFULSET, CLONESET, GROUP } from '../api/group.ts';
import type { StatefulSet } from '../api/statefulset.ts';
import { validateStatefulSet } from '../api/statefulset-validation.ts';
import type { FeatureGates } from '../runtime/feature-gates.ts';
import { type AdmissionRequest, allow, createJsonPatch, deny, denyInvalid, type JsonPatchOp, type Verdict } from './admission.ts';
import type { WorkloadSpreadDeps } from './workloadspread/index.ts';
import { validateKruiseWorkloadDeletion } from './deletion-protection/handlers.ts';
import type { CustomResources, NamespaceContents } from './deletion-protection/rules.ts';
import { annotateProbesAtCreate, type PodProbeMarkerAdmissionDeps, validatePodProbeMarkerRequest } from './podprobemarker.ts';
import { injectSidecarSetsAtCreate, mutateSidecarSet, type SidecarSetAdmissionDeps, validateSidecarSetRequest } from './sidecarset.ts';

/** Cluster reads the validators need (deletion protection lists pods, claims and custom resources). */
export interface ClusterReader extends NamespaceContents, CustomResources {
  /** undefined when the pod does not exist. */
  getPod(namespace: string, name: string): Promise<V1Pod | undefined>;
  /** undefined when the class does not exist. */
  getStorageClass(name: string): Promise<V1StorageClass | undefined>;
  listStorageClasses(): Promise<V1StorageClass[]>;
}

export type Gates = Pick<FeatureGates, 'enabled'>;

export interface HandlerDeps {
  gates: Gates;
  cluster: ClusterReader;
  /** WorkloadSpread admission and pod hooks (impl/webhooks/workloadspread). */
  workloadSpread?: WorkloadSpreadDeps;
  /** SidecarSet admission (its informer caches); without it SidecarSets are neither served nor injected. */
  sidecarSets?: SidecarSetAdmissionDeps;
  /** PodProbeMarker caches (serverless probe annotations); without them pods get none. */
  podProbeMarkers?: PodProbeMarkerAdmissionDeps;
}

export type Handler = (req: AdmissionRequest, deps: HandlerDeps) => Promise<Verdict>;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function templateChanged(obj: { spec?: { template?: unknown } }, old: { spec?: { template?: unknown } } | undefined): boolean {
  return JSON.stringify(obj.spec?.template ?? null) !== JSON.stringify(old?.spec?.template ?? null);
}

/** Template defaults run on CREATE, and on UPDATE only when the template changed (unless TemplateNoDefaults). */
function injectTemplateDefaults(req: AdmissionRequest, gates: Gates): boolean {
  if (gates.enabled('TemplateNoDefaults')) return false;
  if (req.operation !== 'UPDATE') return true;
  return templateChanged(req.object as CloneSet, isObject(req.oldObject) ? (req.oldObject as unknown as CloneSet) : undefined);
}

function decode<T>(req: AdmissionRequest, which: 'object' | 'oldObject'): T | undefined {
  const v = req[which];
  return isObject(v) ? (v as T) : undefined;
}

export const mutateCloneSet: Handler = async (req, { gates }) => {
  if (req.operation !== 'CREATE' && req.operation !== 'UPDATE') return allow();
  const obj = decode<CloneSet>(req, 'object');
  if (!obj) return deny(400, 'request has no CloneSet object');
  const defaulted = defaultCloneSet(obj, { injectTemplateDefaults: injectTemplateDefaults(req, gates) });
  return allow(createJsonPatch(obj, defaulted));
};

export const mutateStatefulSet: Handler = async (req, { gates }) => {
  if (req.operation !== 'CREATE' && req.operation !== 'UPDATE') return allow();
  const obj = decode<StatefulSet>(req, 'object');
  if (!obj) return deny(400, 'request has no StatefulSet object');
  const defaulted = defaultStatefulSet(obj, {
    injectTemplateDefaults: injectTemplateDefaults(req, gates),
    autoDeletePVC: gates.enabled('StatefulSetAutoDeletePVC'),
    autoResizePVC: gates.enabled('StatefulSetAutoResizePVCGate'),
  });
  return allow(createJsonPatch(obj, defaulted));
};

export const validateCloneSetHandler: Handler = async (req, { gates, cluster }) => {
  if (req.operation === 'DELETE') return validateKruiseWorkloadDeletion(req, gates);
  if (req.operation !== 'CREATE' && req.operation !== 'UPDATE') return allow();
  const obj = decode<CloneSet>(req, 'object');
  if (!obj) return deny(400, 'request has no CloneSet object');
  const old = req.operation === 'UPDATE' ? decode<CloneSet>(req, 'oldObject') : undefined;
  if (req.operation === 'UPDATE' && !old) return deny(400, 'update request has no old CloneSet object');
  const errors = await validateCloneSet(obj, old, { getPod: (ns, name) => cluster.getPod(ns, name) });
  if (!errors.length) return allow();
  const name = obj.metadata?.name ?? req.name ?? '';
  return denyInvalid(CLONESET.kind, GROUP, name, invalidObjectMessage(CLONESET.kind, GROUP, name, errors), errors);
};

export const validateStatefulSetHandler: Handler = async (req, { gates, cluster }) => {
  if (req.operation === 'DELETE') return validateKruiseWorkloadDeletion(req, gates);
  if (req.operation !== 'CREATE' && req.operation !== 'UPDATE') return allow();
  const obj = decode<StatefulSet>(req, 'object');
  if (!obj) return deny(400, 'request has no StatefulSet object');
  const old = req.operation === 'UPDATE' ? decode<StatefulSet>(req, 'oldObject') : undefined;
  if (req.operation === 'UPDATE' && !old) return deny(400, 'update request has no old StatefulSet object');
  const errors = await validateStatefulSet(obj, old, {
    autoResizePVC: gates.enabled('StatefulSetAutoResizePVCGate'),
    storageClasses: { get: (n) => cluster.getStorageClass(n), list: () => cluster.listStorageClasses() },
  });
  if (!errors.length) return allow();
  const name = obj.metadata?.name ?? req.name ?? '';
  return denyInvalid(ADVANCED_STATEFULSET.kind, GROUP, name, invalidObjectMessage(ADVANCED_STATEFULSET.kind, GROUP, name, errors), errors);
};

function groupOf(apiVersion: string | undefined): string {
  const v = apiVersion ?? '';
  return v.includes('/') ? (v.split('/')[0] as string) : '';
}

/**
 * Pod CREATE: pods controlled by an apps.kruise.io workload get the KruisePodReady readiness gate
 * (every pod with gate KruisePodReadinessGate); CloneSet pods also get InPlaceUpdateReady (the
 * CloneSet controller adds it too; doing it here keeps pods created by any CloneSet implementation consistent).
 */
export const mutatePod: Handler = async (req, { gates, workloadSpread, sidecarSets, podProbeMarkers }) => {
  if (req.operation !== 'CREATE' || req.subResource) return allow();
  const original = decode<V1Pod>(req, 'object');
  if (!original) return deny(400, 'request has no Pod object');
  // WorkloadSpread injection (impl/webhooks/workloadspread) first; the ops below apply on top of it.
  const spread = gates.enabled('WorkloadSpread') ? await workloadSpread?.pods?.mutateCreate(req, original) : undefined;
  const spreadPod = spread ?? original;
  // SidecarSet injection (impl/webhooks/sidecarset.ts) next, then the readiness gates.
  const injected = (sidecarSets && (await injectSidecarSetsAtCreate(req, spreadPod, sidecarSets))) || spreadPod;
  // Serverless PodProbeMarker annotations (impl/webhooks/podprobemarker.ts) on the injected pod.
  const probed = podProbeMarkers && gates.enabled('EnablePodProbeMarkerOnServerless') ? await annotateProbesAtCreate(req, injected, podProbeMarkers) : undefined;
  const pod = structuredClone(probed ?? injected);
  const owner = pod.metadata?.ownerReferences?.find((r) => r.controller === true);
  const kruiseOwned = owner !== undefined && groupOf(owner.apiVersion) === GROUP;
  const wanted: string[] = [];
  if (kruiseOwned && owner.kind === CLONESET.kind) wanted.push(CONDITION_INPLACE_UPDATE_READY);
  if (kruiseOwned || gates.enabled('KruisePodReadinessGate')) wanted.push(CONDITION_KRUISE_POD_READY);
  const existing = pod.spec?.readinessGates ?? [];
  const missing = wanted.filter((t) => !existing.some((g) => g.conditionType === t)).map((t): V1PodReadinessGate => ({ conditionType: t }));
  if (missing.length && pod.spec) pod.spec.readinessGates = [...existing, ...missing];
  return allow(createJsonPatch(original, pod));
};

export const mutateSidecarSetHandler: Handler = (req) => mutateSidecarSet(req);

export const validateSidecarSetHandler: Handler = async (req, { sidecarSets }) => {
  if (!sidecarSets) return deny(500, 'SidecarSet validation is not configured (no informer caches)');
  return validateSidecarSetRequest(req, sidecarSets);
};

export const validatePodProbeMarkerHandler: Handler = (req, { gates }) => validatePodProbeMarkerRequest(req, gates);

/**
 * Pod DELETE and pods/eviction CREATE: never denies; WorkloadSpread records the pod in its
 * subset's deletingPods (dry runs are skipped by the hook).
 */
export const validatePod: Handler = async (req, deps) => {
  const pods = deps.gates.enabled('WorkloadSpread') ? deps.workloadSpread?.pods : undefined;
  if (pods) await pods.recordDeletion(req);
  return allow();
};
