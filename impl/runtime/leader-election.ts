// Leader election on a coordination.k8s.io/v1 Lease, with client-go's rules: a candidate takes
// the lease when it is free or its holder has not renewed within leaseDuration (measured on the
// local clock from when this candidate last saw the record change, so clock skew between hosts
// does not matter); the leader renews every retryPeriod and gives up when it cannot renew within
// renewDeadline; on shutdown the leader releases the lease so a standby takes over at once.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { V1MicroTime, type CoordinationV1Api, type V1Lease } from '@kubernetes/client-node';
import { isConflict, isNotFound } from './controller.ts';
import type { Logger } from './logger.ts';

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  identity?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Release the lease when stopped while leading (default true). */
  releaseOnCancel?: boolean;
}

export interface LeaderCallbacks {
  onStartedLeading(): void;
  /** Called once when leadership is lost (not on a voluntary release). */
  onStoppedLeading(): void;
  onNewLeader?(identity: string): void;
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

export class LeaderElector {
  readonly identity: string;
  private readonly _leaseMs: number;
  private readonly _renewDeadlineMs: number;
  private readonly _retryMs: number;
  private _observed: { holder: string; rv: string; at: number } | undefined;
  private _lease: V1Lease | undefined;
  private _leading = false;
  private _lastRenew = 0;
  private _reportedLeader: string | undefined;

  constructor(
    private readonly _api: CoordinationV1Api,
    private readonly _opts: LeaderElectionOptions,
    private readonly _log: Logger,
  ) {
    this.identity = _opts.identity ?? `${hostname()}_${randomUUID()}`;
    this._leaseMs = _opts.leaseDurationMs ?? 15_000;
    this._renewDeadlineMs = _opts.renewDeadlineMs ?? 10_000;
    this._retryMs = _opts.retryPeriodMs ?? 2_000;
    if (this._renewDeadlineMs >= this._leaseMs) throw new Error('leader election: renewDeadline must be shorter than leaseDuration');
  }

  isLeader(): boolean {
    return this._leading;
  }

  /**
   * run blocks until leadership is acquired (calling onStartedLeading), then keeps renewing until
   * the signal aborts (release, resolve) or a renewal deadline is missed (onStoppedLeading, resolve).
   */
  async run(signal: AbortSignal, cb: LeaderCallbacks): Promise<void> {
    // 1. acquire
    while (!signal.aborted) {
      if (await this._tryAcquireOrRenew(cb)) break;
      await sleep(this._retryMs * (1 + Math.random() * 0.2), signal);
    }
    if (signal.aborted) return;
    this._leading = true;
    this._lastRenew = Date.now();
    this._log.info('acquired lease', { lease: `${this._opts.namespace}/${this._opts.name}`, identity: this.identity });
    cb.onStartedLeading();
    // 2. renew
    while (!signal.aborted) {
      await sleep(this._retryMs, signal);
      if (signal.aborted) break;
      if (await this._tryAcquireOrRenew(cb)) {
        this._lastRenew = Date.now();
        continue;
      }
      if (Date.now() - this._lastRenew >= this._renewDeadlineMs) {
        this._leading = false;
        this._log.error('leader election lost', { lease: `${this._opts.namespace}/${this._opts.name}`, identity: this.identity });
        cb.onStoppedLeading();
        return;
      }
    }
    // 3. release
    if (this._leading && (this._opts.releaseOnCancel ?? true)) await this.release();
    this._leading = false;
  }

  /** release clears the holder so a standby can acquire without waiting for expiry. */
  async release(): Promise<void> {
    const lease = this._lease;
    if (!lease || lease.spec?.holderIdentity !== this.identity) return;
    const now = new Date();
    try {
      await this._api.replaceNamespacedLease({
        name: this._opts.name,
        namespace: this._opts.namespace,
        body: {
          ...lease,
          spec: { ...lease.spec, holderIdentity: undefined, leaseDurationSeconds: 1, renewTime: new V1MicroTime(now.getTime()), acquireTime: new V1MicroTime(now.getTime()) },
        },
      });
      this._log.info('released lease', { lease: `${this._opts.namespace}/${this._opts.name}`, identity: this.identity });
    } catch (err) {
      this._log.warn('failed to release lease', { err });
    }
  }

  private async _tryAcquireOrRenew(cb: LeaderCallbacks): Promise<boolean> {
    const { namespace, name } = this._opts;
    const now = new Date();
    const durationSeconds = Math.max(1, Math.ceil(this._leaseMs / 1000));
    let current: V1Lease;
    try {
      current = await this._api.readNamespacedLease({ name, namespace });
    } catch (err) {
      if (!isNotFound(err)) {
        this._log.warn('reading lease failed', { err });
        return false;
      }
      try {
        this._lease = await this._api.createNamespacedLease({
          namespace,
          body: {
            metadata: { name, namespace },
            spec: { holderIdentity: this.identity, leaseDurationSeconds: durationSeconds, acquireTime: new V1MicroTime(now.getTime()), renewTime: new V1MicroTime(now.getTime()), leaseTransitions: 0 },
          },
        });
        this._observe(this._lease);
        this._noteLeader(this.identity, cb);
        return true;
      } catch (createErr) {
        if (!isConflict(createErr)) this._log.warn('creating lease failed', { err: createErr });
        return false;
      }
    }
    this._observe(current);
    const holder = current.spec?.holderIdentity ?? '';
    if (holder) this._noteLeader(holder, cb);
    const heldByOther = holder !== '' && holder !== this.identity;
    const observedDuration = (current.spec?.leaseDurationSeconds ?? durationSeconds) * 1000;
    if (heldByOther && this._observed && Date.now() - this._observed.at < observedDuration) return false;
    const transitions = current.spec?.leaseTransitions ?? 0;
    const spec = {
      ...current.spec,
      holderIdentity: this.identity,
      leaseDurationSeconds: durationSeconds,
      renewTime: new V1MicroTime(now.getTime()),
      acquireTime: holder === this.identity ? current.spec?.acquireTime : new V1MicroTime(now.getTime()),
      leaseTransitions: holder === this.identity ? transitions : transitions + 1,
    };
    try {
      this._lease = await this._api.replaceNamespacedLease({ name, namespace, body: { ...current, spec } });
      this._observe(this._lease);
      this._noteLeader(this.identity, cb);
      return true;
    } catch (err) {
      if (!isConflict(err)) this._log.warn('updating lease failed', { err });
      return false;
    }
  }

  private _observe(lease: V1Lease): void {
    const holder = lease.spec?.holderIdentity ?? '';
    const rv = lease.metadata?.resourceVersion ?? '';
    if (!this._observed || this._observed.rv !== rv || this._observed.holder !== holder) {
      this._observed = { holder, rv, at: Date.now() };
    }
  }

  private _noteLeader(identity: string, cb: LeaderCallbacks): void {
    if (this._reportedLeader === identity) return;
    this._reportedLeader = identity;
    if (identity !== this.identity) this._log.info('new leader observed', { leader: identity });
    cb.onNewLeader?.(identity);
  }
}
