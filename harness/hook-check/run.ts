/**
 * Runs an implementation's pre-delete hook program (descriptor `preDeleteCheck`) out of cluster,
 * as its chart's Job would run it: with the hook ServiceAccount's token and nothing more, given as
 * a kubeconfig or, for a program that reads only the in-cluster config, as the files a pod sees
 * at /var/run/secrets/kubernetes.io/serviceaccount inside a private mount namespace.
 */
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { execa } from 'execa';
import { REPO_ROOT } from '../tools/cache.ts';
import { clusterAccess, createHookIdentity, type HookIdentity } from './identity.ts';
import {
  type CheckRun,
  describeCheckRun,
  fillKubeconfig,
  inClusterArgv,
  SERVICE_ACCOUNT_DIR,
  serviceEnv,
  SETUP_FAILED_EXIT,
  SETUP_FAILED_PREFIX,
  tokenKubeconfig,
} from './plan.ts';
import type { ResolvedPreDeleteCheckSpec } from './spec.ts';

export interface PreparedCheck {
  identity: HookIdentity;
  /** Runs the program once; its exit code and output are the verdict. */
  run(): Promise<CheckRun>;
  /** Removes the identity and the credential files. */
  dispose(): Promise<void>;
}

function findOnPath(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * An in-cluster program needs `unshare --mount` as root (a private mount namespace for the
 * ServiceAccount files). Throws, naming what is missing, before anything is created.
 */
export function assertInClusterRunnable(uid: number | undefined = process.getuid?.(), path = process.env.PATH): string {
  const why = 'the pre-delete hook program reads only the in-cluster config, so the harness runs it under `unshare --mount` with the ServiceAccount files bind-mounted at ' + SERVICE_ACCOUNT_DIR;
  if (uid !== 0) throw new Error(`${why}; that needs root, and this process runs as uid ${uid ?? 'unknown'}: run the conformance run as root, or leave Helm.PreDeleteCheck unclaimed`);
  const unshare = findOnPath('unshare', path);
  if (!unshare) throw new Error(`${why}; unshare (util-linux) is not on PATH: install util-linux`);
  return unshare;
}

export async function preparePreDeleteCheck(kc: KubeConfig, spec: ResolvedPreDeleteCheckSpec, opts: { namespace: string; runId: string }): Promise<PreparedCheck> {
  if (spec.unavailable) throw new Error(`the implementation's pre-delete check program is unavailable: ${spec.unavailable}`);
  const unshare = spec.inCluster ? assertInClusterRunnable() : undefined;
  const access = clusterAccess(kc);
  if (spec.inCluster && !access.caPem) {
    throw new Error(`an in-cluster program checks the apiserver's certificate against ca.crt, but the kubeconfig of the cluster under test has no CA (server ${access.server})`);
  }
  const env = spec.inCluster ? serviceEnv(access.server) : undefined;
  const identity = await createHookIdentity(kc, { namespace: opts.namespace, runId: opts.runId, rules: spec.rules });
  const dir = mkdtempSync(join(tmpdir(), 'kc-pre-delete-check-'));
  let argv: string[];
  try {
    if (spec.inCluster) {
      const secrets = join(dir, 'serviceaccount');
      mkdirSync(secrets, { mode: 0o755 });
      writeFileSync(join(secrets, 'token'), identity.token, { mode: 0o600 });
      writeFileSync(join(secrets, 'ca.crt'), access.caPem!, { mode: 0o644 });
      writeFileSync(join(secrets, 'namespace'), identity.namespace, { mode: 0o644 });
      argv = inClusterArgv(unshare!, secrets, spec.command);
    } else {
      const kubeconfig = join(dir, 'kubeconfig');
      writeFileSync(kubeconfig, tokenKubeconfig(access, identity.token, identity.namespace), { mode: 0o600 });
      argv = fillKubeconfig(spec.command, kubeconfig);
    }
  } catch (err) {
    await identity.dispose().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const shown = spec.inCluster ? spec.command : argv;
  const mode = spec.inCluster ? 'in-cluster' : 'kubeconfig';

  return {
    identity,
    async run() {
      const { KUBECONFIG: _ignored, ...inherited } = process.env;
      const started = performance.now();
      const r = await execa(argv[0]!, argv.slice(1), {
        reject: false,
        all: true,
        stdin: 'ignore',
        cwd: REPO_ROOT,
        timeout: spec.timeoutSeconds * 1000,
        extendEnv: false,
        env: { ...inherited, PATH: `${join(REPO_ROOT, 'node_modules', '.bin')}${delimiter}${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`, ...spec.env, ...env },
      });
      const run: CheckRun = { command: shown, mode, exitCode: r.exitCode, output: r.all ?? '', timedOut: r.timedOut, ms: performance.now() - started };
      if (spec.inCluster && r.exitCode === SETUP_FAILED_EXIT && run.output.includes(SETUP_FAILED_PREFIX)) {
        throw new Error(`the private mount namespace for the in-cluster program could not be set up (the program did not run):\n${describeCheckRun(run)}`);
      }
      return run;
    },
    async dispose() {
      rmSync(dir, { recursive: true, force: true });
      await identity.dispose();
    },
  };
}
