import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml, stringify } from 'yaml';
import { ProviderError } from '../provider.ts';

interface NamedEntry {
  name: string;
  [key: string]: unknown;
}
/** A kubeconfig as YAML gives it: only the parts read here are typed; the rest is kept as is. */
export interface RawKubeconfig {
  clusters?: (NamedEntry & { cluster?: Record<string, unknown> })[];
  users?: (NamedEntry & { user?: Record<string, unknown> })[];
  contexts?: (NamedEntry & { context?: { cluster?: string; user?: string; namespace?: string } })[];
  'current-context'?: string;
  [key: string]: unknown;
}

/** Flags of the existing provider, as the user gave them. */
export interface ExistingFlags {
  kubeconfig?: string;
  context?: string;
  allowExisting?: boolean;
}

/**
 * The refusals that come before the harness touches a cluster it did not create: an explicit
 * kubeconfig file (never $KUBECONFIG or ~/.kube/config), and an explicit opt-in.
 */
export function checkExistingFlags(flags: ExistingFlags): string {
  if (!flags.kubeconfig) {
    const hint = process.env.KUBECONFIG ? ' ($KUBECONFIG is set, but the harness never uses it implicitly)' : '';
    throw new ProviderError(
      `the existing provider needs --kubeconfig <file>${hint}`,
      'pass the kubeconfig of the cluster to test explicitly, e.g. --kubeconfig ~/.kube/test-cluster.yaml --context <name> --allow-existing-cluster',
    );
  }
  if (!flags.allowExisting) {
    throw new ProviderError(
      'refusing to run against a cluster the harness did not create without --allow-existing-cluster',
      'add --allow-existing-cluster to confirm: the suites create namespaces, CRDs and workloads there, and `down` deletes the namespaces labelled app.kubernetes.io/managed-by=kruise-conformance',
    );
  }
  const path = resolve(flags.kubeconfig);
  if (!existsSync(path)) throw new ProviderError(`--kubeconfig ${flags.kubeconfig}: no such file`, 'pass the path of an existing kubeconfig file');
  return path;
}

function readKubeconfig(path: string): RawKubeconfig {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ProviderError(`${path} is not valid YAML: ${(err as Error).message.split('\n')[0]}`, 'pass a kubeconfig file');
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new ProviderError(`${path} is not a kubeconfig (not a YAML mapping)`, 'pass a kubeconfig file');
  return doc as RawKubeconfig;
}

/**
 * The context to use: the one named, else the file's only context. The file's current-context is
 * deliberately not a fallback, so the cluster under test is never chosen by accident.
 */
export function chooseContext(raw: RawKubeconfig, path: string, context?: string): string {
  const names = (raw.contexts ?? []).map((c) => c.name).filter(Boolean);
  if (context) {
    if (!names.includes(context)) throw new ProviderError(`context "${context}" is not in ${path} (contexts: ${names.join(', ') || 'none'})`, `pass --context ${names.join('|') || '<name>'}`);
    return context;
  }
  if (names.length === 1) return names[0]!;
  if (names.length === 0) throw new ProviderError(`${path} has no contexts`, 'pass a kubeconfig file with a context for the cluster to test');
  throw new ProviderError(`${path} has ${names.length} contexts (${names.join(', ')}), so the one to test must be named`, `pass --context ${names.join('|')}`);
}

/** Fields that name files, which the Kubernetes clients read relative to the kubeconfig's folder. */
const CLUSTER_FILES = ['certificate-authority'];
const USER_FILES = ['client-certificate', 'client-key', 'tokenFile'];

function absolutize(obj: Record<string, unknown> | undefined, keys: string[], base: string): Record<string, unknown> | undefined {
  if (!obj) return obj;
  const out = { ...obj };
  for (const key of keys) {
    const value = out[key];
    if (typeof value === 'string' && value !== '' && !isAbsolute(value)) out[key] = resolve(base, value);
  }
  const exec = out.exec as Record<string, unknown> | undefined;
  // An exec plugin given as a relative path (with a separator) is also relative to the file.
  if (exec && typeof exec.command === 'string' && exec.command.includes('/') && !isAbsolute(exec.command)) out.exec = { ...exec, command: resolve(base, exec.command) };
  return out;
}

/**
 * A kubeconfig with only the chosen context, its cluster and its user, and that context current.
 * Relative file references are made absolute so the copy works from any folder. Pure apart from
 * reading the source file.
 */
export function singleContextKubeconfig(path: string, context?: string): { name: string; text: string } {
  const raw = readKubeconfig(path);
  const name = chooseContext(raw, path, context);
  const ctx = raw.contexts!.find((c) => c.name === name)!;
  const clusterName = ctx.context?.cluster;
  const userName = ctx.context?.user;
  const cluster = raw.clusters?.find((c) => c.name === clusterName);
  if (!cluster) throw new ProviderError(`context "${name}" in ${path} names cluster "${clusterName ?? ''}", which the file does not define`, 'fix the kubeconfig file');
  const user = userName ? raw.users?.find((u) => u.name === userName) : undefined;
  if (userName && !user) throw new ProviderError(`context "${name}" in ${path} names user "${userName}", which the file does not define`, 'fix the kubeconfig file');
  const base = dirname(path);
  const out = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ ...cluster, cluster: absolutize(cluster.cluster, CLUSTER_FILES, base) }],
    users: user ? [{ ...user, user: absolutize(user.user, USER_FILES, base) }] : [],
    contexts: [ctx],
    'current-context': name,
  };
  return { name, text: `# Copied by kruise-conformance from ${path}, context ${name}: the only context, so nothing can drift to another cluster.\n${stringify(out)}` };
}
