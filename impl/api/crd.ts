// Assembles the CustomResourceDefinitions of CloneSet and the Advanced StatefulSet from the
// schemas in *.schema.ts.
import { cloneSetPrinterColumns, cloneSetSpecSchema, cloneSetStatusSchema } from './cloneset.schema.ts';
import { ADVANCED_STATEFULSET, CLONESET, CLONESET_VERSION, GROUP, NODEPODPROBE, PODPROBEMARKER, PODPROBEMARKER_VERSION, type ResourceNames, SIDECARSET, SIDECARSET_SERVED_VERSIONS, SIDECARSET_VERSION, STATEFULSET_SERVED_VERSIONS, STATEFULSET_VERSION, WORKLOADSPREAD, WORKLOADSPREAD_VERSION } from './group.ts';
import { nodePodProbeSpecSchema, nodePodProbeStatusSchema, podProbeMarkerSpecSchema, podProbeMarkerStatusSchema } from './podprobemarker.schema.ts';
import { sidecarSetPrinterColumns, sidecarSetSpecSchema, sidecarSetStatusSchema, sidecarSetV1beta1SpecSchema } from './sidecarset.schema.ts';
import { type JSONSchema, schema as s } from './schema.ts';
import { statefulSetPrinterColumns, statefulSetSpecSchema, statefulSetStatusSchema } from './statefulset.schema.ts';
import { workloadSpreadPrinterColumns, workloadSpreadSpecSchema, workloadSpreadStatusSchema } from './workloadspread.schema.ts';

export interface PrinterColumn {
  name: string;
  type: 'integer' | 'string' | 'date' | 'number' | 'boolean';
  jsonPath: string;
  description?: string;
  priority?: number;
}

export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string; annotations?: Record<string, string> };
  spec: {
    group: string;
    names: { kind: string; listKind: string; plural: string; singular: string; shortNames: string[] };
    scope: 'Namespaced' | 'Cluster';
    versions: CRDVersion[];
    /** The manager switches a CRD with conversion webhooks to strategy Webhook at start (impl/webhooks/conversion.ts). */
    conversion?: { strategy: 'None' };
  };
}

export interface CRDVersion {
  name: string;
  served: boolean;
  storage: boolean;
  additionalPrinterColumns: PrinterColumn[];
  schema: { openAPIV3Schema: JSONSchema };
  subresources: {
    status: Record<string, never>;
    scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath: string };
  };
}

