// State shared by the pod webhook and the controller in one process (OpenKruise's GlobalKeyedMutex
// and GlobalCache): a per-WorkloadSpread lock around every status write, and the last object
// this process wrote, so the next writer starts from whichever of it and the informer's copy has
// the higher resourceVersion.
import type { WorkloadSpread } from '../../api/workloadspread.ts';

export class WorkloadSpreadStore {
  private readonly _locks = new Map<string, Promise<void>>();
  private readonly _written = new Map<string, WorkloadSpread>();

  /** Runs fn while holding the lock of key (waiters run in arrival order). */
  async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this._locks.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const chained = prev.then(() => mine);
    this._locks.set(key, chained);
    await prev;
    try {
      return await fn();
    } finally {
      release();
      if (this._locks.get(key) === chained) this._locks.delete(key);
    }
  }

  remember(ws: WorkloadSpread): void {
    this._written.set(`${ws.metadata.namespace}/${ws.metadata.name}`, ws);
  }

  forget(namespace: string, name: string): void {
    this._written.delete(`${namespace}/${name}`);
  }

  /** The fresher of the cached object and the last one written here (by numeric resourceVersion). */
  freshest(cached: WorkloadSpread | undefined, namespace: string, name: string): WorkloadSpread | undefined {
    const mine = this._written.get(`${namespace}/${name}`);
    if (!cached) return undefined;
    if (!mine || mine.metadata.uid !== cached.metadata.uid) return cached;
    return Number(mine.metadata.resourceVersion ?? 0) > Number(cached.metadata.resourceVersion ?? 0) ? mine : cached;
  }
}

/** The process-wide store shared by the webhook server and the controller. */
export const sharedStore = new WorkloadSpreadStore();

let processWhitelist: import('./whitelist.ts').Whitelist = { workloads: [] };
/** The whitelist read at startup (kruise-ref manager sets it before starting webhooks and controllers). */
export function setProcessWhitelist(w: import('./whitelist.ts').Whitelist): void {
  processWhitelist = w;
}
export function processWhitelistValue(): import('./whitelist.ts').Whitelist {
  return processWhitelist;
}
