// A small Prometheus registry (counters, gauges, histograms with labels) rendered in the text
// exposition format 0.0.4. Names follow controller-runtime's so dashboards carry over.
import type { QueueMetrics } from './workqueue.ts';

type Labels = Record<string, string>;

function labelKey(names: readonly string[], labels: Labels): string {
  return names.map((n) => labels[n] ?? '').join('\u0000');
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function renderLabels(names: readonly string[], values: readonly string[], extra?: [string, string]): string {
  const pairs = names.map((n, i) => `${n}="${escapeLabel(values[i] ?? '')}"`);
  if (extra) pairs.push(`${extra[0]}="${escapeLabel(extra[1])}"`);
  return pairs.length ? `{${pairs.join(',')}}` : '';
}

function fmt(n: number): string {
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return Number.isNaN(n) ? 'NaN' : String(n);
}

interface Metric {
  readonly name: string;
  render(): string;
}

export class Counter implements Metric {
  private readonly _values = new Map<string, { labels: string[]; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[] = [],
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    const key = labelKey(this.labelNames, labels);
    const cur = this._values.get(key);
    if (cur) cur.value += by;
    else this._values.set(key, { labels: this.labelNames.map((n) => labels[n] ?? ''), value: by });
  }

  get(labels: Labels = {}): number {
    return this._values.get(labelKey(this.labelNames, labels))?.value ?? 0;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const { labels, value } of this._values.values()) lines.push(`${this.name}${renderLabels(this.labelNames, labels)} ${fmt(value)}`);
    return lines.join('\n');
  }
}

export class Gauge implements Metric {
  private readonly _values = new Map<string, { labels: string[]; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[] = [],
  ) {}

  set(labels: Labels, value: number): void {
    const key = labelKey(this.labelNames, labels);
    this._values.set(key, { labels: this.labelNames.map((n) => labels[n] ?? ''), value });
  }

  get(labels: Labels = {}): number {
    return this._values.get(labelKey(this.labelNames, labels))?.value ?? 0;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`];
    for (const { labels, value } of this._values.values()) lines.push(`${this.name}${renderLabels(this.labelNames, labels)} ${fmt(value)}`);
    return lines.join('\n');
  }
}

export const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
export const WEBHOOK_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class Histogram implements Metric {
  private readonly _values = new Map<string, { labels: string[]; counts: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[] = [],
    readonly buckets: readonly number[] = DEFAULT_BUCKETS,
  ) {}

  observe(labels: Labels, value: number): void {
    const key = labelKey(this.labelNames, labels);
    let cur = this._values.get(key);
    if (!cur) {
      cur = { labels: this.labelNames.map((n) => labels[n] ?? ''), counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this._values.set(key, cur);
    }
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) cur.counts[i]!++;
    cur.sum += value;
    cur.count++;
  }

  count(labels: Labels = {}): number {
    return this._values.get(labelKey(this.labelNames, labels))?.count ?? 0;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const { labels, counts, sum, count } of this._values.values()) {
      this.buckets.forEach((b, i) => lines.push(`${this.name}_bucket${renderLabels(this.labelNames, labels, ['le', fmt(b)])} ${counts[i]}`));
      lines.push(`${this.name}_bucket${renderLabels(this.labelNames, labels, ['le', '+Inf'])} ${count}`);
      lines.push(`${this.name}_sum${renderLabels(this.labelNames, labels)} ${fmt(sum)}`);
      lines.push(`${this.name}_count${renderLabels(this.labelNames, labels)} ${count}`);
    }
    return lines.join('\n');
  }
}

export class Registry {
  private readonly _metrics = new Map<string, Metric>();

  register<M extends Metric>(m: M): M {
    if (this._metrics.has(m.name)) throw new Error(`metric ${m.name} registered twice`);
    this._metrics.set(m.name, m);
    return m;
  }

  /** render returns the whole registry in Prometheus text format. */
  render(): string {
    return [...this._metrics.values()].map((m) => m.render()).join('\n') + '\n';
  }
}

/** Called once per admission request: its path, the HTTP status answered, and the time it took. */
export type AdmissionObserver = (webhook: string, code: number, seconds: number) => void;

/** Metrics holds the controller and workqueue series every Manager exposes. */
export class Metrics {
  readonly registry = new Registry();
  readonly reconcileTotal = this.registry.register(
    new Counter('controller_runtime_reconcile_total', 'Total number of reconciliations per controller and result.', ['controller', 'result']),
  );
  readonly reconcileErrors = this.registry.register(
    new Counter('controller_runtime_reconcile_errors_total', 'Total number of reconciliation errors per controller.', ['controller']),
  );
  readonly reconcileTime = this.registry.register(
    new Histogram('controller_runtime_reconcile_time_seconds', 'Length of time per reconciliation per controller.', ['controller']),
  );
  readonly activeWorkers = this.registry.register(
    new Gauge('controller_runtime_active_workers', 'Number of currently used workers per controller.', ['controller']),
  );
  readonly maxConcurrentReconciles = this.registry.register(
    new Gauge('controller_runtime_max_concurrent_reconciles', 'Maximum number of concurrent reconciles per controller.', ['controller']),
  );
  readonly queueDepth = this.registry.register(new Gauge('workqueue_depth', 'Current depth of workqueue.', ['name']));
  readonly queueAdds = this.registry.register(new Counter('workqueue_adds_total', 'Total number of adds handled by workqueue.', ['name']));
  readonly queueRetries = this.registry.register(new Counter('workqueue_retries_total', 'Total number of retries handled by workqueue.', ['name']));
  readonly queueWorkDuration = this.registry.register(
    new Histogram('workqueue_work_duration_seconds', 'How long in seconds processing an item from workqueue takes.', ['name']),
  );
  readonly queueLatency = this.registry.register(
    new Histogram('workqueue_queue_duration_seconds', 'How long in seconds an item stays in workqueue before being requested.', ['name']),
  );
  /** Admission latency per webhook path, as controller-runtime names it (finer buckets: most calls take ms). */
  readonly webhookLatency = this.registry.register(
    new Histogram('controller_runtime_webhook_latency_seconds', 'Histogram of the latency of processing admission requests.', ['webhook'], WEBHOOK_BUCKETS),
  );
  readonly webhookRequests = this.registry.register(
    new Counter('controller_runtime_webhook_requests_total', 'Total number of admission requests by HTTP status code.', ['webhook', 'code']),
  );
  readonly leaderElection = this.registry.register(
    new Gauge('leader_election_master_status', 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master.', ['name']),
  );

  /** queueMetrics adapts this registry to the WorkQueue's metrics sink. */
  queueMetrics(): QueueMetrics {
    return {
      depth: (name, depth) => this.queueDepth.set({ name }, depth),
      add: (name) => this.queueAdds.inc({ name }),
      retry: (name) => this.queueRetries.inc({ name }),
      workDuration: (name, s) => this.queueWorkDuration.observe({ name }, s),
      queueLatency: (name, s) => this.queueLatency.observe({ name }, s),
    };
  }

  /** admissionObserver adapts this registry to the webhook server's per-request sink. */
  admissionObserver(): AdmissionObserver {
    return (webhook, code, seconds) => {
      this.webhookLatency.observe({ webhook }, seconds);
      this.webhookRequests.inc({ webhook, code: String(code) });
    };
  }

  render(): string {
    return this.registry.render();
  }
}
