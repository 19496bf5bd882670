// The Mutating/ValidatingWebhookConfigurations of the reference implementation: names, paths and
// rules as OpenKruise registers them for CloneSet, Advanced StatefulSet, pods, SidecarSet,
// PodProbeMarker and deletion
// protection (DELETE of namespaces, CRDs, apps/v1 workloads, Services and Ingresses).
import type {
  AdmissionregistrationV1WebhookClientConfig,
  V1MutatingWebhook,
  V1MutatingWebhookConfiguration,
  V1ValidatingWebhook,
  V1ValidatingWebhookConfiguration,
} from '@kubernetes/client-node';
import { MUTATING_WEBHOOK_CONFIGURATION, VALIDATING_WEBHOOK_CONFIGURATION } from '../api/constants.ts';
import { GROUP } from '../api/group.ts';

export const PATHS = {
  mutateCloneSet: '/mutate-apps-kruise-io-v1alpha1-cloneset',
  validateCloneSet: '/validate-apps-kruise-io-v1alpha1-cloneset',
  mutateStatefulSet: '/mutate-apps-kruise-io-statefulset',
  validateStatefulSet: '/validate-apps-kruise-io-statefulset',
  mutatePod: '/mutate-pod',
  validateWorkloadSpread: '/validate-apps-kruise-io-v1alpha1-workloadspread',
  validatePod: '/validate-pod',
  validateDeployment: '/validate-apps-deployment',
  validateReplicaSet: '/validate-apps-replicaset',
  validateAppsStatefulSet: '/validate-apps-statefulset',
  validateNamespace: '/validate-namespace',
  validateCrd: '/validate-customresourcedefinition',
  validateService: '/validate-service',
  validateIngress: '/validate-ingress',
  mutateSidecarSet: '/mutate-apps-kruise-io-v1alpha1-sidecarset',
  validateSidecarSet: '/validate-apps-kruise-io-v1alpha1-sidecarset',
  validatePodProbeMarker: '/validate-apps-kruise-io-podprobemarker',
} as const;

export const WEBHOOK_NAMES = {
  mutateCloneSet: 'mcloneset.kb.io',
  validateCloneSet: 'vcloneset.kb.io',
  mutateStatefulSet: 'mstatefulset.kb.io',
  validateStatefulSet: 'vstatefulset.kb.io',
  mutatePod: 'mpod.kb.io',
  validateWorkloadSpread: 'vworkloadspread.kb.io',
  validatePod: 'vpod.kb.io',
  validateDeployment: 'vbuiltindeployment.kb.io',
  validateReplicaSet: 'vbuiltinreplicaset.kb.io',
  validateAppsStatefulSet: 'vbuiltinstatefulset.kb.io',
  validateNamespace: 'vnamespace.kb.io',
  validateCrd: 'vcustomresourcedefinition.kb.io',
  validateService: 'vservice.kb.io',
  validateIngress: 'vingress.kb.io',
  mutateSidecarSet: 'msidecarset.kb.io',
  validateSidecarSet: 'vsidecarset.kb.io',
  validatePodProbeMarker: 'vpodprobemarker.kb.io',
} as const;

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'kruise-ref';

export type ClientConfigFor = (path: string) => AdmissionregistrationV1WebhookClientConfig;

export interface ConfigurationOptions {
  clientConfig: ClientConfigFor;
  /** failurePolicy of the pod webhook; CRD webhooks are always Fail. Default Fail, as OpenKruise. */
  podFailurePolicy?: 'Fail' | 'Ignore';
  timeoutSeconds?: number;
}

const crdRule = (resource: string, versions: string[], operations = ['CREATE', 'UPDATE'], scope: 'Namespaced' | 'Cluster' = 'Namespaced') => ({
  apiGroups: [GROUP],
  apiVersions: versions,
  operations,
  resources: [resource],
  scope,
});

/** Deletion protection only sees objects that carry the label (any value: the handler decides). */
export const DELETION_PROTECTION_OBJECT_SELECTOR = { matchExpressions: [{ key: 'policy.kruise.io/delete-protection', operator: 'Exists' }] };

