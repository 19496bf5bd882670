/**
 * The Helm release of a Helm-installed implementation, as Helm.PreDeleteHook drives it: the
 * release from the run environment (a loud error when the install is not a Helm one), `helm
 * uninstall` / `status` / `get manifest` through the pinned helm binary, what the manifest
 * holds, and which hook Job a refused uninstall names.
 */
import { execa } from 'execa';
import { parseAllDocuments } from 'yaml';
import type { RunEnv } from '../run/run-env.ts';
import { toolPath } from '../tools/resolve.ts';

/** One object of the release's manifest. */
export interface ReleaseObject {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** The objects of `helm get manifest` (multi-document YAML; hooks are not in it). */
export function parseManifest(text: string): ReleaseObject[] {
  const out: ReleaseObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    const o = doc.toJS() as { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string } } | null;
    if (!o?.kind || !o.metadata?.name || !o.apiVersion) continue;
    out.push({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}) });
  }
  return out;
}

/**
 * The hook Job a refused `helm uninstall` names. Helm reports a failed hook Job as
 * "job <name> failed: <reason>" (pkg/kube waitForJob), not wrapped with the hook's phase.
 */
export function failedHookJob(helmOutput: string): { job: string; reason: string } | undefined {
  const m = /\bjob ([a-z0-9][a-z0-9.-]*) failed: (\w+)/.exec(helmOutput);
  return m ? { job: m[1]!, reason: m[2]! } : undefined;
}

export interface HelmResult {
  argv: string[];
  exitCode: number | undefined;
  /** stdout and stderr, interleaved. */
  output: string;
  stdout: string;
}

export function describeHelm(r: HelmResult): string {
  return `helm ${r.argv.join(' ')}\nexit code: ${r.exitCode}\noutput:\n${r.output.trim().split('\n').map((l) => `  | ${l}`).join('\n') || '  (no output)'}`;
}

export interface HelmRelease {
  release: string;
  namespace: string;
  uninstall(timeoutMs: number): Promise<HelmResult>;
  status(): Promise<HelmResult & { status?: string }>;
  manifest(): Promise<ReleaseObject[]>;
}

/** The run's Helm release; throws, saying why, when the implementation was not installed by Helm. */
export function helmReleaseOf(env: Pick<RunEnv, 'kubeconfig' | 'implementation'>, helm: () => string = () => toolPath('helm')): HelmRelease {
  const install = env.implementation.install;
  if (install?.type !== 'helm' || !install.release || !install.namespace) {
    throw new Error(
      `${env.implementation.name} is installed as "${install?.type ?? 'unknown'}", not from a Helm chart: Helm.PreDeleteHook uninstalls the implementation's Helm release, so it needs a descriptor with install.type helm (e.g. impls/reference-helm.yaml on kind), or leave the feature unclaimed`,
    );
  }
  const { release, namespace } = install;
  const run = async (args: string[], timeoutMs = 120_000): Promise<HelmResult> => {
    const argv = [...args, '--namespace', namespace, `--kubeconfig=${env.kubeconfig}`];
    const r = await execa(helm(), argv, { reject: false, all: true, stdin: 'ignore', timeout: timeoutMs });
    return { argv, exitCode: r.exitCode, output: r.all ?? '', stdout: r.stdout };
  };
  return {
    release,
    namespace,
    uninstall: (timeoutMs) => run(['uninstall', release, '--wait', '--timeout', `${Math.round(timeoutMs / 1000)}s`], timeoutMs + 60_000),
    async status() {
      const r = await run(['status', release, '-o', 'json']);
      if (r.exitCode !== 0) return r;
      const parsed = JSON.parse(r.stdout) as { info?: { status?: string } };
      return { ...r, status: parsed.info?.status };
    },
    async manifest() {
      const r = await run(['get', 'manifest', release]);
      if (r.exitCode !== 0) throw new Error(`reading the release's manifest failed:\n${describeHelm(r)}`);
      return parseManifest(r.stdout);
    },
  };
}
