/**
 * An implementation descriptor says what is being certified and how to install it: a process run
 * out of cluster (the reference implementation, OpenKruise's manager built from its Go module), a
 * Helm chart, or plain manifests; the feature gates it runs with; the features it claims.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { isFeatureId } from '../features.ts';
import { PreDeleteCheck } from '../hook-check/spec.ts';
import { REPO_ROOT } from '../tools/cache.ts';
import { OPENKRUISE_VERSION } from '../tools/catalog.ts';

const ProcessInstall = z.object({
  type: z.literal('process'),
  /** CRD manifests applied before the process starts (repo-relative or absolute). */
  crds: z.array(z.string()).default([]),
  /** argv; placeholders: {kubeconfig} {featureGates} {port:<name>} {workdir}. */
  command: z.array(z.string()).min(1),
  env: z.record(z.string(), z.string()).default({}),
  /** URL that answers 2xx once the implementation is ready (placeholders as above). */
  ready: z.string(),
  /**
   * Its Prometheus /metrics URL (placeholders as above): read at the end of the run for the admission
   * latency (controller-runtime's controller_runtime_webhook_latency_seconds) in the report.
   */
  metrics: z.string().optional(),
  /** Log lines that mean the implementation crashed or leaked a rejection: the run fails on them. */
  forbiddenLog: z.array(z.string()).default(['"level":"fatal"', 'UnhandledPromiseRejection', 'panic:']),
});

const HelmInstall = z.object({
  type: z.literal('helm'),
  chart: z.string(),
  release: z.string().default('kruise'),
  namespace: z.string().default('kruise-system'),
  values: z.record(z.string(), z.unknown()).default({}),
  /** Locally built images loaded into the cluster's nodes before install (kind). */
  images: z.array(z.string()).default([]),
});

const ManifestsInstall = z.object({
  type: z.literal('manifests'),
  files: z.array(z.string()).min(1),
  namespace: z.string().default('kruise-system'),
  images: z.array(z.string()).default([]),
});

/**
 * OpenKruise's own manager, built from its pinned Go module and run out of cluster, with its CRDs
 * and webhook configurations taken from that module (harness/install/openkruise.ts).
 */
const OpenKruiseInstall = z.object({
  type: z.literal('openkruise'),
  /**
   * The OpenKruise release to build and run: a tool group of harness/tools/catalog.ts must pin it
   * (`openkruise` for v1.8.3, `openkruise-1.9` for v1.9.1).
   */
  version: z.string().regex(/^v\d+\.\d+\.\d+$/, 'a release tag such as v1.8.3').default(OPENKRUISE_VERSION),
  /** Extra manager flags, after the ones the installer sets (addresses, kubeconfig, gates). */
  args: z.array(z.string()).default([]),
  /** Log lines that mean the manager crashed: the run fails on them. */
  forbiddenLog: z.array(z.string()).default(['panic:', 'fatal error:']),
});

/**
 * OpenKruise installed in the cluster: kruise-manager as a Deployment and kruise-daemon as a
 * DaemonSet, from images built here of the pinned release (harness/install/openkruise-in-cluster.ts).
 * Needs nodes that run containers (kind).
 */
const OpenKruiseInClusterInstall = z.object({
  type: z.literal('openkruise-in-cluster'),
  /** The release: tool groups must build its kruise-manager and kruise-daemon (v1.8.3, v1.9.1). */
  version: z.string().regex(/^v\d+\.\d+\.\d+$/, 'a release tag such as v1.8.3').default(OPENKRUISE_VERSION),
  /** Extra manager flags, after the ones the installer sets. */
  args: z.array(z.string()).default([]),
  /** Lines of the manager's or a daemon's log that mean it crashed: the run fails on them. */
  forbiddenLog: z.array(z.string()).default(['panic:', 'fatal error:']),
});

/** Nothing to install: the implementation is already in the cluster (an existing cluster). */
const PreinstalledInstall = z.object({ type: z.literal('preinstalled') });

