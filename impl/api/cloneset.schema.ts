// CRD schema and printer columns of CloneSet, written against the types in cloneset.ts.
import { inPlaceUpdateStrategySchema, lifecycleSchema, updatePriorityStrategySchema } from './pub.schema.ts';
import { type JSONSchema, schema as s } from './schema.ts';
import type { PrinterColumn } from './crd.ts';

export const cloneSetSpecSchema: JSONSchema = s.object(
  {
    lifecycle: lifecycleSchema,
    minReadySeconds: s.int32({ description: 'Seconds a new pod must be ready before it counts as available.' }),
    replicas: s.int32({ description: 'Desired number of pods. Defaults to 1.' }),
    revisionHistoryLimit: s.int32({ description: 'Number of old ControllerRevisions kept. Defaults to 10.' }),
    scaleStrategy: s.object(
      {
        disablePVCReuse: s.boolean({ description: 'Do not reuse the PVCs of a vanished pod for its replacement.' }),
        maxUnavailable: s.intOrString({ description: 'Limit on unavailable pods while scaling up (absolute or percent, rounded up).' }),
        podsToDelete: s.array(s.string(), { description: 'Names of owned pods to delete.' }),
      },
      { description: 'How pods are created and deleted.' },
    ),
    'selector!': s.labelSelector({ description: 'Label query over the pods; must match the template labels. Immutable.' }),
    'template!': s.preserved({ description: 'Pod template.' }),
    updateStrategy: s.object(
      {
        inPlaceUpdateStrategy: inPlaceUpdateStrategySchema,
        maxSurge: s.intOrString({ description: 'Pods allowed above replicas during update or specified delete. Defaults to 0.' }),
        maxUnavailable: s.intOrString({ description: 'Pods allowed to be unavailable during update or scale. Defaults to 20%.' }),
        partition: s.intOrString({ description: 'Pods (or percent) kept at the old revision. Defaults to 0.' }),
        paused: s.boolean({ description: 'Stop updating pods.' }),
        priorityStrategy: updatePriorityStrategySchema,
        scatterStrategy: s.array(s.object({ 'key!': s.string(), 'value!': s.string() }), {
          description: 'Label key/value pairs whose pods are spread across update batches.',
        }),
        type: s.string({ description: 'ReCreate (default), InPlaceIfPossible or InPlaceOnly.' }),
      },
      { description: 'How pods are updated when the template changes.' },
    ),
    volumeClaimTemplates: s.preservedArray({ description: 'PVC templates; each pod gets its own PVCs.' }),
  },
  { description: 'Desired state of a CloneSet.' },
);

export const cloneSetStatusSchema: JSONSchema = s.object(
  {
    'availableReplicas!': s.int32({ description: 'Pods ready for at least minReadySeconds.' }),
    collisionCount: s.int32({ description: 'Hash collision counter for ControllerRevision names.' }),
    conditions: s.array(s.condition(), { description: 'Latest observations (FailedScale, FailedUpdate).' }),
    currentRevision: s.string(),
    expectedUpdatedReplicas: s.int32({ description: 'replicas - partition.' }),
    labelSelector: s.string({ description: 'Selector in string form, for the scale subresource.' }),
    observedGeneration: s.int64(),
    'readyReplicas!': s.int32(),
    'replicas!': s.int32({ description: 'Pods owned by the CloneSet.' }),
    updateRevision: s.string(),
    updatedAvailableReplicas: s.int32(),
    'updatedReadyReplicas!': s.int32(),
    'updatedReplicas!': s.int32(),
  },
  { description: 'Observed state of a CloneSet.' },
);

export const cloneSetPrinterColumns: PrinterColumn[] = [
  { name: 'DESIRED', type: 'integer', jsonPath: '.spec.replicas', description: 'The desired number of pods.' },
  { name: 'UPDATED', type: 'integer', jsonPath: '.status.updatedReplicas', description: 'The number of pods updated.' },
  { name: 'UPDATED_READY', type: 'integer', jsonPath: '.status.updatedReadyReplicas', description: 'The number of pods updated and ready.' },
  { name: 'UPDATED_AVAILABLE', type: 'integer', jsonPath: '.status.updatedAvailableReplicas', description: 'The number of pods updated and available.' },
  { name: 'READY', type: 'integer', jsonPath: '.status.readyReplicas', description: 'The number of pods ready.' },
  { name: 'TOTAL', type: 'integer', jsonPath: '.status.replicas', description: 'The number of pods.' },
  { name: 'AGE', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  { name: 'CONTAINERS', type: 'string', priority: 1, jsonPath: '.spec.template.spec.containers[*].name', description: 'Container names.' },
  { name: 'IMAGES', type: 'string', priority: 1, jsonPath: '.spec.template.spec.containers[*].image', description: 'Container images.' },
  { name: 'SELECTOR', type: 'string', priority: 1, jsonPath: '.status.labelSelector', description: 'Pod selector.' },
];
