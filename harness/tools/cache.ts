import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ToolGroup } from './catalog.ts';

/** The repository root, found from this file so the CLI works from any working directory. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** One cache directory outside the repo for everything heavy: built tools, cluster state. */
export function cacheRoot(): string {
  const explicit = process.env.KRUISE_CONFORMANCE_CACHE;
  if (explicit) return resolve(explicit);
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg ? resolve(xdg) : join(homedir(), '.cache'), 'kruise-conformance');
}

export function wrapperModuleDir(group: ToolGroup): string {
  return join(REPO_ROOT, 'harness', 'tools', 'go', group.wrapperOf ?? group.id);
}

/**
 * The stamp names a build: the wrapper module's go.mod and go.sum (every pinned version and
 * checksum) plus the build flags. Any change to them builds into a new directory, so a stale
 * binary is never reused and a warm cache is found by a path check alone.
 */
export function groupStamp(group: ToolGroup): string {
  const dir = wrapperModuleDir(group);
  const hash = createHash('sha256');
  for (const file of ['go.mod', 'go.sum']) hash.update(readFileSync(join(dir, file)));
  hash.update(group.ldflags.join(' '));
  hash.update(`${process.platform}/${process.arch}`);
  return hash.digest('hex').slice(0, 12);
}

export function groupCacheDir(group: ToolGroup): string {
  return join(cacheRoot(), 'tools', `${group.id}-${group.version}-${groupStamp(group)}`);
}

/** A group is complete when its marker exists; the marker is written after every binary is in place. */
export function isGroupComplete(group: ToolGroup): boolean {
  return existsSync(join(groupCacheDir(group), '.complete'));
}
