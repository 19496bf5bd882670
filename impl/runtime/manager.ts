// The Manager: clients, shared informer caches, feature gates, logger, metrics, health endpoints,
// optional leader election, and the controllers it runs. Lifecycle (controller-runtime's order):
// HTTP endpoints -> caches start -> [leader election] -> controllers subscribe -> caches synced
// -> workers. Losing the lease stops the controllers and resolves `done` with leaderLost.
import {
  AdmissionregistrationV1Api,
  AppsV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  StorageV1Api,
  type KubernetesObject,
} from '@kubernetes/client-node';
import type { Controller, ControllerFactory } from './controller.ts';
import { ControllerRunner } from './controller.ts';
import { ApiEventRecorder, type EventRecorder } from './events.ts';
import { FeatureGates } from './feature-gates.ts';
import { SharedInformer, type InformerCache, type InformerOptions } from './informer.ts';
import { LeaderElector, type LeaderElectionOptions } from './leader-election.ts';
import { createLogger, type Logger } from './logger.ts';
import { Metrics } from './metrics.ts';
import { startHttpServer, type Check, type RunningServer } from './serve.ts';
import type { WorkQueue } from './workqueue.ts';

export interface EndpointOptions {
  host?: string;
  /** 0 picks a free port (see Manager.metricsPort / healthPort after start). */
  port: number;
}

export interface ManagerOptions {
  kubeConfig: KubeConfig;
  gates?: FeatureGates;
  logger?: Logger;
  /** Default worker count per controller (controller-runtime's MaxConcurrentReconciles). */
  concurrency?: number;
  metrics?: EndpointOptions | false;
  health?: EndpointOptions | false;
  leaderElection?: LeaderElectionOptions | false;
  /** Timeout for the first cache sync before start() fails. */
  cacheSyncTimeoutMs?: number;
}

/** Why the manager stopped. */
export interface StopReason {
  leaderLost: boolean;
  error?: unknown;
}

export class Manager {
  readonly kc: KubeConfig;
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly coordination: CoordinationV1Api;
  readonly custom: CustomObjectsApi;
  readonly storage: StorageV1Api;
  readonly admission: AdmissionregistrationV1Api;
  readonly objects: KubernetesObjectApi;
  readonly gates: FeatureGates;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly concurrency: number;
  /** Resolves once when the manager has stopped (stop(), a lost lease, or a fatal start error). */
  readonly done: Promise<StopReason>;

  private readonly _opts: ManagerOptions;
  private readonly _informers = new Map<string, SharedInformer>();
  private readonly _controllers: Controller[] = [];
  private readonly _runners: ControllerRunner[] = [];
  private readonly _healthChecks = new Map<string, Check>();
  private readonly _readyChecks = new Map<string, Check>();
  private readonly _servers: RunningServer[] = [];
  private readonly _recorders = new Map<string, ApiEventRecorder>();
  private readonly _abort = new AbortController();
  private _elector: LeaderElector | undefined;
  private _electionLoop: Promise<void> | undefined;
  private _started = false;
  private _stopping: Promise<void> | undefined;
  private _resolveDone!: (r: StopReason) => void;
  private _metricsPort: number | undefined;
  private _healthPort: number | undefined;
  private _controllersRunning = false;

  constructor(opts: ManagerOptions) {
    this._opts = opts;
    this.kc = opts.kubeConfig;
    this.core = this.kc.makeApiClient(CoreV1Api);
    this.apps = this.kc.makeApiClient(AppsV1Api);
    this.coordination = this.kc.makeApiClient(CoordinationV1Api);
    this.custom = this.kc.makeApiClient(CustomObjectsApi);
    this.storage = this.kc.makeApiClient(StorageV1Api);
    this.admission = this.kc.makeApiClient(AdmissionregistrationV1Api);
    this.objects = KubernetesObjectApi.makeApiClient(this.kc);
    this.gates = opts.gates ?? new FeatureGates();
    this.logger = opts.logger ?? createLogger();
    this.metrics = new Metrics();
    this.concurrency = opts.concurrency ?? 3;
    this.done = new Promise((r) => (this._resolveDone = r));
    this._healthChecks.set('ping', () => true);
    this._readyChecks.set('informers-synced', () => [...this._informers.values()].every((i) => i.hasSynced()));
  }

  /** signal aborts when the manager stops; pass it to long waits inside controllers. */
  get signal(): AbortSignal {
    return this._abort.signal;
  }

  get metricsPort(): number | undefined {
    return this._metricsPort;
  }

  get healthPort(): number | undefined {
    return this._healthPort;
  }

  /** isLeader is true while controllers may run (always true without leader election). */
  isLeader(): boolean {
    return this._elector ? this._elector.isLeader() : this._controllersRunning;
  }

  /**
   * informer returns the shared cache for a list path such as '/api/v1/pods' or
   * '/apis/apps.kruise.io/v1alpha1/clonesets' (all namespaces). The same path always returns the
   * same cache; a cache requested after start() starts at once.
   */
  informer<T extends KubernetesObject = KubernetesObject>(apiPath: string, opts?: InformerOptions): InformerCache<T> {
    const key = opts?.labelSelector || opts?.fieldSelector ? `${apiPath}?${opts.labelSelector ?? ''}&${opts.fieldSelector ?? ''}` : apiPath;
    let inf = this._informers.get(key);
    if (!inf) {
      inf = new SharedInformer(this.kc, apiPath, this.logger.child('informer'), opts);
      this._informers.set(key, inf);
      if (this._started && !this._abort.signal.aborted) inf.start();
    }
    return inf as unknown as InformerCache<T>;
  }

