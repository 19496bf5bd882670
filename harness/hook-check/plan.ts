/**
 * The pure half of Helm.PreDeleteCheck's mechanics: the command's placeholders, the kubeconfig
 * that carries the hook ServiceAccount's token, the apiserver endpoint an in-cluster program is
 * pointed at, and the `unshare --mount` invocation that shows such a program its ServiceAccount
 * files without touching the host. The I/O half is identity.ts (ServiceAccount, RBAC, token) and
 * run.ts (running the program).
 */

/** Where rest.InClusterConfig() (and every Kubernetes client's in-cluster mode) reads its credentials. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** Exit code of the in-cluster wrapper script when it could not set up the mounts (never the program's). */
export const SETUP_FAILED_EXIT = 97;
export const SETUP_FAILED_PREFIX = 'kruise-conformance pre-delete check setup:';

const TOOL = /\{tool:([a-z0-9.-]+)\}/g;

/** The tool groups a command names with {tool:<group>}, each once, in order. */
export function toolGroupsOf(command: readonly string[]): string[] {
  const out: string[] = [];
  for (const arg of command) for (const m of arg.matchAll(TOOL)) if (!out.includes(m[1]!)) out.push(m[1]!);
  return out;
}

/** Replace {tool:<group>} by the paths given; a group without a path is an error naming it. */
export function fillTools(command: readonly string[], paths: Readonly<Record<string, string>>): string[] {
  return command.map((arg) =>
    arg.replace(TOOL, (_, id: string) => {
      const path = paths[id];
      if (!path) throw new Error(`preDeleteCheck.command names {tool:${id}}, which was not resolved`);
      return path;
    }),
  );
}

export function fillKubeconfig(command: readonly string[], kubeconfig: string): string[] {
  return command.map((arg) => arg.replaceAll('{kubeconfig}', kubeconfig));
}

/** What a kubeconfig's current cluster says about reaching and trusting the apiserver. */
export interface ClusterAccess {
  server: string;
  /** PEM of the CA that signed the apiserver's serving certificate. */
  caPem?: string;
  skipTLSVerify?: boolean;
}

/** A kubeconfig (JSON is YAML) that authenticates with the ServiceAccount's token only. */
export function tokenKubeconfig(access: ClusterAccess, token: string, namespace: string): string {
  const cluster: Record<string, unknown> = { server: access.server };
  if (access.caPem) cluster['certificate-authority-data'] = Buffer.from(access.caPem).toString('base64');
  else if (access.skipTLSVerify) cluster['insecure-skip-tls-verify'] = true;
  return `${JSON.stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'cluster-under-test', cluster }],
      users: [{ name: 'pre-delete-hook', user: { token } }],
      contexts: [{ name: 'pre-delete-hook', context: { cluster: 'cluster-under-test', user: 'pre-delete-hook', namespace } }],
      'current-context': 'pre-delete-hook',
    },
    null,
    2,
  )}\n`;
}

/**
 * KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT for the apiserver at `server`: a pod is
 * given the Service's address, here the one the harness reaches. An IPv6 host loses its brackets
 * (InClusterConfig adds them back).
 */
export function serviceEnv(server: string): { KUBERNETES_SERVICE_HOST: string; KUBERNETES_SERVICE_PORT: string } {
  const url = new URL(server);
  if (url.protocol !== 'https:') throw new Error(`an in-cluster program speaks https to the apiserver, but the kubeconfig's server is ${server}`);
  if (url.pathname !== '/' && url.pathname !== '') throw new Error(`the apiserver ${server} is behind a path prefix, which the in-cluster config cannot express`);
  return { KUBERNETES_SERVICE_HOST: url.hostname.replace(/^\[(.*)\]$/, '$1'), KUBERNETES_SERVICE_PORT: url.port || '443' };
}

/**
 * The shell script run inside the private mount namespace: it makes SERVICE_ACCOUNT_DIR exist
 * (a tmpfs over its deepest existing ancestor, visible only in this namespace, when the host has
 * no such directory), bind-mounts the prepared directory ($1) on it, and execs the program.
 */
export const IN_CLUSTER_SCRIPT = [
  'set -u',
  `fail() { echo "${SETUP_FAILED_PREFIX} $*" >&2; exit ${SETUP_FAILED_EXIT}; }`,
  'src=$1; shift',
  `target=${SERVICE_ACCOUNT_DIR}`,
  'd=$target',
  'while [ ! -d "$d" ]; do d=$(dirname "$d"); done',
  'case "$d" in /|/var) fail "no directory to mount a tmpfs on for $target (deepest existing: $d)";; esac',
  'if [ "$d" != "$target" ]; then',
  '  mount -t tmpfs -o mode=0755,size=1m kc-pre-delete-check "$d" || fail "mount -t tmpfs on $d failed"',
  '  mkdir -p "$target" || fail "mkdir -p $target failed"',
  'fi',
  'mount --bind "$src" "$target" || fail "mount --bind $src $target failed"',
  'exec "$@"',
].join('\n');

/**
 * argv of an in-cluster run: `unshare --mount --propagation private` (so no mount reaches the
 * host), then the script above with the prepared directory and the program's argv.
 */
export function inClusterArgv(unshare: string, secretsDir: string, argv: readonly string[]): string[] {
  return [unshare, '--mount', '--propagation', 'private', '--', '/bin/sh', '-c', IN_CLUSTER_SCRIPT, 'kc-pre-delete-check', secretsDir, ...argv];
}

/** An argv as a shell would take it, for messages. */
export function shellQuote(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./{}-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`)).join(' ');
}

/** One run of the check program, as a failure message shows it. */
export interface CheckRun {
  /** The program's argv (without the unshare wrapper), and how it was run. */
  command: readonly string[];
  mode: 'kubeconfig' | 'in-cluster';
  exitCode: number | undefined;
  /** stdout and stderr, interleaved. */
  output: string;
  timedOut: boolean;
  ms: number;
}

export function describeCheckRun(r: CheckRun): string {
  const code = r.timedOut ? `none: killed after the timeout (${(r.ms / 1000).toFixed(1)} s)` : String(r.exitCode);
  const output = r.output.trim() ? r.output.trimEnd().split('\n').map((l) => `  | ${l}`).join('\n') : '  (no output)';
  return `command (${r.mode}): ${shellQuote(r.command)}\nexit code: ${code}\noutput:\n${output}`;
}
