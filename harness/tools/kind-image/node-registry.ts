/**
 * kc-node-registry (clusters/kind/node-registry), built on first use and cached by a stamp of its
 * sources: the kind provider copies it into every node of a cluster made from the node image
 * built here, so that pulls of images the node holds succeed without a registry.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { REPO_ROOT, cacheRoot } from '../cache.ts';

export const NODE_REGISTRY_DIR = join(REPO_ROOT, 'clusters', 'kind', 'node-registry');

export function nodeRegistryStamp(): string {
  const h = createHash('sha256');
  for (const f of readdirSync(NODE_REGISTRY_DIR).filter((f) => /\.(go|mod)$/.test(f) && !f.endsWith('_test.go')).sort()) h.update(f).update(readFileSync(join(NODE_REGISTRY_DIR, f)));
  h.update(process.arch);
  return h.digest('hex').slice(0, 12);
}

/** Path of the built binary, building it when absent. */
export async function nodeRegistryBinary(signal?: AbortSignal): Promise<string> {
  const dir = join(cacheRoot(), 'tools', `kind-node-registry-${nodeRegistryStamp()}`);
  const bin = join(dir, 'kc-node-registry');
  if (existsSync(bin)) return bin;
  const work = `${dir}.partial-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  try {
    await execa('go', ['build', '-trimpath', '-ldflags', '-s -w', '-o', join(work, 'kc-node-registry'), '.'], { cwd: NODE_REGISTRY_DIR, env: { CGO_ENABLED: '0', GOFLAGS: '-mod=readonly' }, cancelSignal: signal });
    rmSync(dir, { recursive: true, force: true });
    renameSync(work, dir);
  } catch (err) {
    rmSync(work, { recursive: true, force: true });
    throw err;
  }
  return bin;
}
