/**
 * The feature registry: every behaviour the suites certify, by id. Suites name the features each
 * test proves (`describeFeature('CloneSet.MaxSurge', ...)`); implementations claim features in
 * their descriptor; reports give a verdict per feature. `registry.test.ts` fails when a feature
 * has no test or a test names a feature that is not here.
 *
 * Profiles: Core is what every OpenKruise-compatible implementation of the kind must do; Extended
 * is behind an alpha feature gate in OpenKruise or needs more than a bare substrate.
 */
import type { Capability } from './clusters/provider.ts';
import type { Profile } from './report/model.ts';

export type Area =
  | 'Preflight'
  | 'CloneSet'
  | 'StatefulSet'
  | 'WorkloadSpread'
  | 'SidecarSet'
  | 'PodProbeMarker'
  | 'DeletionProtection'
  | 'DaemonSet'
  | 'Helm';

export interface Feature {
  id: string;
  area: Area;
  profile: Profile;
  title: string;
  /** OpenKruise release that introduced the behaviour. */
  since: string;
  /** Where the rule comes from: a section of the spec digest and/or a seed article. */
  source: string;
  /** Substrate capabilities without which the feature's tests cannot run. */
  needs: Capability[];
  /** OpenKruise feature gates the implementation must run with for the feature. */
  gates: string[];
  /** Required of every implementation; cannot be left unclaimed (preflight). */
  mandatory?: boolean;
}

type Def = Omit<Feature, 'area' | 'needs' | 'gates'> & Partial<Pick<Feature, 'needs' | 'gates'>>;

function area(name: Area, defs: Def[]): Feature[] {
  return defs.map((d) => ({ needs: [], gates: [], ...d, area: name }));
}