const GroupVersionKind = z.object({
  /** API group; '' for the core group. */
  group: z.string(),
  version: z.string().min(1),
  kind: z.string().min(1),
});

/** A workload kind WorkloadSpread may target besides the built-in ones (spec §4.8). */
const CustomWorkload = GroupVersionKind.extend({
  /** Dot path of the workload's replica count, e.g. spec.tfReplicaSpecs.Master.replicas. */
  replicasPath: z.string().min(1).optional(),
  /** Kinds the workload creates in between that own its pods (they count as the workload). */
  subResources: z.array(GroupVersionKind).default([]),
});
export type CustomWorkloadSpec = z.infer<typeof CustomWorkload>;

/**
 * Cluster configuration an implementation reads at start-up, set before it starts by the same
 * harness step for every install type (harness/install/configuration.ts): OpenKruise keeps it in
 * ConfigMap kruise-system/kruise-configuration.
 */
const Configuration = z.object({
  /** The WorkloadSpread custom-workload whitelist (key WorkloadSpread_Watch_Custom_Workload_WhiteList). */
  workloadSpreadCustomWorkloads: z.array(CustomWorkload).default([]),
});
export type ConfigurationSpec = z.infer<typeof Configuration>;

export const DescriptorSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
    version: z.string(),
    url: z.string().optional(),
    contact: z.array(z.string()).default([]),
    description: z.string().optional(),
    install: z.discriminatedUnion('type', [ProcessInstall, HelmInstall, ManifestsInstall, OpenKruiseInstall, OpenKruiseInClusterInstall, PreinstalledInstall]),
    featureGates: z.record(z.string(), z.boolean()).default({}),
    configuration: Configuration.default({ workloadSpreadCustomWorkloads: [] }),
    preDeleteCheck: PreDeleteCheck.optional(),
    claims: z.union([z.literal('all'), z.array(z.string())]),
    /** Kubernetes minor versions the implementation supports, e.g. ["1.30", "1.34"]. */
    kubernetesVersions: z.array(z.string()).optional(),
  })
  .superRefine((d, ctx) => {
    if (d.claims !== 'all') {
      d.claims.forEach((id, i) => {
        if (!isFeatureId(id)) ctx.addIssue({ code: 'custom', path: ['claims', i], message: `unknown feature "${id}" (see harness/features.ts)` });
      });
    }
  });
export type Descriptor = z.infer<typeof DescriptorSchema>;
export type ProcessInstallSpec = z.infer<typeof ProcessInstall>;
export type HelmInstallSpec = z.infer<typeof HelmInstall>;
export type ManifestsInstallSpec = z.infer<typeof ManifestsInstall>;
export type OpenKruiseInstallSpec = z.infer<typeof OpenKruiseInstall>;
export type OpenKruiseInClusterInstallSpec = z.infer<typeof OpenKruiseInClusterInstall>;

/** `reference`, `openkruise`, `openkruise-1.9` (impls/<name>.yaml) or a path to a descriptor file. */
export function resolveDescriptorPath(impl: string): string {
  if (impl.endsWith('.yaml') || impl.endsWith('.yml') || impl.includes('/')) return isAbsolute(impl) ? impl : join(process.cwd(), impl);
  return join(REPO_ROOT, 'impls', `${impl}.yaml`);
}

/** The names `--impl` resolves by itself: the descriptors in impls/. */
export function knownImpls(): string[] {
  const dir = join(REPO_ROOT, 'impls');
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -'.yaml'.length)).sort() : [];
}

export function loadDescriptor(impl: string): Descriptor {
  const path = resolveDescriptorPath(impl);
  if (!existsSync(path)) throw new Error(`implementation "${impl}": no descriptor at ${path} (known: ${knownImpls().join(', ')}, or a path to a descriptor file)`);
  const parsed = DescriptorSchema.safeParse(parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    throw new Error(`${path}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

export function repoPath(p: string): string {
  return isAbsolute(p) ? p : join(REPO_ROOT, p);
}
