import { type KubeConfig, Watch } from '@kubernetes/client-node';
import { rawGet } from './client.ts';

/** The fields every Kubernetes object has that the waits rely on. */
export interface KubeObject {
  metadata?: { name?: string; namespace?: string; uid?: string; resourceVersion?: string };
}

export interface Collection {
  /** API path of the collection, e.g. /api/v1/namespaces/ns/pods or /api/v1/nodes. */
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface WaitOptions<T> {
  timeoutMs: number;
  /** What is being waited for, in words: it heads the error when the wait times out. */
  describe: string;
  /** Renders the last observed state for the error; defaults to a trimmed JSON dump. */
  render?: (items: T[]) => string;
  signal?: AbortSignal;
}

export class WaitTimeoutError extends Error {
  constructor(
    readonly describe: string,
    readonly timeoutMs: number,
    readonly lastObserved: string,
  ) {
    super(`timed out after ${(timeoutMs / 1000).toFixed(1)} s waiting for ${describe}\nlast observed:\n${lastObserved}`);
    this.name = 'WaitTimeoutError';
  }
}

function query(c: Collection): string {
  const q = new URLSearchParams();
  if (c.labelSelector) q.set('labelSelector', c.labelSelector);
  if (c.fieldSelector) q.set('fieldSelector', c.fieldSelector);
  const s = q.toString();
  return s ? `?${s}` : '';
}

export function defaultRender(items: readonly unknown[]): string {
  const text = JSON.stringify(items, null, 2);
  return text.length > 6000 ? `${text.slice(0, 6000)}\n... (${text.length - 6000} more characters)` : text;
}

/**
 * Wait until `predicate` holds for the objects of a collection. Lists once, then follows a
 * watch from that resourceVersion, re-evaluating on every event; no polling and no sleeps.
 * A watch that ends early (server timeout) is re-established from a fresh list.
 */
export async function waitForCollection<T extends KubeObject>(
  kc: KubeConfig,
  collection: Collection,
  predicate: (items: T[]) => boolean,
  opts: WaitOptions<T>,
): Promise<T[]> {
  const objects = new Map<string, T>();
  const snapshot = () => [...objects.values()];
  const deadline = performance.now() + opts.timeoutMs;
  let watchAbort: AbortController | undefined;

  return new Promise<T[]>((resolve, reject) => {
    let settled = false;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      watchAbort?.abort();
      if (err) reject(err);
      else resolve(snapshot());
    };
    const check = () => {
      try {
        if (predicate(snapshot())) finish();
      } catch (err) {
        finish(err as Error);
      }
    };
    const onAbort = () => finish(new Error(`aborted while waiting for ${opts.describe}`));
    const timer = setTimeout(
      () => finish(new WaitTimeoutError(opts.describe, opts.timeoutMs, (opts.render ?? defaultRender)(snapshot()))),
      opts.timeoutMs,
    );
    opts.signal?.addEventListener('abort', onAbort);

    const listAndWatch = async (): Promise<void> => {
      const list = JSON.parse(await rawGet(kc, collection.path + query(collection))) as { items: T[]; metadata: { resourceVersion: string } };
      objects.clear();
      for (const item of list.items) objects.set(item.metadata?.uid ?? item.metadata?.name ?? '', item);
      check();
      if (settled) return;
      const params: Record<string, string | boolean> = { resourceVersion: list.metadata.resourceVersion, allowWatchBookmarks: true };
      if (collection.labelSelector) params.labelSelector = collection.labelSelector;
      if (collection.fieldSelector) params.fieldSelector = collection.fieldSelector;
      watchAbort = await new Watch(kc).watch(
        collection.path,
        params,
        (phase: string, obj: T) => {
          if (phase === 'BOOKMARK') return;
          const key = obj.metadata?.uid ?? obj.metadata?.name ?? '';
          if (phase === 'DELETED') objects.delete(key);
          else objects.set(key, obj);
          check();
        },
        (err: unknown) => {
          if (settled) return;
          // A watch closes normally after the server's timeout, or on a 410 Gone; start over.
          if (performance.now() < deadline) {
            listAndWatch().catch((e: unknown) => finish(e as Error));
          } else if (err) {
            finish(err as Error);
          }
        },
      );
    };
    listAndWatch().catch((e: unknown) => finish(e as Error));
  });
}

/**
 * Wait until a single named object of a collection satisfies `predicate`; `undefined` means the
 * object does not exist (so deletion can be waited for too).
 */
export async function waitForObject<T extends KubeObject>(
  kc: KubeConfig,
  collectionPath: string,
  name: string,
  predicate: (obj: T | undefined) => boolean,
  opts: WaitOptions<T>,
): Promise<T | undefined> {
  const items = await waitForCollection<T>(kc, { path: collectionPath, fieldSelector: `metadata.name=${name}` }, (objs) => predicate(objs[0]), opts);
  return items[0];
}
