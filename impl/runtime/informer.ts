// Shared informer cache: list, then watch from the list's resourceVersion with bookmarks; resume
// from the last seen version when a watch ends; relist on 410 Gone (emitting deletes for objects
// that vanished meanwhile); back off on errors. One cache per API path is shared by every
// controller through the Manager.
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { compileLabelSelector, type LabelMatcher, type LabelSelector } from '../controllers/shared/label-selector.ts';
import { getJson, KubeHttpError, streamLines } from './kube-http.ts';
import type { Logger } from './logger.ts';

export type InformerEventType = 'add' | 'update' | 'delete';

export type InformerEvent<T> =
  | { type: 'add'; object: T }
  | { type: 'update'; object: T; old: T }
  | { type: 'delete'; object: T };

/** EventHandler receives cache changes after the store is updated. */
export interface EventHandler<T> {
  add?(obj: T): void;
  update?(oldObj: T, newObj: T): void;
  delete?(obj: T): void;
}

/** A label selector as the API spells it (V1LabelSelector fits), a compiled matcher, or exact labels. */
export type SelectorLike =
  | { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> }
  | LabelMatcher;

/**
 * InformerCache is the read side of a shared informer: a keyed store plus event fan-out.
 * Cached objects are the apiserver's JSON as parsed (timestamps are strings, not Date) and are
 * shared by every reader: never mutate them; copy before changing and writing back.
 */
export interface InformerCache<T extends KubernetesObject = KubernetesObject> {
  readonly apiPath: string;
  /** get returns the cached object (namespace undefined or '' for cluster-scoped objects). */
  get(namespace: string | undefined, name: string): T | undefined;
  /** getByKey takes "ns/name" or "name". */
  getByKey(key: string): T | undefined;
  /** list returns cached objects, optionally in one namespace and matching a label selector. */
  list(namespace?: string, selector?: SelectorLike): T[];
  /** on subscribes to events; existing objects are replayed as adds. Returns an unsubscribe function. */
  on(handler: EventHandler<T> | ((ev: InformerEvent<T>) => void)): () => void;
  /** addIndex registers a secondary index; byIndex returns the objects whose index values include value. */
  addIndex(name: string, fn: (obj: T) => string[]): void;
  byIndex(name: string, value: string): T[];
  hasSynced(): boolean;
  /** waitForSync resolves after the first complete list has been stored. */
  waitForSync(signal?: AbortSignal): Promise<void>;
  /** The resourceVersion of the last list or event applied. */
  readonly resourceVersion: string | undefined;
}

/** objectKey is "namespace/name", or "name" for cluster-scoped objects (client-go's MetaNamespaceKeyFunc). */
export function objectKey(obj: KubernetesObject): string {
  const ns = obj.metadata?.namespace;
  const name = obj.metadata?.name ?? '';
  return ns ? `${ns}/${name}` : name;
}

/**
 * controllerOwnerUid is an index function: the UID of the object's controller owner reference.
 * Use it as `inf.addIndex('owner', controllerOwnerUid)` then `inf.byIndex('owner', set.metadata.uid)`.
 */
export function controllerOwnerUid(obj: KubernetesObject): string[] {
  const ref = obj.metadata?.ownerReferences?.find((r) => r.controller);
  return ref ? [ref.uid] : [];
}

/** splitKey is the inverse of objectKey. */
export function splitKey(key: string): { namespace: string | undefined; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: undefined, name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

/** compileSelector turns a SelectorLike into a matcher; an invalid selector throws. */
export function compileSelector(selector: SelectorLike): LabelMatcher {
  if (typeof selector === 'function') return selector;
  const m = compileLabelSelector(selector as LabelSelector);
  if (!m) throw new Error(`invalid label selector ${JSON.stringify(selector)}`);
  return m;
}

interface ListResponse<T> {
  metadata?: { resourceVersion?: string; continue?: string };
  items?: T[];
}

interface WatchLine<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T & { code?: number; message?: string; reason?: string };
}