/** One DELETE-only webhook per protected kind, as OpenKruise registers them. */
const DELETION_PROTECTED: readonly { key: keyof typeof PATHS & keyof typeof WEBHOOK_NAMES; group: string; resource: string; scope: 'Namespaced' | 'Cluster' }[] = [
  { key: 'validateDeployment', group: 'apps', resource: 'deployments', scope: 'Namespaced' },
  { key: 'validateReplicaSet', group: 'apps', resource: 'replicasets', scope: 'Namespaced' },
  { key: 'validateAppsStatefulSet', group: 'apps', resource: 'statefulsets', scope: 'Namespaced' },
  { key: 'validateNamespace', group: '', resource: 'namespaces', scope: 'Cluster' },
  { key: 'validateCrd', group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions', scope: 'Cluster' },
  { key: 'validateService', group: '', resource: 'services', scope: 'Namespaced' },
  { key: 'validateIngress', group: 'networking.k8s.io', resource: 'ingresses', scope: 'Namespaced' },
];

/** Pods in kube-system and in namespaces labelled control-plane=openkruise never reach the pod webhook. */
export const POD_NAMESPACE_SELECTOR = {
  matchExpressions: [
    { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system'] },
    { key: 'control-plane', operator: 'NotIn', values: ['openkruise'] },
  ],
};

export function mutatingConfiguration(o: ConfigurationOptions): V1MutatingWebhookConfiguration {
  const common = { admissionReviewVersions: ['v1'], sideEffects: 'None', timeoutSeconds: o.timeoutSeconds ?? 10, matchPolicy: 'Equivalent', reinvocationPolicy: 'Never' };
  const webhooks: V1MutatingWebhook[] = [
    { ...common, name: WEBHOOK_NAMES.mutateCloneSet, clientConfig: o.clientConfig(PATHS.mutateCloneSet), failurePolicy: 'Fail', rules: [crdRule('clonesets', ['v1alpha1'])] },
    {
      ...common,
      name: WEBHOOK_NAMES.mutateStatefulSet,
      clientConfig: o.clientConfig(PATHS.mutateStatefulSet),
      failurePolicy: 'Fail',
      rules: [crdRule('statefulsets', ['v1alpha1', 'v1beta1'])],
    },
    { ...common, name: WEBHOOK_NAMES.mutateSidecarSet, clientConfig: o.clientConfig(PATHS.mutateSidecarSet), failurePolicy: 'Fail', rules: [crdRule('sidecarsets', ['v1alpha1'], undefined, 'Cluster')] },
    {
      ...common,
      name: WEBHOOK_NAMES.mutatePod,
      clientConfig: o.clientConfig(PATHS.mutatePod),
      failurePolicy: o.podFailurePolicy ?? 'Fail',
      namespaceSelector: POD_NAMESPACE_SELECTOR,
      rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'], scope: 'Namespaced' }],
    },
  ];
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: MUTATING_WEBHOOK_CONFIGURATION, labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE } },
    webhooks,
  };
}

export function validatingConfiguration(o: ConfigurationOptions): V1ValidatingWebhookConfiguration {
  const common = { admissionReviewVersions: ['v1'], sideEffects: 'None', timeoutSeconds: o.timeoutSeconds ?? 10, matchPolicy: 'Equivalent', failurePolicy: 'Fail' };
  const webhooks: V1ValidatingWebhook[] = [
    // DELETE too: deletion protection of CloneSets and Advanced StatefulSets.
    { ...common, name: WEBHOOK_NAMES.validateCloneSet, clientConfig: o.clientConfig(PATHS.validateCloneSet), rules: [crdRule('clonesets', ['v1alpha1'], ['CREATE', 'UPDATE', 'DELETE'])] },
    {
      ...common,
      name: WEBHOOK_NAMES.validateStatefulSet,
      clientConfig: o.clientConfig(PATHS.validateStatefulSet),
      rules: [crdRule('statefulsets', ['v1alpha1', 'v1beta1'], ['CREATE', 'UPDATE', 'DELETE'])],
    },
    { ...common, name: WEBHOOK_NAMES.validateWorkloadSpread, clientConfig: o.clientConfig(PATHS.validateWorkloadSpread), rules: [crdRule('workloadspreads', ['v1alpha1'])] },
    {
      ...common,
      name: WEBHOOK_NAMES.validatePod,
      clientConfig: o.clientConfig(PATHS.validatePod),
      failurePolicy: o.podFailurePolicy ?? 'Fail',
      namespaceSelector: POD_NAMESPACE_SELECTOR,
      rules: [
        { apiGroups: [''], apiVersions: ['v1'], operations: ['DELETE'], resources: ['pods'], scope: 'Namespaced' },
        { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods/eviction'], scope: 'Namespaced' },
      ],
    },
    ...DELETION_PROTECTED.map(
      (w): V1ValidatingWebhook => ({
        ...common,
        name: WEBHOOK_NAMES[w.key],
        clientConfig: o.clientConfig(PATHS[w.key]),
        objectSelector: DELETION_PROTECTION_OBJECT_SELECTOR,
        rules: [{ apiGroups: [w.group], apiVersions: ['v1'], operations: ['DELETE'], resources: [w.resource], scope: w.scope }],
      }),
    ),
    { ...common, name: WEBHOOK_NAMES.validateSidecarSet, clientConfig: o.clientConfig(PATHS.validateSidecarSet), rules: [crdRule('sidecarsets', ['v1alpha1'], undefined, 'Cluster')] },
    { ...common, name: WEBHOOK_NAMES.validatePodProbeMarker, clientConfig: o.clientConfig(PATHS.validatePodProbeMarker), rules: [crdRule('podprobemarkers', ['v1alpha1'])] },
  ];
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: VALIDATING_WEBHOOK_CONFIGURATION, labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE } },
    webhooks,
  };
}