  /** eventRecorder returns a recorder that reports as the given component. */
  eventRecorder(component = 'kruise-ref-manager'): EventRecorder {
    let r = this._recorders.get(component);
    if (!r) {
      r = new ApiEventRecorder(this.core, component, this.logger.child('events'));
      this._recorders.set(component, r);
    }
    return r;
  }

  /** add registers a controller (or builds one from a factory); call before start(). */
  add(c: Controller | ControllerFactory): Controller {
    if (this._started) throw new Error('Manager.add: controllers must be added before start()');
    const controller = typeof c === 'function' ? c(this) : c;
    if (this._controllers.some((x) => x.name === controller.name)) throw new Error(`controller ${controller.name} added twice`);
    this._controllers.push(controller);
    for (const w of controller.watches) this.informer(w.apiPath);
    return controller;
  }

  /** queue returns a running controller's work queue (to enqueue a key by hand, or wait until idle). */
  queue(controllerName: string): WorkQueue | undefined {
    return this._runners.find((r) => r.controller.name === controllerName)?.queue;
  }

  addHealthCheck(name: string, check: Check): void {
    this._healthChecks.set(name, check);
  }

  addReadyCheck(name: string, check: Check): void {
    this._readyChecks.set(name, check);
  }

  /** waitForCacheSync resolves when every cache created so far has completed its first list. */
  async waitForCacheSync(timeoutMs = this._opts.cacheSyncTimeoutMs ?? 120_000): Promise<void> {
    const signal = AbortSignal.any([this._abort.signal, AbortSignal.timeout(timeoutMs)]);
    await Promise.all([...this._informers.values()].map((i) => i.waitForSync(signal)));
  }

  /**
   * start serves the endpoints, starts the caches and, once leading (or at once without leader
   * election), the controllers. It resolves when controllers run; a standby waits inside start().
   */
  async start(): Promise<void> {
    if (this._started) throw new Error('Manager.start called twice');
    this._started = true;
    const log = this.logger.child('manager');
    try {
      await this._startServers();
      for (const inf of this._informers.values()) inf.start();
      const le = this._opts.leaderElection;
      if (le) {
        this._elector = new LeaderElector(this.coordination, le, this.logger.child('leader-election'));
        this.metrics.leaderElection.set({ name: le.name }, 0);
        const leading = new Promise<void>((resolve) => {
          this._electionLoop = this._elector!.run(this._abort.signal, {
            onStartedLeading: () => {
              this.metrics.leaderElection.set({ name: le.name }, 1);
              resolve();
            },
            onStoppedLeading: () => {
              this.metrics.leaderElection.set({ name: le.name }, 0);
              void this._shutdown({ leaderLost: true });
            },
          });
          // Stopped while waiting: let start() return so the caller can observe `done`.
          this._abort.signal.addEventListener('abort', () => resolve(), { once: true });
        });
        await leading;
        if (this._abort.signal.aborted) return;
      }
      await this._startControllers();
      log.info('manager started', { controllers: this._controllers.map((c) => c.name), leaderElection: !!le });
    } catch (err) {
      // stop() during start (a signal while caches sync) is a normal shutdown, not a failure.
      if (this._stopping) return;
      log.error('manager failed to start', { err });
      await this._shutdown({ leaderLost: false, error: err });
      throw err;
    }
  }

  /** stop stops controllers, releases the lease, stops caches and closes the endpoints. */
  stop(): Promise<void> {
    return this._shutdown({ leaderLost: false });
  }

  private async _startServers(): Promise<void> {
    const m = this._opts.metrics;
    const h = this._opts.health;
    const endpointsFor = (withMetrics: boolean, withHealth: boolean) => ({
      ...(withMetrics ? { metrics: () => this.metrics.render() } : {}),
      ...(withHealth ? { healthChecks: this._healthChecks, readyChecks: this._readyChecks } : {}),
    });
    if (m && h && (m.host ?? '0.0.0.0') === (h.host ?? '0.0.0.0') && m.port === h.port && m.port !== 0) {
      const s = await startHttpServer(m.host ?? '0.0.0.0', m.port, endpointsFor(true, true));
      this._servers.push(s);
      this._metricsPort = this._healthPort = s.port;
      return;
    }
    if (m) {
      const s = await startHttpServer(m.host ?? '0.0.0.0', m.port, endpointsFor(true, false));
      this._servers.push(s);
      this._metricsPort = s.port;
    }
    if (h) {
      const s = await startHttpServer(h.host ?? '0.0.0.0', h.port, endpointsFor(false, true));
      this._servers.push(s);
      this._healthPort = s.port;
    }
  }

  private async _startControllers(): Promise<void> {
    for (const c of this._controllers) {
      const runner = new ControllerRunner(c, {
        logger: this.logger.child('controller'),
        metrics: this.metrics,
        informer: (p) => this.informer(p),
        defaultConcurrency: this.concurrency,
      });
      runner.subscribe();
      this._runners.push(runner);
    }
    await this.waitForCacheSync();
    for (const r of this._runners) await r.start(this._abort.signal);
    this._controllersRunning = true;
  }

  private _shutdown(reason: StopReason): Promise<void> {
    if (this._stopping) return this._stopping;
    this._stopping = (async () => {
      const log = this.logger.child('manager');
      log.info('stopping manager', { leaderLost: reason.leaderLost });
      // Controllers first, so no write happens after the lease is released.
      await Promise.all(this._runners.map((r) => r.stop()));
      this._controllersRunning = false;
      this._abort.abort();
      await this._electionLoop;
      await Promise.all([...this._informers.values()].map((i) => i.stop()));
      await Promise.all([...this._recorders.values()].map((r) => r.flush()));
      await Promise.all(this._servers.map((s) => s.close()));
      log.info('manager stopped', { leaderLost: reason.leaderLost });
      this._resolveDone(reason);
    })();
    return this._stopping;
  }
}
