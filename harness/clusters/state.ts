import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot } from '../tools/cache.ts';
import type { ProviderName } from './provider.ts';

/** What the harness remembers about a cluster it brought up (or borrowed), between commands. */
export interface ClusterState {
  provider: ProviderName;
  name: string;
  kubeconfig: string;
  server: string;
  kubernetesVersion: string;
  createdAt: string;
  /** Extra data a provider keeps (ports, context, process ids, namespaces it made). */
  extra: Record<string, unknown>;
}

export function clusterDir(provider: ProviderName, name: string): string {
  return join(cacheRoot(), 'clusters', provider, name);
}

const stateFile = (provider: ProviderName, name: string) => join(clusterDir(provider, name), 'state.json');

export function readState(provider: ProviderName, name: string): ClusterState | undefined {
  const file = stateFile(provider, name);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as ClusterState;
}

export function writeState(state: ClusterState): void {
  mkdirSync(clusterDir(state.provider, state.name), { recursive: true });
  writeFileSync(stateFile(state.provider, state.name), JSON.stringify(state, null, 2));
}

export function removeClusterDir(provider: ProviderName, name: string): void {
  rmSync(clusterDir(provider, name), { recursive: true, force: true });
}

/** Cluster names end up in paths, process names and kind container names. */
export function validateClusterName(name: string): string {
  if (!/^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/.test(name)) {
    throw new Error(`invalid cluster name "${name}": use lower-case letters, digits and '-', at most 40 characters`);
  }
  return name;
}
