// CRD schema and printer columns of the Advanced StatefulSet, written against the types in statefulset.ts.
import { inPlaceUpdateStrategySchema, lifecycleSchema, updatePriorityStrategySchema } from './pub.schema.ts';
import { type JSONSchema, schema as s } from './schema.ts';
import type { PrinterColumn } from './crd.ts';

export const statefulSetSpecSchema: JSONSchema = s.object(
  {
    lifecycle: lifecycleSchema,
    ordinals: s.object({ start: s.int32({ description: 'First ordinal (gate StatefulSetStartOrdinal).' }) }, { description: 'Ordinal numbering of the pods.' }),
    persistentVolumeClaimRetentionPolicy: s.object(
      {
        whenDeleted: s.string({ description: 'Retain or Delete the PVCs when the StatefulSet is deleted.' }),
        whenScaled: s.string({ description: 'Retain or Delete the PVCs of pods removed by a scale-down.' }),
      },
      { description: 'What happens to PVCs created from volumeClaimTemplates.' },
    ),
    podManagementPolicy: s.string({ description: 'OrderedReady (default) or Parallel. Immutable.' }),
    replicas: s.int32({ description: 'Desired number of pods. Defaults to 1.' }),
    reserveOrdinals: s.array(s.intOrString(), { description: 'Ordinals to skip: integers or inclusive ranges such as "3-5".' }),
    revisionHistoryLimit: s.int32({ description: 'Number of old ControllerRevisions kept. Defaults to 10.' }),
    scaleStrategy: s.object(
      { maxUnavailable: s.intOrString({ description: 'Pods allowed to be unavailable while scaling (Parallel only; percent rounds down, minimum 1).' }) },
      { description: 'How pods are scaled.' },
    ),
    'selector!': s.labelSelector({ description: 'Label query over the pods; must match the template labels. Immutable.' }),
    serviceName: s.string({ description: 'Governing Service of the pods. Immutable.' }),
    'template!': s.preserved({ description: 'Pod template.' }),
    updateStrategy: s.object(
      {
        rollingUpdate: s.object(
          {
            inPlaceUpdateStrategy: inPlaceUpdateStrategySchema,
            maxUnavailable: s.intOrString({ description: 'Pods allowed to be unavailable during the update (Parallel only unless 1). Defaults to 1.' }),
            minReadySeconds: s.int32({ description: 'Seconds an updated pod must be ready before it counts as available (0-300).' }),
            partition: s.int32({ description: 'Number of pods kept at the current revision.' }),
            paused: s.boolean({ description: 'Pause the rolling update.' }),
            podUpdatePolicy: s.string({ description: 'ReCreate (default), InPlaceIfPossible or InPlaceOnly.' }),
            unorderedUpdate: s.object({ priorityStrategy: updatePriorityStrategySchema }, { description: 'Update pods in priority order instead of by ordinal (Parallel only).' }),
          },
          { description: 'Parameters of RollingUpdate.' },
        ),
        type: s.string({ description: 'RollingUpdate (default) or OnDelete.' }),
      },
      { description: 'How pods are updated when the template changes.' },
    ),
    volumeClaimTemplates: s.preservedArray({ description: 'PVC templates; each pod gets its own PVCs.' }),
    volumeClaimUpdateStrategy: s.object(
      { type: s.string({ description: 'OnPodRollingUpdate or OnDelete (gate StatefulSetAutoResizePVCGate).' }) },
      { description: 'How changes to volumeClaimTemplates reach existing PVCs.' },
    ),
  },
  { description: 'Desired state of an Advanced StatefulSet.' },
);

export const statefulSetStatusSchema: JSONSchema = s.object(
  {
    'availableReplicas!': s.int32(),
    collisionCount: s.int32(),
    conditions: s.array(s.condition(), { description: 'Latest observations (FailedCreatePod, FailedUpdatePod).' }),
    'currentReplicas!': s.int32(),
    currentRevision: s.string(),
    labelSelector: s.string({ description: 'Selector in string form, for the scale subresource.' }),
    observedGeneration: s.int64(),
    'readyReplicas!': s.int32(),
    'replicas!': s.int32(),
    updateRevision: s.string(),
    updatedAvailableReplicas: s.int32(),
    updatedReadyReplicas: s.int32(),
    'updatedReplicas!': s.int32(),
    volumeClaims: s.array(
      s.object({
        'compatibleReadyReplicas!': s.int32({ description: 'Pods whose PVC is compatible and has reached its requested size.' }),
        'compatibleReplicas!': s.int32({ description: 'Pods whose PVC is compatible with the template.' }),
        'volumeClaimName!': s.string(),
      }),
      { description: 'Compatibility of existing PVCs with each volumeClaimTemplate.' },
    ),
  },
  { description: 'Observed state of an Advanced StatefulSet.' },
);

export const statefulSetPrinterColumns: PrinterColumn[] = [
  { name: 'DESIRED', type: 'integer', jsonPath: '.spec.replicas', description: 'The desired number of pods.' },
  { name: 'CURRENT', type: 'integer', jsonPath: '.status.replicas', description: 'The number of pods.' },
  { name: 'UPDATED', type: 'integer', jsonPath: '.status.updatedReplicas', description: 'The number of pods updated.' },
  { name: 'READY', type: 'integer', jsonPath: '.status.readyReplicas', description: 'The number of pods ready.' },
  { name: 'AGE', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  { name: 'CONTAINERS', type: 'string', priority: 1, jsonPath: '.spec.template.spec.containers[*].name', description: 'Container names.' },
  { name: 'IMAGES', type: 'string', priority: 1, jsonPath: '.spec.template.spec.containers[*].image', description: 'Container images.' },
];