export const FEATURES: readonly Feature[] = [
  ...area('Preflight', [
    { id: 'Preflight.APIServed', profile: 'Core', title: 'the apps.kruise.io CRDs are served at the expected versions with status and scale subresources', since: '1.0', source: 'spec §2.1, §3.1', mandatory: true },
    { id: 'Preflight.Webhooks', profile: 'Core', title: 'admission webhooks answer: defaulting applies and invalid objects are rejected', since: '1.0', source: 'spec §1.6', mandatory: true },
  ]),
  ...area('CloneSet', [
    { id: 'CloneSet.Defaults', profile: 'Core', title: 'defaults: replicas 1, ReCreate, partition 0, maxUnavailable 20%, maxSurge 0, revisionHistoryLimit 10', since: '1.0', source: 'spec §2.2, Appendix B.1' },
    { id: 'CloneSet.Validation', profile: 'Core', title: 'invalid specs are rejected at admission with the field named', since: '1.0', source: 'spec §2.3' },
    { id: 'CloneSet.Scale', profile: 'Core', title: 'scale out and in; pod identity (instance id, revision labels, readiness gates)', since: '1.0', source: 'spec §2.5, §2.8' },
    { id: 'CloneSet.PodsToDelete', profile: 'Core', title: 'scaleStrategy.podsToDelete and the specified-delete label remove chosen pods', since: '1.0', source: 'spec §1.5, §2.8' },
    { id: 'CloneSet.ScaleInOrder', profile: 'Core', title: 'scale-in prefers unscheduled, not-ready, then lower deletion cost pods', since: '1.0', source: 'spec §2.8' },
    { id: 'CloneSet.ScaleMaxUnavailable', profile: 'Extended', title: 'scaleStrategy.maxUnavailable limits unavailable pods while scaling out', since: '1.4', source: 'spec §2.2, §2.8' },
    { id: 'CloneSet.Status', profile: 'Core', title: 'status fields: replicas, ready, available, updated, updatedReady, expectedUpdated, observedGeneration, revisions, labelSelector', since: '1.0', source: 'spec §2.6' },
    { id: 'CloneSet.Revisions', profile: 'Core', title: 'ControllerRevisions and the controller-revision-hash / pod-template-hash labels follow the template', since: '1.0', source: 'spec §1.4, §2.5' },
    { id: 'CloneSet.ScaleSubresource', profile: 'Core', title: 'the scale subresource reads and writes replicas', since: '1.0', source: 'spec §2.1' },
    { id: 'CloneSet.ReCreate', profile: 'Core', title: 'ReCreate update replaces pods within maxUnavailable', since: '1.0', source: 'spec §2.8' },
    { id: 'CloneSet.MaxUnavailable', profile: 'Core', title: 'never fewer than replicas - maxUnavailable available pods during a rollout (percent rounding)', since: '1.0', source: 'spec §2.4, §2.8' },
    { id: 'CloneSet.MaxSurge', profile: 'Core', title: 'never more than replicas + maxSurge pods; surge pods removed at the end (seed walkthrough)', since: '1.0', source: 'spec §2.11; seed "CloneSet supports maxSurge"' },
    { id: 'CloneSet.Partition', profile: 'Core', title: 'partition keeps that many (or that percent, ceil) pods at the old revision', since: '1.0', source: 'spec §1.1, §2.4' },
    { id: 'CloneSet.Paused', profile: 'Core', title: 'paused stops the rollout, scaling continues', since: '1.0', source: 'spec §2.2' },
    { id: 'CloneSet.MinReadySeconds', profile: 'Core', title: 'minReadySeconds delays availability', since: '1.0', source: 'spec §2.6' },
    { id: 'CloneSet.InPlaceUpdate', profile: 'Core', title: 'InPlaceIfPossible updates images in place: same UID, IP, node; InPlaceUpdateReady protocol and inplace-update-state', since: '1.0', source: 'spec §1.3, §2.12' },
    { id: 'CloneSet.InPlaceFallback', profile: 'Core', title: 'InPlaceIfPossible recreates pods when a non-image field changes', since: '1.0', source: 'spec §1.3' },
    { id: 'CloneSet.InPlaceOnly', profile: 'Extended', title: 'InPlaceOnly allows only image changes and no maxSurge', since: '1.0', source: 'spec §2.3, §13.9' },
    { id: 'CloneSet.InPlaceSurge', profile: 'Core', title: 'InPlaceIfPossible with maxSurge: surge pods created, old pods updated in place, surge removed', since: '1.0', source: 'seed "CloneSet supports maxSurge"' },
    { id: 'CloneSet.InPlaceResize', profile: 'Extended', title: 'in-place cpu/memory change resizes pods without restart (pods/resize from Kubernetes 1.32, a plain pod update before); QoS change recreates', since: '1.8', source: 'spec §1.3; seed "in-place VPA"', needs: ['InPlaceResize'], gates: ['InPlaceWorkloadVerticalScaling'] },
    { id: 'CloneSet.VolumeClaimTemplates', profile: 'Core', title: 'one PVC per pod from volumeClaimTemplates, named <vct>-<cloneset>-<instance-id>', since: '1.0', source: 'spec §2.5, §2.10', needs: ['VolumeExpansion'] },
    { id: 'CloneSet.Lifecycle', profile: 'Extended', title: 'lifecycle hooks: preDelete and inPlaceUpdate hold pods in Preparing states', since: '1.0', source: 'spec §1.2, §2.9' },
    { id: 'CloneSet.UpdatePriority', profile: 'Extended', title: 'priorityStrategy orders pods to update', since: '1.0', source: 'spec Appendix A.2' },
  ]),
  ...area('StatefulSet', [
    { id: 'StatefulSet.Defaults', profile: 'Core', title: 'defaults: OrderedReady, RollingUpdate, partition 0, maxUnavailable 1, podUpdatePolicy ReCreate', since: '1.0', source: 'spec §3.2' },
    { id: 'StatefulSet.Validation', profile: 'Core', title: 'invalid specs are rejected at admission with the field named', since: '1.0', source: 'spec §3.3' },
    { id: 'StatefulSet.Identity', profile: 'Core', title: 'pods <name>-<ordinal> with stable hostname, labels and PVCs <vct>-<name>-<ordinal>', since: '1.0', source: 'spec §3.4' },
    { id: 'StatefulSet.OrderedScale', profile: 'Core', title: 'OrderedReady scales one pod at a time in ordinal order and halts on an unhealthy pod', since: '1.0', source: 'spec §3.5' },
    { id: 'StatefulSet.ParallelScale', profile: 'Core', title: 'Parallel pod management creates and deletes at once', since: '1.0', source: 'spec §3.5' },
    { id: 'StatefulSet.ReserveOrdinals', profile: 'Extended', title: 'reserveOrdinals skips ordinals (ints and ranges)', since: '1.1', source: 'spec §3.5' },
    { id: 'StatefulSet.StartOrdinal', profile: 'Extended', title: 'ordinals.start shifts the ordinal range', since: '1.7', source: 'spec §3.5', gates: ['StatefulSetStartOrdinal'] },
    { id: 'StatefulSet.Partition', profile: 'Core', title: 'partition keeps pods below the partition ordinal at the current revision', since: '1.0', source: 'spec §3.6' },
    { id: 'StatefulSet.MaxUnavailable', profile: 'Core', title: 'rolling update with maxUnavailable > 1 under Parallel', since: '1.0', source: 'spec §3.6' },
    { id: 'StatefulSet.OnDelete', profile: 'Core', title: 'OnDelete updates a pod only when it is deleted', since: '1.0', source: 'spec §3.6' },
    { id: 'StatefulSet.InPlaceUpdate', profile: 'Core', title: 'InPlaceIfPossible updates images in place (readiness gate required)', since: '1.0', source: 'spec §3.3, §3.6' },
    { id: 'StatefulSet.InPlaceResize', profile: 'Extended', title: 'in-place cpu/memory resize of Advanced StatefulSet pods', since: '1.8', source: 'spec §1.3', needs: ['InPlaceResize'], gates: ['InPlaceWorkloadVerticalScaling'] },
    { id: 'StatefulSet.Status', profile: 'Core', title: 'status fields, currentRevision flips only when all updated and ready', since: '1.0', source: 'spec §3.6' },
    { id: 'StatefulSet.ScaleSubresource', profile: 'Core', title: 'the scale subresource reads and writes replicas', since: '1.0', source: 'spec §3.1' },
    { id: 'StatefulSet.VolumeClaimStatus', profile: 'Extended', title: 'status.volumeClaims lists compatibleReplicas / compatibleReadyReplicas per template', since: '1.8', source: 'spec §3.8, §13.1', needs: ['VolumeExpansion'] },
    { id: 'StatefulSet.PVCResize', profile: 'Extended', title: 'volumeClaimUpdateStrategy OnPodRollingUpdate expands PVCs as the rollout reaches each pod', since: '1.8', source: 'spec §3.8; seed "OpenKruise 1.8"', needs: ['VolumeExpansion'], gates: ['StatefulSetAutoResizePVCGate'] },
    { id: 'StatefulSet.PVCRetention', profile: 'Extended', title: 'persistentVolumeClaimRetentionPolicy deletes PVCs when deleted or scaled', since: '1.2', source: 'spec §3.4', needs: ['VolumeExpansion'] },
  ]),
  ...area('WorkloadSpread', [
    { id: 'WorkloadSpread.Validation', profile: 'Core', title: 'invalid WorkloadSpreads are rejected with the field named', since: '1.0', source: 'spec §4.3' },
    { id: 'WorkloadSpread.SubsetInjection', profile: 'Core', title: 'pods get the first subset with room: node terms, tolerations, patch and the matched-workloadspread annotation', since: '1.0', source: 'spec §4.4', needs: ['Zones'] },
    { id: 'WorkloadSpread.MultiArch', profile: 'Extended', title: 'subsets that combine zone and CPU architecture terms place each pod on a node of both', since: '1.0', source: 'spec §4.4; seed "OpenKruise v1.6" (multi-zone and x86/arm subsets)', needs: ['Zones', 'MultiArch'] },
    { id: 'WorkloadSpread.MaxReplicas', profile: 'Core', title: 'maxReplicas (int and percent) bounds each subset; status counts replicas and missingReplicas', since: '1.0', source: 'spec §4.6' },
    { id: 'WorkloadSpread.DeletionCost', profile: 'Core', title: 'pod-deletion-cost annotations order scale-in across subsets', since: '1.0', source: 'spec §4.7' },
    { id: 'WorkloadSpread.TargetFilter', profile: 'Extended', title: 'targetFilter selects pods and replicasPathList sums replicas for workloads without a scale subresource', since: '1.8', source: 'spec §4.8; seed "OpenKruise 1.8"' },
    { id: 'WorkloadSpread.CustomWorkload', profile: 'Extended', title: 'a whitelisted custom workload (install-time configuration workloadSpreadCustomWorkloads) is a target; its replicas come from the whitelist ReplicasPath', since: '1.8', source: 'spec §4.8; OpenKruise e2e "job-like custom workload"; seed "OpenKruise 1.8"' },
    { id: 'WorkloadSpread.Reschedule', profile: 'Core', title: 'Fixed keeps pods of an unschedulable subset Pending; Adaptive marks it Schedulable=False and recreates its pods in the next subset', since: '1.0', source: 'spec §4.6; OpenKruise e2e "reschedule subset-a" [Conformance]', needs: ['Zones'] },
    { id: 'WorkloadSpread.Adoption', profile: 'Core', title: 'pods created before the WorkloadSpread (or matched to another one) are adopted into the subset their node fits, with its metadata patch and deletion cost', since: '1.0', source: 'spec §4.6; OpenKruise e2e "manage the pods that were created before workloadspread", "manage existing pods by only preferredNodeSelector" [Conformance]', needs: ['Zones'] },
    { id: 'WorkloadSpread.StatefulSetTarget', profile: 'Core', title: 'an Advanced StatefulSet target: subsets chosen by ordinal, patch-only subsets', since: '1.0', source: 'spec §4.4; OpenKruise e2e "manage statefulset pods only with patch" [Conformance]' },
    { id: 'WorkloadSpread.DeploymentTarget', profile: 'Extended', title: 'Deployment (owner chain Pod -> ReplicaSet -> Deployment) and ReplicaSet targets', since: '1.0', source: 'spec §4.4, §4.7; OpenKruise e2e "elastic deploy for deployment" (not [Conformance])', needs: ['Zones'] },
    { id: 'WorkloadSpread.JobTarget', profile: 'Extended', title: 'a Job target: subsets bound its pods, percents resolve against parallelism', since: '1.0', source: 'spec §4.2, §4.4, §4.6', needs: ['Zones'] },
    { id: 'WorkloadSpread.RollingUpdate', profile: 'Extended', title: 'per-subset bounds hold for the whole of a surging rollout (Deployment maxSurge 25%, CloneSet ReCreate maxSurge) and the ratio is restored', since: '1.6', source: 'spec §4.6 (versioned subset status); seed "OpenKruise v1.6" (subset ratio during rolling upgrade); OpenKruise e2e "elastic deploy for deployment"', needs: ['Zones'] },
  ]),
  ...area('SidecarSet', [
    { id: 'SidecarSet.Validation', profile: 'Core', title: 'invalid SidecarSets are rejected with the field named', since: '1.0', source: 'spec §5.3' },
    { id: 'SidecarSet.Injection', profile: 'Core', title: 'sidecars injected at pod creation in podInjectPolicy order, with env and annotations', since: '1.0', source: 'spec §5.4' },
    { id: 'SidecarSet.VolumeMerge', profile: 'Core', title: 'sidecar volumes merged into the pod; the pod volume wins on a name clash', since: '1.0', source: 'spec §5.4' },
    { id: 'SidecarSet.InjectionRevision', profile: 'Core', title: 'injectionStrategy.revision injects a recorded revision (Always / Partial)', since: '1.3', source: 'spec §5.2, §5.4' },
    { id: 'SidecarSet.InPlaceUpgrade', profile: 'Core', title: 'image-only sidecar changes roll out in place within partition and maxUnavailable', since: '1.0', source: 'spec §5.5' },
    { id: 'SidecarSet.Status', profile: 'Core', title: 'status counts matched, updated and ready pods', since: '1.0', source: 'spec §5.5' },
    { id: 'SidecarSet.TransferEnv', profile: 'Core', title: 'transferEnv copies app container envs into the sidecar, by name or by a pod label/annotation (fieldRef)', since: '1.0', source: 'spec §5.2, §5.4' },
    { id: 'SidecarSet.ShareVolume', profile: 'Core', title: 'shareVolumePolicy enabled: the app containers\' volumeMounts (and their subPathExpr envs) are shared with the sidecar', since: '1.0', source: 'spec §5.4' },
    { id: 'SidecarSet.Scope', profile: 'Core', title: 'namespace, namespaceSelector and injectionStrategy.paused decide which new pods get sidecars', since: '1.0', source: 'spec §5.2, §5.4' },
    { id: 'SidecarSet.UpdateStrategy', profile: 'Core', title: 'updateStrategy paused, selector, partition and maxUnavailable (percent ceil) bound the in-place sidecar rollout', since: '1.0', source: 'spec §5.5, Appendix A.1' },
    { id: 'SidecarSet.History', profile: 'Core', title: 'ControllerRevisions in the manager namespace record each spec; status.latestRevision; revisionHistoryLimit truncation', since: '1.0', source: 'spec §5.5' },
    { id: 'SidecarSet.HotUpgrade', profile: 'Core', title: 'HotUpgrade sidecars run as <name>-1/<name>-2; an upgrade starts the idle one and resets the old one to the empty image', since: '1.0', source: 'spec §5.4, §5.7' },
    { id: 'SidecarSet.V1beta1', profile: 'Extended', title: 'SidecarSet served at v1beta1 too: objects read and written at either version, namespace converted to a namespaceSelector, injection, validation and status the same', since: '1.9', source: 'OpenKruise v1.9.1 apis/apps/v1beta1/sidecarset_types.go, apis/apps/v1alpha1/sidecarset_conversion.go; reports/known/openkruise-1.9.1.md deviation 4' },
    { id: 'SidecarSet.PatchPodMetadata', profile: 'Extended', title: 'patchPodMetadata (Retain / Overwrite / MergePatchJson) applied at injection and on upgrade, within the whitelist ConfigMap', since: '1.2', source: 'spec §5.2, §5.3, §5.4' },
  ]),
  ...area('PodProbeMarker', [
    { id: 'PodProbeMarker.Validation', profile: 'Core', title: 'invalid PodProbeMarkers are rejected with the field named', since: '1.3', source: 'spec §6.1' },
    { id: 'PodProbeMarker.NodeProbes', profile: 'Extended', title: 'probes run by the node agent mark pods with conditions, labels and annotations', since: '1.3', source: 'spec §6.2', needs: ['RealKubelet'] },
    { id: 'PodProbeMarker.NodeAgentProtocol', profile: 'Extended', title: "node-agent protocol: matched pods' probes written to their node's NodePodProbe, its status turned into pod conditions and marks", since: '1.3', source: 'spec §6.2', needs: ['SimulatedNodes'] },
    { id: 'PodProbeMarker.NodePodProbeLifecycle', profile: 'Extended', title: 'NodePodProbes follow nodes, pods and PodProbeMarkers: one per node, entries added on scale-up and removed on scale-down, probe updates propagated, several markers per pod, all removed with the markers', since: '1.3', source: 'spec §6.2; OpenKruise e2e "pod probe marker exec test"', needs: ['SimulatedNodes'] },
    { id: 'PodProbeMarker.Serverless', profile: 'Extended', title: 'serverless protocol: probes written to pod annotations, conditions turned into marks', since: '1.8', source: 'spec §6.3; seed "OpenKruise 1.8"', gates: ['EnablePodProbeMarkerOnServerless'], needs: ['SimulatedNodes'] },
  ]),
  ...area('DeletionProtection', [
    { id: 'DeletionProtection.Workloads', profile: 'Core', title: 'Always / Cascading protection of CloneSet, Advanced StatefulSet and apps/v1 workloads', since: '1.0', source: 'spec §7', gates: ['ResourcesDeletionProtection'] },
    { id: 'DeletionProtection.Namespace', profile: 'Core', title: 'Always / Cascading protection of namespaces', since: '1.0', source: 'spec §7', gates: ['ResourcesDeletionProtection'] },
    { id: 'DeletionProtection.CRD', profile: 'Extended', title: 'Always / Cascading protection of CustomResourceDefinitions', since: '1.0', source: 'spec §7', gates: ['ResourcesDeletionProtection', 'DeletionProtectionForCRDCascadingGate'] },
    { id: 'DeletionProtection.ServiceIngress', profile: 'Extended', title: 'Always protection of Services and Ingresses', since: '1.6', source: 'spec §7', gates: ['ResourcesDeletionProtection'] },
    { id: 'DeletionProtection.AdvancedDaemonSet', profile: 'Extended', title: 'Advanced DaemonSet deletes are not checked in 1.8 (its webhook has no DELETE verb); needs the implementation to serve Advanced DaemonSet', since: '1.0', source: 'spec §7', gates: ['ResourcesDeletionProtection'] },
  ]),
  ...area('DaemonSet', [
    // Advanced DaemonSet (apps.kruise.io/v1alpha1 DaemonSet). The spec digest has no section on it:
    // the rules are those of OpenKruise v1.8.3's API types (apis/apps/v1alpha1/daemonset_types.go),
    // defaulting and admission (apis/apps/defaults, pkg/webhook/daemonset) and its e2e
    // (test/e2e/apps/daemonset.go, 7 Its, all [Conformance]; inplace_vpa.go's DaemonSet It). No
    // gate guards any of these, so they are Core.
    { id: 'DaemonSet.Scheduling', profile: 'Core', title: 'one pod per eligible node (the template nodeSelector followed as node labels change); a deleted or Failed pod is replaced on its node', since: '1.0', source: 'OpenKruise e2e daemonset.go "should run and stop simple daemon", "... complex daemon", "should retry creating failed daemon pods" [Conformance]' },
    { id: 'DaemonSet.Defaults', profile: 'Core', title: 'defaults: RollingUpdate, rollingUpdateType Standard, maxUnavailable 1, maxSurge 0, revisionHistoryLimit 10, burstReplicas 250; the deprecated Surging becomes Standard with maxSurge 1, maxUnavailable 0', since: '1.0', source: 'OpenKruise v1.8.3 apis/apps/defaults SetDefaultsDaemonSet' },
    { id: 'DaemonSet.Validation', profile: 'Core', title: 'invalid Advanced DaemonSets are rejected at admission with the field named', since: '1.0', source: 'OpenKruise v1.8.3 pkg/webhook/daemonset/validating' },
    { id: 'DaemonSet.Status', profile: 'Core', title: 'status: desiredNumberScheduled, currentNumberScheduled, numberReady, numberAvailable, numberUnavailable, updatedNumberScheduled, numberMisscheduled, observedGeneration, daemonSetHash', since: '1.0', source: 'OpenKruise v1.8.3 DaemonSetStatus; e2e CheckDaemonStatus' },
    { id: 'DaemonSet.RollingUpdate', profile: 'Core', title: 'rollingUpdateType Standard recreates pods node by node: never more nodes without an available pod than maxUnavailable, never two pods on a node', since: '1.0', source: 'OpenKruise v1.8.3 RollingUpdateDaemonSet; pkg/controller/daemonset rollingUpdate' },
    { id: 'DaemonSet.MaxSurge', profile: 'Core', title: 'maxSurge (Standard, and the deprecated Surging type) starts the new pod beside the old one and removes the old one once the new one is available for minReadySeconds', since: '1.0', source: 'OpenKruise e2e daemonset.go "should successfully surging update daemonset with minReadySeconds" [Conformance]' },
    { id: 'DaemonSet.Partition', profile: 'Core', title: 'rollingUpdate.partition keeps that many nodes at the old revision until lowered', since: '1.0', source: 'OpenKruise v1.8.3 RollingUpdateDaemonSet.partition' },
    { id: 'DaemonSet.Selector', profile: 'Core', title: 'rollingUpdate.selector updates only the pods of nodes whose labels match', since: '1.0', source: 'OpenKruise v1.8.3 RollingUpdateDaemonSet.selector' },
    { id: 'DaemonSet.Paused', profile: 'Core', title: 'rollingUpdate.paused stops the rollout (pods still created for new nodes) until unpaused', since: '1.0', source: 'OpenKruise v1.8.3 RollingUpdateDaemonSet.paused' },
    { id: 'DaemonSet.Lifecycle', profile: 'Core', title: 'a preDelete labelsHandler hook holds a pod in PreparingDelete (one at a time under maxUnavailable 1) until the label is removed', since: '1.0', source: 'spec §1.2; OpenKruise e2e daemonset.go "should upgrade one by one on steps if there is pre-delete hook" [Conformance]' },
    { id: 'DaemonSet.InPlaceResize', profile: 'Extended', title: 'InPlaceIfPossible changes image and cpu/memory in place: same pods, status resources follow', since: '1.8', source: 'spec §1.3; OpenKruise e2e inplace_vpa.go DaemonSet "should upgrade resources and image one by one ..." [Conformance]', needs: ['InPlaceResize'], gates: ['InPlaceWorkloadVerticalScaling'] },
    { id: 'DaemonSet.InPlaceUpdate', profile: 'Core', title: 'InPlaceIfPossible: an image change keeps the pod (UID, node) and restarts only that container, InPlaceUpdateReady readiness gate; any other change recreates', since: '1.0', source: 'OpenKruise e2e daemonset.go "should only inplace image ...", "Should upgrade inplace if update image and recreate if update others" [Conformance]' },
  ]),
  ...area('Helm', [
    { id: 'Helm.PreDeleteHook', profile: 'Extended', title: 'helm uninstall is refused while CloneSets / Advanced StatefulSets exist (the release, CRDs and workloads survive) and goes through once only other kinds remain', since: '1.7', source: 'spec §8.1', needs: ['RealKubelet', 'Helm'] },
    { id: 'Helm.PreDeleteCheck', profile: 'Extended', title: "the chart's pre-delete hook program, run with its chart's RBAC only, blocks (exits non-zero naming the kind) on any CloneSet or Advanced StatefulSet (v1beta1 or v1alpha1) in any namespace, and passes with only other kinds present", since: '1.7', source: 'spec §8.1; OpenKruise cmd/helm_hook' },
    { id: 'Helm.PreDeleteCheckDaemonSet', profile: 'Extended', title: "the chart's pre-delete hook program blocks on an Advanced DaemonSet; needs the implementation to serve apps.kruise.io/v1alpha1 daemonsets", since: '1.7', source: 'spec §8.1; OpenKruise cmd/helm_hook' },
  ]),
];

const BY_ID = new Map(FEATURES.map((f) => [f.id, f]));

export function feature(id: string): Feature {
  const f = BY_ID.get(id);
  if (!f) throw new Error(`unknown feature "${id}": not in harness/features.ts`);
  return f;
}

export function isFeatureId(id: string): boolean {
  return BY_ID.has(id);
}

export const FEATURE_IDS: readonly string[] = FEATURES.map((f) => f.id);