export interface InformerOptions {
  /** Server-side label selector (string form) to narrow what the cache holds. */
  labelSelector?: string;
  /** Server-side field selector. */
  fieldSelector?: string;
  /** Page size for the initial list. */
  pageSize?: number;
  /** Delay seam for backoff in tests. */
  delay?: (ms: number, signal: AbortSignal) => Promise<void>;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** SharedInformer owns the list/watch loop and the store behind an InformerCache. */
export class SharedInformer<T extends KubernetesObject = KubernetesObject> implements InformerCache<T> {
  private readonly _store = new Map<string, T>();
  private readonly _handlers = new Set<(ev: InformerEvent<T>) => void>();
  private readonly _indexers = new Map<string, (obj: T) => string[]>();
  private readonly _indices = new Map<string, Map<string, Set<string>>>();
  private _synced = false;
  private readonly _syncWaiters: Array<() => void> = [];
  private _rv: string | undefined;
  private _abort: AbortController | undefined;
  private _loop: Promise<void> | undefined;
  private readonly _delay: (ms: number, signal: AbortSignal) => Promise<void>;

  constructor(
    private readonly _kc: KubeConfig,
    readonly apiPath: string,
    private readonly _log: Logger,
    private readonly _opts: InformerOptions = {},
  ) {
    this._delay = _opts.delay ?? sleep;
  }

  get resourceVersion(): string | undefined {
    return this._rv;
  }

  // ---- read side ----

  get(namespace: string | undefined, name: string): T | undefined {
    return this._store.get(namespace ? `${namespace}/${name}` : name);
  }

  getByKey(key: string): T | undefined {
    return this._store.get(key);
  }

  list(namespace?: string, selector?: SelectorLike): T[] {
    const match = selector ? compileSelector(selector) : undefined;
    const out: T[] = [];
    for (const obj of this._store.values()) {
      if (namespace && obj.metadata?.namespace !== namespace) continue;
      if (match && !match(obj.metadata?.labels ?? {})) continue;
      out.push(obj);
    }
    return out;
  }

  on(handler: EventHandler<T> | ((ev: InformerEvent<T>) => void)): () => void {
    const fn: (ev: InformerEvent<T>) => void =
      typeof handler === 'function'
        ? handler
        : (ev) => {
            if (ev.type === 'add') handler.add?.(ev.object);
            else if (ev.type === 'update') handler.update?.(ev.old, ev.object);
            else handler.delete?.(ev.object);
          };
    this._handlers.add(fn);
    // A late subscriber sees the current contents, as with client-go's AddEventHandler.
    for (const obj of this._store.values()) this._call(fn, { type: 'add', object: obj });
    return () => this._handlers.delete(fn);
  }

  addIndex(name: string, fn: (obj: T) => string[]): void {
    if (this._indexers.has(name)) return;
    this._indexers.set(name, fn);
    const index = new Map<string, Set<string>>();
    this._indices.set(name, index);
    for (const [key, obj] of this._store) for (const v of fn(obj)) addTo(index, v, key);
  }

  byIndex(name: string, value: string): T[] {
    const index = this._indices.get(name);
    if (!index) throw new Error(`informer ${this.apiPath}: no index named ${name}`);
    const out: T[] = [];
    for (const key of index.get(value) ?? []) {
      const obj = this._store.get(key);
      if (obj) out.push(obj);
    }
    return out;
  }

  hasSynced(): boolean {
    return this._synced;
  }

