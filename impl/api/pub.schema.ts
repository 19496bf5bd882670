// CRD schemas of the shared types in pub.ts.
import { type JSONSchema, schema as s } from './schema.ts';

const lifecycleHook = (description: string): JSONSchema =>
  s.object(
    {
      finalizersHandler: s.array(s.string()),
      labelsHandler: s.stringMap(),
      markPodNotReady: s.boolean({ description: 'Mark the pod not ready (KruisePodReady condition) while the hook holds it. Effective for preDelete and inPlaceUpdate.' }),
    },
    { description },
  );

export const lifecycleSchema: JSONSchema = s.object(
  {
    inPlaceUpdate: lifecycleHook('Hook applied before a pod is updated in place.'),
    preDelete: lifecycleHook('Hook applied before a pod is deleted.'),
    preNormal: lifecycleHook('Hook a new pod must satisfy before it becomes Normal (available).'),
  },
  { description: 'Lifecycle hooks for pre-normal, pre-delete and in-place update.' },
);

export const updatePriorityStrategySchema: JSONSchema = s.object(
  {
    orderPriority: s.array(s.object({ 'orderedKey!': s.string({ description: 'Label key; pods are ordered by its value.' }) }), {
      description: 'Priority by the values of these label keys, in order.',
    }),
    weightPriority: s.array(
      s.object({
        'matchSelector!': s.labelSelector(),
        'weight!': s.int32({ description: 'Weight added for pods matching the selector (0-100).' }),
      }),
      { description: 'Priority as the summed weight of the terms a pod matches.' },
    ),
  },
  { description: 'Order in which pods are updated. Only one of weightPriority and orderPriority may be set.' },
);

export const inPlaceUpdateStrategySchema: JSONSchema = s.object(
  {
    gracePeriodSeconds: s.int32({ description: 'Seconds between marking a pod not ready and updating its containers in place.' }),
  },
  { description: 'Parameters of in-place updates.' },
);
