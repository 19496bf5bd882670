// CRD schema and printer columns of WorkloadSpread, written against the types in workloadspread.ts.
import { type JSONSchema, schema as s } from './schema.ts';
import type { PrinterColumn } from './crd.ts';

const requirement = (what: string): JSONSchema =>
  s.object(
    {
      'key!': s.string({ description: `The ${what} key the selector applies to.` }),
      'operator!': s.string({ description: 'In, NotIn, Exists, DoesNotExist, Gt or Lt.' }),
      values: s.array(s.string(), { listType: 'atomic' }),
    },
    { description: `A ${what} selector requirement.` },
  );

/** core/v1 NodeSelectorTerm. */
const nodeSelectorTerm = (description: string): JSONSchema =>
  s.object(
    {
      matchExpressions: s.array(requirement('node label'), { listType: 'atomic', description: 'Requirements on node labels.' }),
      matchFields: s.array(requirement('node field'), { listType: 'atomic', description: 'Requirements on node fields (metadata.name).' }),
    },
    { description, extra: { 'x-kubernetes-map-type': 'atomic' } },
  );

const toleration: JSONSchema = s.object(
  {
    effect: s.string({ description: 'NoSchedule, PreferNoSchedule or NoExecute; empty matches all.' }),
    key: s.string(),
    operator: s.string({ description: 'Exists or Equal (default).' }),
    tolerationSeconds: s.int64({ description: 'NoExecute only: how long the pod stays bound after the taint appears.' }),
    value: s.string(),
  },
  { description: 'A toleration added to the pods of this subset.' },
);

const subsetStatus: JSONSchema = s.object(
  {
    conditions: s.array(s.condition(), { description: 'Subset conditions (Schedulable).' }),
    creatingPods: { additionalProperties: { format: 'date-time', type: 'string' }, description: 'Pods admitted for creation but not yet observed by the controller.', type: 'object' },
    deletingPods: { additionalProperties: { format: 'date-time', type: 'string' }, description: 'Pods admitted for deletion but still observed.', type: 'object' },
    'missingReplicas!': s.int32({ description: 'Pods the subset still lacks; -1 when unlimited.' }),
    'name!': s.string(),
    'replicas!': s.int32({ description: 'Active pods in the subset.' }),
  },
  { description: 'Observed state of one subset.' },
);

export const workloadSpreadSpecSchema: JSONSchema = s.object(
  {
    scheduleStrategy: s.object(
      {
        adaptive: s.object(
          {
            disableSimulationSchedule: s.boolean({ description: 'Reserved; not used.' }),
            rescheduleCriticalSeconds: s.int32({ description: 'Delete pods unschedulable for longer than this, so they are recreated in the next subset.' }),
          },
          { description: 'Parameters of the Adaptive strategy.' },
        ),
        type: s.string({ enum: ['Adaptive', 'Fixed', ''], description: 'Fixed (default) or Adaptive.' }),
      },
      { description: 'How pods move between subsets when a subset cannot schedule them.' },
    ),
    'subsets!': s.array(
      s.object(
        {
          maxReplicas: s.intOrString({ description: 'Upper bound of pods in the subset (absolute or percent of the workload, rounded up); unset is unlimited.' }),
          'name!': s.string({ description: 'Unique among the subsets.' }),
          patch: s.preserved({ description: 'Strategic-merge patch applied to the pods of this subset.' }),
          preferredNodeSelectorTerms: s.array(
            s.object({ 'preference!': nodeSelectorTerm('Preferred node term.'), 'weight!': s.int32({ description: '1-100.' }) }),
            { listType: 'atomic', description: 'Preferred node affinity terms added to the pods.' },
          ),
          requiredNodeSelectorTerm: nodeSelectorTerm('Required node term, AND-ed into every required term of the pod.'),
          tolerations: s.array(toleration, { listType: 'atomic', description: 'Tolerations added to the pods.' }),
        },
        { description: 'One domain of the spread.' },
      ),
      { description: 'Subsets in priority order.' },
    ),
    targetFilter: s.object(
      {
        replicasPathList: s.array(s.string(), { description: 'Dot paths whose integer values sum to the replicas of the filtered pods.' }),
        selector: s.labelSelector({ description: 'Only pods matching this selector are managed.' }),
      },
      { description: 'Manage part of the workload pods.' },
    ),
    'targetRef!': s.object(
      { 'apiVersion!': s.string(), 'kind!': s.string(), 'name!': s.string() },
      { description: 'The workload whose pods are spread.' },
    ),
  },
  { description: 'Desired state of a WorkloadSpread.' },
);

export const workloadSpreadStatusSchema: JSONSchema = s.object(
  {
    observedGeneration: s.int64(),
    subsetStatuses: s.array(subsetStatus, { description: 'Per subset, over all pod versions.' }),
    versionedSubsetStatuses: { additionalProperties: s.array(subsetStatus), description: 'Per pod version (pod-template-hash or versionIgnored), per subset.', type: 'object' },
  },
  { description: 'Observed state of a WorkloadSpread.' },
);

export const workloadSpreadPrinterColumns: PrinterColumn[] = [
  { name: 'WorkloadName', type: 'string', jsonPath: '.spec.targetRef.name' },
  { name: 'WorkloadKind', type: 'string', jsonPath: '.spec.targetRef.kind' },
  { name: 'Adaptive', type: 'boolean', jsonPath: '.spec.scheduleStrategy.type[?(@ == "Adaptive")]', description: 'True when scheduleStrategy.type is Adaptive.' },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
];