  waitForSync(signal?: AbortSignal): Promise<void> {
    if (this._synced) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(new Error(`informer ${this.apiPath}: aborted before cache sync`));
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this._syncWaiters.push(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }

  // ---- lifecycle ----

  /** start begins the list/watch loop; it runs until stop(). */
  start(): void {
    if (this._loop) return;
    this._abort = new AbortController();
    this._loop = this._run(this._abort.signal);
  }

  async stop(): Promise<void> {
    this._abort?.abort();
    await this._loop;
    this._loop = undefined;
  }

  private async _run(signal: AbortSignal): Promise<void> {
    let backoffMs = 0;
    let needList = true;
    let notServedLogged = false;
    while (!signal.aborted) {
      try {
        if (needList) {
          await this._list(signal);
          needList = false;
        }
        backoffMs = 0;
        await this._watch(signal);
        // A clean end (server timeout) resumes from the last version without relisting.
      } catch (err) {
        if (signal.aborted) break;
        if (err instanceof KubeHttpError && err.statusCode === 410) {
          this._log.info('watch expired (410 Gone), relisting', { apiPath: this.apiPath, resourceVersion: this._rv });
          needList = true;
          continue;
        }
        backoffMs = Math.min(Math.max(backoffMs * 2, 500), 30_000);
        if (err instanceof KubeHttpError && err.statusCode === 404 && !notServedLogged) {
          // Usually a CRD that is not installed; the cache stays unsynced, so readiness fails.
          notServedLogged = true;
          this._log.error('resource not served by the apiserver (is its CRD installed?); retrying', { apiPath: this.apiPath, err });
        } else {
          this._log.warn('list/watch failed, retrying', { apiPath: this.apiPath, err, retryInMs: backoffMs });
        }
        await this._delay(backoffMs, signal);
      }
    }
  }

  private async _list(signal: AbortSignal): Promise<void> {
    const items: T[] = [];
    let cont: string | undefined;
    let rv: string | undefined;
    do {
      const page = await getJson<ListResponse<T>>(
        this._kc,
        this.apiPath,
        {
          limit: this._opts.pageSize ?? 500,
          continue: cont,
          labelSelector: this._opts.labelSelector,
          fieldSelector: this._opts.fieldSelector,
        },
        signal,
      );
      items.push(...(page.items ?? []));
      cont = page.metadata?.continue || undefined;
      rv = page.metadata?.resourceVersion;
    } while (cont);
    this._replace(items, rv);
  }

  /** _replace swaps the store for a fresh list and emits the difference as events. */
  protected _replace(items: T[], rv: string | undefined): void {
    const kind = kindFromList(this.apiPath);
    const seen = new Set<string>();
    for (const raw of items) {
      const obj = withTypeMeta(raw, kind);
      const key = objectKey(obj);
      seen.add(key);
      this._upsert(key, obj);
    }
    for (const [key, obj] of [...this._store]) {
      if (!seen.has(key)) this._remove(key, obj);
    }
    this._rv = rv;
    if (!this._synced) {
      this._synced = true;
      this._log.debug('cache synced', { apiPath: this.apiPath, objects: this._store.size, resourceVersion: rv });
      for (const w of this._syncWaiters.splice(0)) w();
    }
  }

  private async _watch(signal: AbortSignal): Promise<void> {
    const kind = kindFromList(this.apiPath);
    // Server-side timeout jittered like client-go (5-10 min); the idle timeout catches dead
    // connections, and bookmarks keep a quiet watch's resourceVersion fresh.
    const timeoutSeconds = 300 + Math.floor(Math.random() * 300);
    let failure: KubeHttpError | undefined;
    await streamLines(
      this._kc,
      this.apiPath,
      {
        watch: 'true',
        resourceVersion: this._rv,
        allowWatchBookmarks: 'true',
        timeoutSeconds,
        labelSelector: this._opts.labelSelector,
        fieldSelector: this._opts.fieldSelector,
      },
      (line) => {
        if (failure) return;
        let ev: WatchLine<T>;
        try {
          ev = JSON.parse(line) as WatchLine<T>;
        } catch (err) {
          this._log.warn('unparsable watch line', { apiPath: this.apiPath, err, line: line.slice(0, 200) });
          return;
        }
        if (ev.type === 'ERROR') {
          const code = ev.object.code ?? 500;
          failure = new KubeHttpError(code, `watch error: ${ev.object.message ?? ev.object.reason ?? 'unknown'}`, ev.object);
          return;
        }
        const rv = ev.object.metadata?.resourceVersion;
        if (ev.type === 'BOOKMARK') {
          if (rv) this._rv = rv;
          return;
        }
        const obj = withTypeMeta(ev.object, kind);
        const key = objectKey(obj);
        if (ev.type === 'DELETED') {
          const old = this._store.get(key);
          this._remove(key, old ?? obj, obj);
        } else {
          this._upsert(key, obj);
        }
        if (rv) this._rv = rv;
      },
      { signal, idleTimeoutMs: (timeoutSeconds + 30) * 1000 },
    );
    if (failure) throw failure;
  }

  protected _upsert(key: string, obj: T): void {
    const old = this._store.get(key);
    if (old && old.metadata?.resourceVersion === obj.metadata?.resourceVersion) return;
    if (old) this._unindex(key, old);
    this._store.set(key, obj);
    this._index(key, obj);
    this._emit(old ? { type: 'update', object: obj, old } : { type: 'add', object: obj });
  }

  protected _remove(key: string, old: T, final?: T): void {
    if (!this._store.has(key)) return;
    this._unindex(key, old);
    this._store.delete(key);
    // Prefer the watch's final state (it carries the deletion timestamp) over the cached copy.
    this._emit({ type: 'delete', object: final ?? old });
  }

  private _index(key: string, obj: T): void {
    for (const [name, fn] of this._indexers) for (const v of fn(obj)) addTo(this._indices.get(name)!, v, key);
  }

  private _unindex(key: string, obj: T): void {
    for (const [name, fn] of this._indexers) {
      const index = this._indices.get(name)!;
      for (const v of fn(obj)) {
        const set = index.get(v);
        set?.delete(key);
        if (set?.size === 0) index.delete(v);
      }
    }
  }

  private _emit(ev: InformerEvent<T>): void {
    for (const fn of [...this._handlers]) this._call(fn, ev);
  }

  private _call(fn: (ev: InformerEvent<T>) => void, ev: InformerEvent<T>): void {
    try {
      fn(ev);
    } catch (err) {
      // One broken handler must not starve the others or kill the watch loop.
      this._log.error('event handler failed', { apiPath: this.apiPath, event: ev.type, key: objectKey(ev.object), err });
    }
  }
}

function addTo(index: Map<string, Set<string>>, value: string, key: string): void {
  let set = index.get(value);
  if (!set) index.set(value, (set = new Set()));
  set.add(key);
}

/**
 * Items of a list response carry no apiVersion/kind; fill them in from the path so handlers can
 * build owner references and event involvedObjects. Returns the object unchanged when set.
 */
function withTypeMeta<T extends KubernetesObject>(obj: T, tm: { apiVersion: string; kind: string | undefined }): T {
  if (obj.apiVersion && obj.kind) return obj;
  return { ...obj, apiVersion: obj.apiVersion ?? tm.apiVersion, ...(tm.kind && !obj.kind ? { kind: tm.kind } : {}) };
}

const KNOWN_KINDS: Record<string, string> = {
  pods: 'Pod',
  configmaps: 'ConfigMap',
  secrets: 'Secret',
  persistentvolumeclaims: 'PersistentVolumeClaim',
  persistentvolumes: 'PersistentVolume',
  nodes: 'Node',
  namespaces: 'Namespace',
  events: 'Event',
  services: 'Service',
  controllerrevisions: 'ControllerRevision',
  statefulsets: 'StatefulSet',
  deployments: 'Deployment',
  replicasets: 'ReplicaSet',
  daemonsets: 'DaemonSet',
  clonesets: 'CloneSet',
  storageclasses: 'StorageClass',
  leases: 'Lease',
};

/** kindFromList derives apiVersion and kind from "/api/v1/pods" or "/apis/g/v/[namespaces/ns/]plural". */
export function kindFromList(apiPath: string): { apiVersion: string; kind: string | undefined } {
  const parts = apiPath.split('/').filter(Boolean);
  let apiVersion: string;
  let rest: string[];
  if (parts[0] === 'api') {
    apiVersion = parts[1] ?? 'v1';
    rest = parts.slice(2);
  } else {
    apiVersion = `${parts[1]}/${parts[2]}`;
    rest = parts.slice(3);
  }
  if (rest[0] === 'namespaces' && rest.length >= 3) rest = rest.slice(2);
  const plural = rest[0] ?? '';
  return { apiVersion, kind: KNOWN_KINDS[plural] };
}
