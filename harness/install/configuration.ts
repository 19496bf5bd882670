/**
 * What the harness puts into the cluster before any implementation starts, the same way for every
 * install type:
 * - the CRDs the suites bring for their own test workloads (`suites/<NN-area>/crds/*.yaml`, e.g.
 *   the TFJob-like kind of the WorkloadSpread suite), so an implementation that discovers the
 *   whitelisted kinds at start-up finds them served;
 * - the descriptor's `configuration`, rendered as OpenKruise keeps it: ConfigMap
 *   `kruise-configuration` in namespace `kruise-system`, key
 *   `WorkloadSpread_Watch_Custom_Workload_WhiteList`, JSON `{"workloads":[{"Group", "Version",
 *   "Kind", "ReplicasPath", "subResources"}]}` (OpenKruise pkg/util/configuration; its pod webhook
 *   reads the whitelist once per process, so it has to be there first).
 * Applied server-side under the harness's own field manager, so a ConfigMap that already exists
 * keeps its other keys.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import type { ConfigurationSpec, CustomWorkloadSpec, Descriptor } from '../run/descriptor.ts';
import { REPO_ROOT } from '../tools/cache.ts';
import { kubectl } from './kubectl.ts';

/** Where OpenKruise's manager looks for its configuration (POD_NAMESPACE, default kruise-system). */
export const CONFIGURATION_NAMESPACE = 'kruise-system';
export const CONFIGURATION_CONFIGMAP = 'kruise-configuration';
export const WORKLOADSPREAD_WHITELIST_KEY = 'WorkloadSpread_Watch_Custom_Workload_WhiteList';
const FIELD_MANAGER = 'kruise-conformance';

type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; [k: string]: unknown }; [k: string]: unknown };

/** The whitelist JSON, field names as OpenKruise's own configuration and e2e spell them. */
export function workloadSpreadWhiteList(workloads: readonly CustomWorkloadSpec[]): string {
  const gvk = (w: { group: string; version: string; kind: string }) => ({ Group: w.group, Version: w.version, Kind: w.kind });
  return JSON.stringify({
    workloads: workloads.map((w) => ({
      ...gvk(w),
      ...(w.replicasPath ? { ReplicasPath: w.replicasPath } : {}),
      ...(w.subResources.length > 0 ? { subResources: w.subResources.map(gvk) } : {}),
    })),
  });
}

/** The Namespace and ConfigMap for a descriptor's configuration; none when it configures nothing. */
export function configurationManifests(config: ConfigurationSpec): Manifest[] {
  const data: Record<string, string> = {};
  if (config.workloadSpreadCustomWorkloads.length > 0) data[WORKLOADSPREAD_WHITELIST_KEY] = workloadSpreadWhiteList(config.workloadSpreadCustomWorkloads);
  if (Object.keys(data).length === 0) return [];
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: CONFIGURATION_NAMESPACE } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: CONFIGURATION_CONFIGMAP, namespace: CONFIGURATION_NAMESPACE }, data },
  ];
}

/** Every suite-provided CRD file, in suite order: suites/<NN-area>/crds/*.yaml. */
export function suiteCrdFiles(suitesDir = join(REPO_ROOT, 'suites')): string[] {
  if (!existsSync(suitesDir)) return [];
  return readdirSync(suitesDir)
    .filter((d) => /^\d\d-/.test(d))
    .sort()
    .flatMap((d) => {
      const dir = join(suitesDir, d, 'crds');
      return existsSync(dir) ? readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(dir, f)) : [];
    });
}

/** Names of the CustomResourceDefinitions in the given files. */
export function crdNames(files: readonly string[]): string[] {
  return files.flatMap((f) =>
    parseAllDocuments(readFileSync(f, 'utf8'))
      .map((d) => d.toJS() as Manifest | null)
      .filter((o): o is Manifest => o?.kind === 'CustomResourceDefinition')
      .map((o) => o.metadata.name),
  );
}

export interface ClusterConfiguration {
  /** Suite CRDs this step created (they did not exist before), removed again by `remove`. */
  readonly createdCrds: readonly string[];
  remove(): Promise<void>;
}

/**
 * Apply the suites' CRDs (waiting until they are Established) and the descriptor's configuration.
 * The generated manifest is kept in the report directory beside the implementation's log.
 */
export async function applyClusterConfiguration(opts: {
  kubeconfig: string;
  descriptor: Descriptor;
  workdir: string;
  log: (line: string) => void;
  signal?: AbortSignal;
  crdFiles?: string[];
}): Promise<ClusterConfiguration> {
  const { kubeconfig, signal } = opts;
  const crdFiles = opts.crdFiles ?? suiteCrdFiles();
  const names = crdNames(crdFiles);
  const existing = new Set(
    names.length === 0
      ? []
      : (await kubectl(kubeconfig, ['get', 'crd', '--ignore-not-found', '-o', 'name', ...names], { signal })).split('\n').filter(Boolean).map((n) => n.replace(/^[^/]+\//, '')),
  );
  const createdCrds = names.filter((n) => !existing.has(n));
  const manifests = configurationManifests(opts.descriptor.configuration);
  const generated = join(opts.workdir, 'cluster-configuration.yaml');
  writeFileSync(generated, manifests.map((m) => stringify(m, { lineWidth: 0 })).join('---\n'));
  const files = [...crdFiles, ...(manifests.length > 0 ? [generated] : [])];
  if (files.length > 0) {
    opts.log(`cluster configuration: ${[...names.map((n) => `crd/${n}`), ...manifests.filter((m) => m.kind === 'ConfigMap').map((m) => `configmap ${m.metadata.namespace}/${m.metadata.name}`)].join(', ')}`);
    await kubectl(kubeconfig, ['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '--force-conflicts', ...files.flatMap((f) => ['-f', f])], { signal });
    if (names.length > 0) await kubectl(kubeconfig, ['wait', '--for=condition=Established', '--timeout=60s', ...names.map((n) => `crd/${n}`)], { signal });
  }
  return {
    createdCrds,
    async remove() {
      if (createdCrds.length === 0) return;
      await kubectl(kubeconfig, ['delete', '--ignore-not-found', '--wait=false', ...createdCrds.map((n) => `crd/${n}`)]).catch(() => undefined);
    },
  };
}