const SCALE = { labelSelectorPath: '.status.labelSelector', specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' };

function rootSchema(kindDescription: string, spec: JSONSchema, status: JSONSchema): JSONSchema {
  return s.object(
    {
      apiVersion: s.string({ description: 'Versioned schema of this representation of an object.' }),
      kind: s.string({ description: 'REST resource this object represents.' }),
      metadata: { type: 'object' },
      spec,
      status,
    },
    { description: kindDescription },
  );
}

function crd(names: ResourceNames, versions: CRDVersion[], scope: 'Namespaced' | 'Cluster' = 'Namespaced'): CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${names.plural}.${GROUP}`, annotations: { 'kruise-conformance.io/generated-by': 'impl/api/generate-crds.ts' } },
    spec: {
      group: GROUP,
      names: { kind: names.kind, listKind: names.listKind, plural: names.plural, singular: names.singular, shortNames: [...names.shortNames] },
      scope,
      versions,
    },
  };
}

export function cloneSetCRD(): CustomResourceDefinition {
  return crd(CLONESET, [
    {
      name: CLONESET_VERSION,
      served: true,
      storage: true,
      additionalPrinterColumns: cloneSetPrinterColumns,
      schema: { openAPIV3Schema: rootSchema('CloneSet manages a set of identical pods, with in-place update, partition and surge.', cloneSetSpecSchema, cloneSetStatusSchema) },
      subresources: { status: {}, scale: SCALE },
    },
  ]);
}

/**
 * Both versions share the v1beta1 schema, so no conversion webhook is needed (strategy None): the
 * v1alpha1 fields are a subset with the same names and meaning. OpenKruise converts through a
 * webhook; reading a v1beta1-only field through v1alpha1 therefore shows it here, not there.
 */
export function statefulSetCRD(): CustomResourceDefinition {
  const schema = rootSchema('Advanced StatefulSet: a StatefulSet with in-place update, reserved ordinals, unordered update and PVC resize.', statefulSetSpecSchema, statefulSetStatusSchema);
  const def = crd(
    ADVANCED_STATEFULSET,
    STATEFULSET_SERVED_VERSIONS.map((name) => ({
      name,
      served: true,
      storage: name === STATEFULSET_VERSION,
      additionalPrinterColumns: statefulSetPrinterColumns,
      schema: { openAPIV3Schema: schema },
      subresources: { status: {}, scale: SCALE },
    })),
  );
  def.spec.conversion = { strategy: 'None' };
  // apiserver lists versions in the order given; keep v1alpha1 first like OpenKruise's CRD.
  def.spec.versions.sort((a, b) => a.name.localeCompare(b.name));
  return def;
}

/** WorkloadSpread: v1alpha1 only, a status subresource and no scale subresource. */
export function workloadSpreadCRD(): CustomResourceDefinition {
  return crd(WORKLOADSPREAD, [
    {
      name: WORKLOADSPREAD_VERSION,
      served: true,
      storage: true,
      additionalPrinterColumns: workloadSpreadPrinterColumns,
      schema: { openAPIV3Schema: rootSchema('WorkloadSpread spreads the pods of a workload over subsets of nodes, with a bound per subset.', workloadSpreadSpecSchema, workloadSpreadStatusSchema) },
      subresources: { status: {} },
    },
  ]);
}

/**
 * Cluster-scoped, no scale subresource. v1alpha1 (OpenKruise 1.8, the storage version here) and
 * v1beta1 (served since OpenKruise 1.9, which stores it). The schemas differ (v1beta1 has no
 * namespace and has customVersion), so the two convert through the manager's webhook: the file
 * says None and the manager switches it to Webhook when it starts (impl/webhooks/conversion.ts).
 */
export function sidecarSetCRD(): CustomResourceDefinition {
  const description = 'SidecarSet injects sidecar containers into the pods it selects and upgrades them in place.';
  const specs: Record<string, JSONSchema> = { v1alpha1: sidecarSetSpecSchema, v1beta1: sidecarSetV1beta1SpecSchema };
  const def = crd(
    SIDECARSET,
    SIDECARSET_SERVED_VERSIONS.map((name) => ({
      name,
      served: true,
      storage: name === SIDECARSET_VERSION,
      additionalPrinterColumns: sidecarSetPrinterColumns,
      schema: { openAPIV3Schema: rootSchema(description, specs[name]!, sidecarSetStatusSchema) },
      subresources: { status: {} },
    })),
    'Cluster',
  );
  def.spec.conversion = { strategy: 'None' };
  return def;
}

/** PodProbeMarker: namespaced, v1alpha1 only, a status subresource, no printer columns. */
export function podProbeMarkerCRD(): CustomResourceDefinition {
  return crd(PODPROBEMARKER, [
    {
      name: PODPROBEMARKER_VERSION,
      served: true,
      storage: true,
      additionalPrinterColumns: [],
      schema: { openAPIV3Schema: rootSchema('PodProbeMarker runs probes in the pods it selects and marks them with conditions, labels and annotations.', podProbeMarkerSpecSchema, podProbeMarkerStatusSchema) },
      subresources: { status: {} },
    },
  ]);
}

/** NodePodProbe: cluster-scoped, one per node, v1alpha1 only; spec by the manager, status by the node agent. */
export function nodePodProbeCRD(): CustomResourceDefinition {
  return crd(
    NODEPODPROBE,
    [
      {
        name: PODPROBEMARKER_VERSION,
        served: true,
        storage: true,
        additionalPrinterColumns: [],
        schema: { openAPIV3Schema: rootSchema('NodePodProbe lists the probes of the pods of one node (spec) and their results (status).', nodePodProbeSpecSchema, nodePodProbeStatusSchema) },
        subresources: { status: {} },
      },
    ],
    'Cluster',
  );
}

/** File name (under impl/crds/) → CRD, in file-name order (the chart renders files/crds/ sorted). */
export function allCRDs(): Record<string, CustomResourceDefinition> {
  return {
    [`${GROUP}_${CLONESET.plural}.yaml`]: cloneSetCRD(),
    [`${GROUP}_${NODEPODPROBE.plural}.yaml`]: nodePodProbeCRD(),
    [`${GROUP}_${PODPROBEMARKER.plural}.yaml`]: podProbeMarkerCRD(),
    [`${GROUP}_${SIDECARSET.plural}.yaml`]: sidecarSetCRD(),
    [`${GROUP}_${ADVANCED_STATEFULSET.plural}.yaml`]: statefulSetCRD(),
    [`${GROUP}_${WORKLOADSPREAD.plural}.yaml`]: workloadSpreadCRD(),
  };
}
