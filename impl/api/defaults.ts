// Defaulting of CloneSet and Advanced StatefulSet as OpenKruise 1.8's mutating webhooks do it
// (apis/apps/defaults). Pure: the input is never modified; a defaulted deep copy is returned.
import type { V1Container, V1HTTPGetAction, V1Lifecycle, V1PersistentVolumeClaim, V1PodSpec, V1Probe, V1Volume } from '@kubernetes/client-node';
import type { CloneSet } from './cloneset.ts';
import { DEFAULT_CLONESET_MAX_UNAVAILABLE, DEFAULT_REVISION_HISTORY_LIMIT } from './constants.ts';
import type { StatefulSet } from './statefulset.ts';

export interface CloneSetDefaultingOptions {
  /** Run pod-template and PVC defaulting (webhook: on CREATE, and on UPDATE when the template changed, unless TemplateNoDefaults). Default true. */
  injectTemplateDefaults?: boolean;
}

export interface StatefulSetDefaultingOptions extends CloneSetDefaultingOptions {
  /** Gate StatefulSetAutoDeletePVC (beta, default on): fill persistentVolumeClaimRetentionPolicy with Retain/Retain. */
  autoDeletePVC?: boolean;
  /** Gate StatefulSetAutoResizePVCGate (alpha, default off): default volumeClaimUpdateStrategy.type to OnDelete. */
  autoResizePVC?: boolean;
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

/** SetDefaultsCloneSet: replicas 1, revisionHistoryLimit 10, ReCreate, partition 0, maxUnavailable 20%, maxSurge 0. */
export function defaultCloneSet(obj: CloneSet, opts: CloneSetDefaultingOptions = {}): CloneSet {
  const out = clone(obj);
  out.spec ??= {} as CloneSet['spec'];
  const spec = out.spec;
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= DEFAULT_REVISION_HISTORY_LIMIT;
  if (opts.injectTemplateDefaults ?? true) {
    spec.template ??= {};
    spec.template.spec ??= { containers: [] };
    defaultPodSpec(spec.template.spec);
    for (const vct of spec.volumeClaimTemplates ?? []) defaultPersistentVolumeClaim(vct);
  }
  // scaleStrategy and updateStrategy are non-pointer structs in Go: always serialized.
  spec.scaleStrategy ??= {};
  spec.updateStrategy ??= {};
  const us = spec.updateStrategy;
  if (!us.type) us.type = 'ReCreate';
  else if (us.type === 'InPlaceIfPossible' || us.type === 'InPlaceOnly') us.inPlaceUpdateStrategy ??= {};
  us.partition ??= 0;
  us.maxUnavailable ??= DEFAULT_CLONESET_MAX_UNAVAILABLE;
  us.maxSurge ??= 0;
  return out;
}

/** SetDefaultsStatefulSet (v1beta1). */
export function defaultStatefulSet(obj: StatefulSet, opts: StatefulSetDefaultingOptions = {}): StatefulSet {
  const out = clone(obj);
  out.spec ??= {} as StatefulSet['spec'];
  const spec = out.spec;
  if (!spec.podManagementPolicy) spec.podManagementPolicy = 'OrderedReady';
  spec.updateStrategy ??= {};
  const us = spec.updateStrategy;
  if (!us.type) us.type = 'RollingUpdate';
  if (us.type === 'RollingUpdate') {
    us.rollingUpdate ??= {};
    const ru = us.rollingUpdate;
    ru.partition ??= 0;
    ru.maxUnavailable ??= 1;
    if (!ru.podUpdatePolicy) ru.podUpdatePolicy = 'ReCreate';
    ru.minReadySeconds ??= 0;
  }
  if (opts.autoDeletePVC ?? true) {
    spec.persistentVolumeClaimRetentionPolicy ??= {};
    const rp = spec.persistentVolumeClaimRetentionPolicy;
    if (!rp.whenDeleted) rp.whenDeleted = 'Retain';
    if (!rp.whenScaled) rp.whenScaled = 'Retain';
  }
  // A non-pointer struct in Go: always serialized, `{}` when the gate leaves it empty.
  spec.volumeClaimUpdateStrategy ??= {};
  if ((opts.autoResizePVC ?? false) && !spec.volumeClaimUpdateStrategy.type) spec.volumeClaimUpdateStrategy.type = 'OnDelete';
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= DEFAULT_REVISION_HISTORY_LIMIT;
  if (opts.injectTemplateDefaults ?? true) {
    spec.template ??= {};
    spec.template.spec ??= { containers: [] };
    defaultPodSpec(spec.template.spec);
    for (const vct of spec.volumeClaimTemplates ?? []) defaultPersistentVolumeClaim(vct);
  }
  return out;
}

// ---- Pod template defaults (upstream SetDefaults_PodSpec & co, as kruise's SetDefaultPodSpec calls them) ----
// Not done: canonicalisation of resource quantities (SetDefaults_ResourceList), e.g. "1000m" stays "1000m".

/** Mutates spec in place. */
export function defaultPodSpec(spec: V1PodSpec): void {
  if (!spec.dnsPolicy) spec.dnsPolicy = 'ClusterFirst';
  if (!spec.restartPolicy) spec.restartPolicy = 'Always';
  spec.securityContext ??= {};
  spec.terminationGracePeriodSeconds ??= 30;
  if (!spec.schedulerName) spec.schedulerName = 'default-scheduler';
  for (const v of spec.volumes ?? []) defaultVolume(v);
  for (const c of spec.initContainers ?? []) defaultContainer(c, false);
  for (const c of spec.containers ?? []) defaultContainer(c, true);
  for (const c of spec.ephemeralContainers ?? []) {
    for (const p of c.ports ?? []) if (!p.protocol) p.protocol = 'TCP';
    for (const e of c.env ?? []) if (e.valueFrom?.fieldRef && !e.valueFrom.fieldRef.apiVersion) e.valueFrom.fieldRef.apiVersion = 'v1';
    defaultProbe(c.livenessProbe);
    defaultProbe(c.readinessProbe);
    defaultProbe(c.startupProbe);
    defaultLifecycle(c.lifecycle);
  }
}

/** Upstream image-tag rule: no tag or `latest` → Always, otherwise IfNotPresent (a digest without tag counts as tagged). */
export function defaultPullPolicyFor(image: string | undefined): 'Always' | 'IfNotPresent' {
  const ref = image ?? '';
  if (ref.includes('@')) {
    const beforeDigest = ref.slice(0, ref.indexOf('@'));
    const lastSlash = beforeDigest.lastIndexOf('/');
    const tag = beforeDigest.slice(lastSlash + 1).split(':')[1];
    return tag === 'latest' ? 'Always' : 'IfNotPresent';
  }
  const lastSlash = ref.lastIndexOf('/');
  const tag = ref.slice(lastSlash + 1).split(':')[1];
  return tag === undefined || tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

/** SetDefaults_Container and what kruise adds (ports, fieldRefs, probes); `app` containers pull Always. */
export function defaultContainer(c: V1Container, app: boolean): void {
  // kruise: app containers default to Always so an in-place image update re-pulls tags.
  if (!c.imagePullPolicy) c.imagePullPolicy = app ? 'Always' : defaultPullPolicyFor(c.image);
  if (!c.terminationMessagePath) c.terminationMessagePath = '/dev/termination-log';
  // Go serializes the non-pointer resources struct, so kruise-defaulted templates carry `resources: {}`.
  c.resources ??= {};
  if (!c.terminationMessagePolicy) c.terminationMessagePolicy = 'File';
  for (const p of c.ports ?? []) if (!p.protocol) p.protocol = 'TCP';
  for (const e of c.env ?? []) if (e.valueFrom?.fieldRef && !e.valueFrom.fieldRef.apiVersion) e.valueFrom.fieldRef.apiVersion = 'v1';
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  defaultLifecycle(c.lifecycle);
}

function defaultHTTPGet(h: V1HTTPGetAction | undefined): void {
  if (!h) return;
  if (!h.path) h.path = '/';
  if (!h.scheme) h.scheme = 'HTTP';
}

function defaultProbe(p: V1Probe | undefined): void {
  if (!p) return;
  if (!p.timeoutSeconds) p.timeoutSeconds = 1;
  if (!p.periodSeconds) p.periodSeconds = 10;
  if (!p.successThreshold) p.successThreshold = 1;
  if (!p.failureThreshold) p.failureThreshold = 3;
  defaultHTTPGet(p.httpGet);
}

function defaultLifecycle(l: V1Lifecycle | undefined): void {
  defaultHTTPGet(l?.postStart?.httpGet);
  defaultHTTPGet(l?.preStop?.httpGet);
}

const DEFAULT_MODE = 0o644;

const VOLUME_SOURCE_KEYS = [
  'awsElasticBlockStore', 'azureDisk', 'azureFile', 'cephfs', 'cinder', 'configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral',
  'fc', 'flexVolume', 'flocker', 'gcePersistentDisk', 'gitRepo', 'glusterfs', 'hostPath', 'image', 'iscsi', 'nfs', 'persistentVolumeClaim',
  'photonPersistentDisk', 'portworxVolume', 'projected', 'quobyte', 'rbd', 'scaleIO', 'secret', 'storageos', 'vsphereVolume',
];

export function defaultVolume(v: V1Volume): void {
  const rec = v as unknown as Record<string, unknown>;
  if (!VOLUME_SOURCE_KEYS.some((k) => rec[k] !== undefined && rec[k] !== null)) v.emptyDir = {};
  if (v.hostPath && v.hostPath.type === undefined) v.hostPath.type = '';
  if (v.secret) v.secret.defaultMode ??= DEFAULT_MODE;
  if (v.configMap) v.configMap.defaultMode ??= DEFAULT_MODE;
  if (v.downwardAPI) {
    v.downwardAPI.defaultMode ??= DEFAULT_MODE;
    for (const item of v.downwardAPI.items ?? []) if (item.fieldRef && !item.fieldRef.apiVersion) item.fieldRef.apiVersion = 'v1';
  }
  if (v.projected) {
    v.projected.defaultMode ??= DEFAULT_MODE;
    for (const s of v.projected.sources ?? []) {
      for (const item of s.downwardAPI?.items ?? []) if (item.fieldRef && !item.fieldRef.apiVersion) item.fieldRef.apiVersion = 'v1';
      if (s.serviceAccountToken) s.serviceAccountToken.expirationSeconds ??= 3600;
    }
  }
  if (v.iscsi && !v.iscsi.iscsiInterface) v.iscsi.iscsiInterface = 'default';
  if (v.rbd) {
    if (!v.rbd.pool) v.rbd.pool = 'rbd';
    if (!v.rbd.user) v.rbd.user = 'admin';
    if (!v.rbd.keyring) v.rbd.keyring = '/etc/ceph/keyring';
  }
  if (v.azureDisk) {
    v.azureDisk.cachingMode ??= 'ReadWrite';
    v.azureDisk.fsType ??= 'ext4';
    v.azureDisk.readOnly ??= false;
    v.azureDisk.kind ??= 'Shared';
  }
  if (v.scaleIO) {
    if (!v.scaleIO.storageMode) v.scaleIO.storageMode = 'ThinProvisioned';
    if (!v.scaleIO.fsType) v.scaleIO.fsType = 'xfs';
  }
}

/** SetDefaults_PersistentVolumeClaim as kruise calls it: only status.phase Pending (volumeMode is not defaulted). */
export function defaultPersistentVolumeClaim(pvc: V1PersistentVolumeClaim): void {
  pvc.status ??= {};
  if (!pvc.status.phase) pvc.status.phase = 'Pending';
}
