// CRD schema and printer columns of SidecarSet, written against the types in sidecarset.ts.
import type { PrinterColumn } from './crd.ts';
import { updatePriorityStrategySchema } from './pub.schema.ts';
import { type JSONSchema, schema as s } from './schema.ts';

export const sidecarSetSpecSchema: JSONSchema = s.object(
  {
    containers: s.preservedArray({ description: 'Sidecar containers: a core container plus podInjectPolicy, upgradeStrategy, shareVolumePolicy and transferEnv.' }),
    imagePullSecrets: s.array(s.object({ name: s.string() }, { extra: { 'x-kubernetes-map-type': 'atomic' } }), { description: 'Merged into the pod at creation.' }),
    initContainers: s.preservedArray({ description: 'Sidecar initContainers, injected at pod creation only.' }),
    injectionStrategy: s.object(
      {
        paused: s.boolean({ description: 'Stop injecting into new pods.' }),
        revision: s.object(
          {
            customVersion: s.string({ description: 'Inject the newest revision labelled apps.kruise.io/sidecarset-custom-version with this value.' }),
            policy: s.string({ description: 'Always (default) or Partial.' }),
            revisionName: s.string({ description: 'Inject this ControllerRevision.' }),
          },
          { description: 'A recorded revision to inject instead of the latest spec.' },
        ),
      },
      { description: 'How sidecars are injected into new pods.' },
    ),
    namespace: s.string({ description: 'Only pods of this namespace.' }),
    namespaceSelector: s.labelSelector({ description: 'Only pods of namespaces whose labels match; exclusive with namespace.' }),
    patchPodMetadata: s.array(
      s.object({ annotations: s.stringMap(), patchPolicy: s.string({ description: 'Retain (default), Overwrite or MergePatchJson.' }) }),
      { description: 'Pod annotations set at injection and upgrade; keys must be whitelisted.' },
    ),
    revisionHistoryLimit: s.int32({ description: 'ControllerRevisions kept. Defaults to 10.' }),
    selector: s.labelSelector({ description: 'Label query over the pods to inject.' }),
    updateStrategy: s.object(
      {
        maxUnavailable: s.intOrString({ description: 'Pods upgraded and not ready at a time (percent rounded up). Defaults to 1.' }),
        partition: s.intOrString({ description: 'Matched pods (or percent, rounded up) kept at the old sidecar. Defaults to 0.' }),
        paused: s.boolean({ description: 'Stop upgrading pods.' }),
        priorityStrategy: updatePriorityStrategySchema,
        scatterStrategy: s.array(s.object({ 'key!': s.string(), 'value!': s.string() }), { description: 'Label key/value pairs spread across upgrade batches.' }),
        selector: s.labelSelector({ description: 'Only upgrade the pods it matches.' }),
        type: s.string({ description: 'RollingUpdate (default) or NotUpdate.' }),
      },
      { description: 'How injected sidecars are upgraded in place.' },
    ),
    volumes: s.preservedArray({ description: 'Volumes the sidecars mount; a pod volume of the same name wins.' }),
  },
  { description: 'Desired state of a SidecarSet.' },
);

/**
 * v1beta1 (OpenKruise 1.9): no namespace (a namespaceSelector on kubernetes.io/metadata.name says
 * the same), and customVersion in the spec where v1alpha1 has the custom-version label.
 */
export const sidecarSetV1beta1SpecSchema: JSONSchema = (() => {
  const spec = structuredClone(sidecarSetSpecSchema);
  const { namespace: _dropped, ...rest } = spec.properties ?? {};
  const customVersion = s.string({ description: 'Copied onto the SidecarSet\'s ControllerRevisions as label apps.kruise.io/sidecarset-custom-version; injectionStrategy.revision.customVersion names it.' });
  spec.properties = Object.fromEntries(Object.entries({ ...rest, customVersion }).sort(([a], [b]) => (a < b ? -1 : 1)));
  spec.properties.namespaceSelector = s.labelSelector({ description: 'Only pods of namespaces whose labels match.' });
  return spec;
})();

export const sidecarSetStatusSchema: JSONSchema = s.object(
  {
    collisionCount: s.int32({ description: 'Hash collision counter for ControllerRevision names.' }),
    latestRevision: s.string({ description: 'Name of the newest ControllerRevision.' }),
    'matchedPods!': s.int32({ description: 'Pods the SidecarSet was injected into.' }),
    observedGeneration: s.int64(),
    'readyPods!': s.int32({ description: 'Matched pods running and ready with consistent sidecars.' }),
    'updatedPods!': s.int32({ description: 'Matched pods at the latest sidecar hash.' }),
    updatedReadyPods: s.int32({ description: 'Pods both updated and ready.' }),
  },
  { description: 'Observed state of a SidecarSet.' },
);

export const sidecarSetPrinterColumns: PrinterColumn[] = [
  { name: 'MATCHED', type: 'integer', jsonPath: '.status.matchedPods', description: 'The number of pods matched.' },
  { name: 'UPDATED', type: 'integer', jsonPath: '.status.updatedPods', description: 'The number of pods matched and updated.' },
  { name: 'READY', type: 'integer', jsonPath: '.status.readyPods', description: 'The number of pods matched and ready.' },
  { name: 'AGE', type: 'date', jsonPath: '.metadata.creationTimestamp' },
];
