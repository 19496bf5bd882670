// A machine-wide lock around `kwokctl create cluster` (see LocalProvider.startControlPlane):
// proper-lockfile's directory lock under the cache root, refreshed while held and taken over when
// its holder died (stale after 30 s without a refresh).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { cacheRoot } from '../../tools/cache.ts';

const STALE_MS = 30_000;
const POLL_MS = 500;

export function createLockPath(root = cacheRoot()): string {
  return join(root, 'clusters', 'local', '.create');
}

/**
 * Waits for the lock (saying once that it waits, and for whom nothing: the holder is another
 * `cluster up`), gives up when `signal` aborts or after `timeoutMs`, and returns its release.
 */
export async function acquireCreateLock(signal: AbortSignal | undefined, log: (m: string) => void, opts: { path?: string; timeoutMs?: number } = {}): Promise<() => Promise<void>> {
  const path = opts.path ?? createLockPath();
  mkdirSync(join(path, '..'), { recursive: true });
  const deadline = Date.now() + (opts.timeoutMs ?? 5 * 60_000);
  let told = false;
  for (;;) {
    try {
      const release = await lockfile.lock(path, { realpath: false, stale: STALE_MS, update: STALE_MS / 3 });
      return async () => {
        await release().catch(() => undefined);
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw err;
    }
    if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('interrupted while waiting for another cluster create');
    if (Date.now() > deadline) throw new Error(`another local cluster has been starting for more than ${Math.round((opts.timeoutMs ?? 300_000) / 1000)} s (lock ${path}.lock); if no \`cluster up\` is running, remove that directory`);
    if (!told) {
      log('another local cluster is being created on this machine: waiting for it to bind its ports');
      told = true;
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
