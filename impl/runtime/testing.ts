// Test doubles for code built on the runtime: an in-memory informer cache that emits the same
// events as the real one, so reconcilers and watch mappings can be unit-tested without a cluster.
import { KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { SharedInformer, objectKey } from './informer.ts';
import { createLogger } from './logger.ts';

/** FakeInformer is a synced InformerCache whose contents the test sets directly. */
export class FakeInformer<T extends KubernetesObject = KubernetesObject> extends SharedInformer<T> {
  private _rvCounter = 0;

  constructor(apiPath: string, objects: readonly T[] = []) {
    super(new KubeConfig(), apiPath, createLogger({ level: 'fatal', stream: { write: () => true } }));
    this.replaceAll(objects);
  }

  /** set adds or updates an object (emitting add/update); a missing resourceVersion is assigned. */
  set(obj: T): T {
    const stored = this._stamp(obj);
    this._upsert(objectKey(stored), stored);
    return stored;
  }

  /** remove deletes an object by value or "ns/name" key (emitting delete). */
  remove(objOrKey: T | string): void {
    const key = typeof objOrKey === 'string' ? objOrKey : objectKey(objOrKey);
    const old = this.getByKey(key);
    if (old) this._remove(key, old);
  }

  /** replaceAll swaps the contents as a relist would, and marks the cache synced. */
  replaceAll(objects: readonly T[]): void {
    this._replace(objects.map((o) => this._stamp(o)), String(this._rvCounter));
  }

  private _stamp(obj: T): T {
    this._rvCounter++;
    const rv = obj.metadata?.resourceVersion;
    if (rv && this.getByKey(objectKey(obj))?.metadata?.resourceVersion !== rv) return obj;
    return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(this._rvCounter) } };
  }
}
