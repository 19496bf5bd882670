// Kubernetes Events for controller writes (SuccessfulCreate, FailedDelete, ...). Repeats of the
// same event for the same object within ten minutes bump the count instead of creating new ones,
// like client-go's correlator, so a hot loop cannot flood the apiserver.
import { PatchStrategy, setHeaderOptions, type CoreV1Api, type KubernetesObject } from '@kubernetes/client-node';
import { isNamespaceTerminating } from './controller.ts';
import type { Logger } from './logger.ts';

export type EventType = 'Normal' | 'Warning';

/** EventRecorder emits events about an object; failures are logged, never thrown. */
export interface EventRecorder {
  event(obj: KubernetesObject, type: EventType, reason: string, message: string): void;
  /** flush waits for events already emitted to be written (tests, shutdown). */
  flush(): Promise<void>;
}

const AGGREGATE_WINDOW_MS = 10 * 60 * 1000;
const MAX_TRACKED = 4096;

export class ApiEventRecorder implements EventRecorder {
  private readonly _seen = new Map<string, { name: string; namespace: string; count: number; last: number }>();
  private _pending = new Set<Promise<void>>();

  constructor(
    private readonly _core: CoreV1Api,
    private readonly _component: string,
    private readonly _log: Logger,
    private readonly _host = process.env.HOSTNAME ?? '',
  ) {}

  event(obj: KubernetesObject, type: EventType, reason: string, message: string): void {
    const p = this._write(obj, type, reason, message).catch((err: unknown) => {
      // A namespace being deleted refuses new events; nobody will read them.
      this._log[isNamespaceTerminating(err) ? 'debug' : 'warn']('event not recorded', { reason, object: `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`, err });
    });
    this._pending.add(p);
    void p.finally(() => this._pending.delete(p));
  }

  async flush(): Promise<void> {
    await Promise.all([...this._pending]);
  }

  private async _write(obj: KubernetesObject, type: EventType, reason: string, message: string): Promise<void> {
    const namespace = obj.metadata?.namespace || 'default';
    const uid = obj.metadata?.uid ?? '';
    const key = [uid, obj.metadata?.name, type, reason, message].join('\u0000');
    const now = new Date();
    const seen = this._seen.get(key);
    if (seen && now.getTime() - seen.last < AGGREGATE_WINDOW_MS) {
      seen.count++;
      seen.last = now.getTime();
      await this._core.patchNamespacedEvent(
        { name: seen.name, namespace: seen.namespace, body: { count: seen.count, lastTimestamp: now.toISOString() } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      return;
    }
    const created = await this._core.createNamespacedEvent({
      namespace,
      body: {
        metadata: { generateName: `${obj.metadata?.name ?? 'object'}.`, namespace },
        involvedObject: {
          apiVersion: obj.apiVersion,
          kind: obj.kind,
          name: obj.metadata?.name,
          namespace: obj.metadata?.namespace,
          uid: obj.metadata?.uid,
          resourceVersion: obj.metadata?.resourceVersion,
        },
        type,
        reason,
        message,
        count: 1,
        firstTimestamp: now,
        lastTimestamp: now,
        source: { component: this._component, ...(this._host ? { host: this._host } : {}) },
        reportingComponent: this._component,
        reportingInstance: this._host || this._component,
      },
    });
    if (this._seen.size >= MAX_TRACKED) this._seen.clear();
    this._seen.set(key, { name: created.metadata?.name ?? '', namespace, count: 1, last: now.getTime() });
  }
}

/** recordedEvent is what a FakeEventRecorder keeps, for unit tests of reconcilers. */
export interface RecordedEvent {
  object: string;
  type: EventType;
  reason: string;
  message: string;
}

/** FakeEventRecorder collects events in memory. */
export class FakeEventRecorder implements EventRecorder {
  readonly events: RecordedEvent[] = [];
  event(obj: KubernetesObject, type: EventType, reason: string, message: string): void {
    const ns = obj.metadata?.namespace;
    this.events.push({ object: ns ? `${ns}/${obj.metadata?.name}` : (obj.metadata?.name ?? ''), type, reason, message });
  }
  async flush(): Promise<void> {}
}
