/**
 * Bench: the reference implementation's CloneSet controller against kube-controller-manager's
 * Deployment controller, side by side on one local cluster in one run.
 *
 *   npx tsx bench/cloneset-vs-deployment.ts [--replicas 500] [--rounds 1] [--port 36561] [--timeout S] [--deployment-first]
 *
 * The cluster (local provider, name `bench`) and the reference manager (installed exactly as the
 * runner installs it: impls/reference.yaml through ProcessInstaller) are brought up here and always
 * removed again, also on failure and on Ctrl-C. Both workloads get the same pod template and the
 * same rollout settings; they run one after the other, in separate namespaces, so they never compete
 * for the machine's cores, and the order alternates across rounds so neither always goes first.
 * Every wait follows watches (pods and the workload's status) and has its own timeout.
 *
 * Phases per workload: scale 0 -> N Ready; roll all N to a new image with maxSurge 10% and
 * maxUnavailable 0 until every pod is updated and Ready and status says so; scale N -> 0 (the
 * cleanup before the next workload, measured because it costs nothing extra). Beside the times it
 * prints what explains them: when the pods existed vs when they were Ready, CPU seconds per process,
 * the reference controllers' metrics, webhook latency and the API requests each phase caused.
 *
 * kube-controller-manager runs with its default client rate limit (20 requests/s), so a Deployment
 * phase that creates or deletes N pods cannot finish in much less than N/20 s; the reference
 * manager has no client-side limit. The ratios compare the two as shipped, not their algorithms.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CoreV1Api, CustomObjectsApi, type KubeConfig, PatchStrategy, setHeaderOptions, type V1Node, type V1Pod } from '@kubernetes/client-node';
import { Command, InvalidArgumentError } from 'commander';
import { LOCAL_DEFAULTS, LocalProvider } from '../harness/clusters/local/provider.ts';
import { InterruptedError, ProviderError } from '../harness/clusters/provider.ts';
import { ProcessInstaller, tail } from '../harness/install/process.ts';
import { loadKubeConfig, rawGet } from '../harness/kube/client.ts';
import { MANAGED_BY } from '../harness/kube/namespace.ts';
import { type Collection, type KubeObject, type WaitOptions, WaitTimeoutError, waitForCollection } from '../harness/kube/wait.ts';
import { loadDescriptor } from '../harness/run/descriptor.ts';
import { REPO_ROOT } from '../harness/tools/cache.ts';
import { processesMentioning } from '../harness/util/processes.ts';

const IMAGE_V1 = 'registry.k8s.io/pause:3.9';
const IMAGE_V2 = 'registry.k8s.io/pause:3.10';
const SURGE_PERCENT = 10;
const MAX_SURGE = `${SURGE_PERCENT}%`;

interface Flags {
  replicas: number;
  rounds: number;
  port: number;
  name: string;
  timeout?: number;
  deploymentFirst: boolean;
}

// ---------------------------------------------------------------------------------------------
// The two workloads, described by the same few facts.

interface WorkloadStatus {
  observedGeneration?: number;
  replicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  updatedReplicas?: number;
  updatedReadyReplicas?: number;
  unavailableReplicas?: number;
  currentRevision?: string;
  updateRevision?: string;
}

interface WorkloadObject extends KubeObject {
  metadata?: KubeObject['metadata'] & { generation?: number };
  status?: WorkloadStatus;
}

type Kind = 'CloneSet' | 'Deployment';

interface Workload {
  kind: Kind;
  group: string;
  version: string;
  plural: string;
  manifest(name: string, replicas: number, image: string): Record<string, unknown>;
  /** Status says `replicas` pods, all at the current template, all Ready and available. */
  settled(s: WorkloadStatus, replicas: number): boolean;
}

const podLabels = (name: string) => ({ 'kruise-conformance.io/bench': name });

/** The one pod template both workloads use: pause image, small requests so 550 pods fit on 6 nodes. */
function podTemplate(name: string, image: string): Record<string, unknown> {
  return {
    metadata: { labels: podLabels(name) },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [mainContainer(image)],
    },
  };
}

function mainContainer(image: string): Record<string, unknown> {
  return { name: 'main', image, resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '50m', memory: '32Mi' } } };
}

const CLONESET: Workload = {
  kind: 'CloneSet',
  group: 'apps.kruise.io',
  version: 'v1alpha1',
  plural: 'clonesets',
  manifest: (name, replicas, image) => ({
    apiVersion: 'apps.kruise.io/v1alpha1',
    kind: 'CloneSet',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: podLabels(name) },
      template: podTemplate(name, image),
      // ReCreate: a new pod per update, as a Deployment does; in-place would not be the same work.
      updateStrategy: { type: 'ReCreate', maxSurge: MAX_SURGE, maxUnavailable: 0 },
    },
  }),
  // CloneSet sets currentRevision = updateRevision once every pod carries the update revision.
  settled: (s, n) =>
    s.replicas === n &&
    s.readyReplicas === n &&
    s.availableReplicas === n &&
    s.updatedReplicas === n &&
    s.updatedReadyReplicas === n &&
    s.currentRevision !== undefined &&
    s.currentRevision === s.updateRevision,
};

const DEPLOYMENT: Workload = {
  kind: 'Deployment',
  group: 'apps',
  version: 'v1',
  plural: 'deployments',
  manifest: (name, replicas, image) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: podLabels(name) },
      template: podTemplate(name, image),
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: MAX_SURGE, maxUnavailable: 0 } },
    },
  }),
  // What `kubectl rollout status` waits for; replicas counts old ReplicaSets' pods too.
  settled: (s, n) => (s.replicas ?? 0) === n && (s.readyReplicas ?? 0) === n && (s.availableReplicas ?? 0) === n && (s.updatedReplicas ?? 0) === n && !s.unavailableReplicas,
};

// ---------------------------------------------------------------------------------------------
// Pods, as the bench watches them.

const isActive = (p: V1Pod) => !p.metadata?.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';
const isReady = (p: V1Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
const imageOf = (p: V1Pod) => p.spec?.containers.find((c) => c.name === 'main')?.image;

function podCounts(pods: readonly V1Pod[]): { total: number; active: number; ready: number; terminating: number; byImage: Record<string, number> } {
  const active = pods.filter(isActive);
  const byImage: Record<string, number> = {};
  for (const p of active) byImage[imageOf(p) ?? '?'] = (byImage[imageOf(p) ?? '?'] ?? 0) + 1;
  return { total: pods.length, active: active.length, ready: active.filter(isReady).length, terminating: pods.length - active.length, byImage };
}

const renderPods = (pods: V1Pod[]) => JSON.stringify(podCounts(pods));
const renderStatus = (objs: WorkloadObject[]) =>
  objs[0] ? JSON.stringify({ generation: objs[0].metadata?.generation, status: objs[0].status }) : '(the workload does not exist)';

// ---------------------------------------------------------------------------------------------
// The reference manager, seen from outside: its pid (for RSS) and its metrics port.

interface ManagerProcess {
  pid: number;
  metricsPort?: number;
}

function ppidOf(pid: number): number | undefined {
  try {
    const m = /^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** tsx runs the manager in a child node process; that child is the one whose memory counts. */
function findManager(kubeconfig: string): ManagerProcess | undefined {
  const procs = processesMentioning(kubeconfig).filter((p) => p.cmdline.includes('kruise-ref.ts'));
  const pids = new Set(procs.map((p) => p.pid));
  const manager = procs.find((p) => pids.has(ppidOf(p.pid) ?? -1)) ?? procs[0];
  if (!manager) return undefined;
  const port = /--metrics-port[= ](\d+)/.exec(manager.cmdline);
  return { pid: manager.pid, metricsPort: port ? Number(port[1]) : undefined };
}

/** VmRSS and VmHWM (peak) in MiB, or undefined when /proc cannot be read. */
function memoryOf(pid: number): { rssMiB: number; peakMiB: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
    return { rssMiB: kb('VmRSS') / 1024, peakMiB: kb('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

/** A process whose CPU time each phase reports: the reference manager and the cluster's own. */
interface Watched {
  name: string;
  pid: number;
}

const CONTROL_PLANE = ['kube-controller-manager', 'kube-apiserver', 'kube-scheduler', 'kwok-controller', 'etcd'];

/** The local cluster's processes, found by the cluster directory that every one of them mentions. */
function clusterProcesses(clusterDir: string): Watched[] {
  const found: Watched[] = [];
  for (const p of processesMentioning(clusterDir)) {
    const binary = basename(p.cmdline.split(' ')[0] ?? '');
    if (CONTROL_PLANE.includes(binary)) found.push({ name: binary, pid: p.pid });
  }
  return found.sort((a, b) => CONTROL_PLANE.indexOf(a.name) - CONTROL_PLANE.indexOf(b.name));
}

// Linux reports utime and stime in clock ticks; USER_HZ is 100 on every mainstream architecture.
const CLOCK_TICKS = 100;

/** User + system CPU seconds a process has used so far, or NaN once it is gone. */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at field 3 (state).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

const sampleCpu = (procs: readonly Watched[]) => procs.map((p) => cpuSeconds(p.pid));

function cpuDelta(procs: readonly Watched[], before: number[], after: number[]): string | undefined {
  const parts = procs.map((p, i) => `${p.name} ${(after[i]! - before[i]!).toFixed(1)}`).filter((x) => !x.endsWith('NaN'));
  return parts.length ? parts.join(', ') : undefined;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

// ---------------------------------------------------------------------------------------------
// Prometheus text, reduced to what the report needs.

type Series = Map<string, number>;

function parseMetrics(text: string): Series {
  const out: Series = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    const v = Number(line.slice(i + 1));
    if (!Number.isNaN(v)) out.set(line.slice(0, i), v);
  }
  return out;
}

function label(series: string, name: string): string | undefined {
  return new RegExp(`[{,]${name}="([^"]*)"`).exec(series)?.[1];
}

/** Sum of a metric's series whose labels have the given values. */
function sumWhere(s: Series, metric: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const [k, v] of s) {
    if (k !== metric && !k.startsWith(`${metric}{`)) continue;
    if (Object.entries(labels).every(([n, want]) => label(k, n) === want)) total += v;
  }
  return total;
}

async function scrapeManager(m: ManagerProcess | undefined): Promise<Series | undefined> {
  if (!m?.metricsPort) return undefined;
  try {
    const res = await fetch(`http://127.0.0.1:${m.metricsPort}/metrics`, { signal: AbortSignal.timeout(10_000) });
    return res.ok ? parseMetrics(await res.text()) : undefined;
  } catch {
    return undefined;
  }
}

async function scrapeApiserver(kc: KubeConfig): Promise<Series | undefined> {
  try {
    return parseMetrics(await rawGet(kc, '/metrics', 30_000));
  } catch {
    return undefined;
  }
}

/** Each reference controller's work during a phase, from the manager's own metrics. */
function managerDelta(before: Series | undefined, after: Series | undefined): string[] | undefined {
  if (!before || !after) return undefined;
  const d = (metric: string, labels: Record<string, string>) => sumWhere(after, metric, labels) - sumWhere(before, metric, labels);
  const controllers = new Set<string>();
  for (const k of after.keys()) if (k.startsWith('controller_runtime_reconcile_total{')) controllers.add(label(k, 'controller') ?? '');
  const lines: string[] = [];
  for (const controller of controllers) {
    const c = { controller };
    const q = { name: controller };
    const reconciles = d('controller_runtime_reconcile_total', c);
    if (reconciles === 0) continue;
    const byResult = ['success', 'error', 'requeue', 'requeue_after']
      .map((r) => [r, d('controller_runtime_reconcile_total', { ...c, result: r })] as const)
      .filter(([, n]) => n > 0)
      .map(([r, n]) => `${r} ${n}`)
      .join(', ');
    const timeSum = d('controller_runtime_reconcile_time_seconds_sum', c);
    const timeCount = d('controller_runtime_reconcile_time_seconds_count', c);
    const overOne = timeCount - d('controller_runtime_reconcile_time_seconds_bucket', { ...c, le: '1' });
    const waitSum = d('workqueue_queue_duration_seconds_sum', q);
    const waitCount = d('workqueue_queue_duration_seconds_count', q);
    lines.push(
      `${controller}: reconciles ${reconciles} (${byResult}), errors ${d('controller_runtime_reconcile_errors_total', c)}, ` +
        `reconcile time ${timeSum.toFixed(1)} s in all, mean ${timeCount ? ((timeSum / timeCount) * 1000).toFixed(0) : '-'} ms, ${overOne} over 1 s; ` +
        `queue adds ${d('workqueue_adds_total', q)}, retries ${d('workqueue_retries_total', q)}, mean queue wait ${waitCount ? ((waitSum / waitCount) * 1000).toFixed(0) : '-'} ms`,
    );
  }
  return lines;
}

/** Admission webhook calls the apiserver made during a phase, by webhook: count and mean latency. */
function webhookDelta(before: Series | undefined, after: Series | undefined): string | undefined {
  if (!before || !after) return undefined;
  const byName = new Map<string, { sum: number; count: number }>();
  for (const [k, v] of after) {
    const m = /^apiserver_admission_webhook_admission_duration_seconds_(sum|count)\{/.exec(k);
    if (!m) continue;
    const name = label(k, 'name') ?? '?';
    const cur = byName.get(name) ?? { sum: 0, count: 0 };
    cur[m[1] as 'sum' | 'count'] += v - (before.get(k) ?? 0);
    byName.set(name, cur);
  }
  const parts = [...byName].filter(([, x]) => x.count > 0).map(([name, x]) => `${name} ${x.count} calls, mean ${((x.sum / x.count) * 1000).toFixed(0)} ms`);
  return parts.length ? parts.join('; ') : undefined;
}

const API_RESOURCES = new Set(['pods', 'clonesets', 'deployments', 'replicasets', 'controllerrevisions', 'events']);

/** Writes and reads the apiserver served during a phase, by resource and verb (watches left out). */
function apiserverDelta(before: Series | undefined, after: Series | undefined): string | undefined {
  if (!before || !after) return undefined;
  const totals = new Map<string, number>();
  for (const [k, v] of after) {
    if (!k.startsWith('apiserver_request_total{')) continue;
    const resource = label(k, 'resource') ?? '';
    const verb = label(k, 'verb') ?? '';
    if (!API_RESOURCES.has(resource) || verb === 'WATCH') continue;
    const sub = label(k, 'subresource');
    const key = `${resource}${sub ? `/${sub}` : ''} ${verb}`;
    totals.set(key, (totals.get(key) ?? 0) + v - (before.get(k) ?? 0));
  }
  return [...totals]
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
}

// ---------------------------------------------------------------------------------------------
// One phase: act, then wait on the workload's status and on its pods, both watched from before
// the act, so the pod watch sees every intermediate state (peak pods, least Ready).

interface PhaseResult {
  seconds: number;
  /** Seconds from the act until every pod of the end state existed, until they were all Ready, until status said so. */
  milestones: { formed: number; podsDone: number; status: number };
  peakPods: number;
  minReady: number;
  manager?: string[];
  apiserver?: string;
  webhooks?: string;
  cpu?: string;
  /** Watches that dropped and could not re-list at once: a sign of an apiserver under strain. */
  hiccups: number;
}

interface Env {
  kc: KubeConfig;
  custom: CustomObjectsApi;
  core: CoreV1Api;
  timeoutMs: number;
  signal: AbortSignal;
  manager?: ManagerProcess;
  managerLog?: string;
  /** Processes whose CPU seconds each phase reports. */
  cpu: Watched[];
  log: (line: string) => void;
}

/**
 * waitForCollection that survives a lost watch: when the watch drops and its re-list fails (an
 * apiserver too busy to answer within the client's timeout), watch again from a fresh list until
 * the wait's own deadline. Predicate state (peaks, milestones) lives in the caller's closure.
 */
async function waitThroughHiccups<T extends KubeObject>(
  env: Env,
  collection: Collection,
  predicate: (items: T[]) => boolean,
  opts: WaitOptions<T>,
  onHiccup: () => void,
): Promise<T[]> {
  const deadline = performance.now() + opts.timeoutMs;
  for (;;) {
    try {
      return await waitForCollection<T>(env.kc, collection, predicate, { ...opts, timeoutMs: Math.max(1, deadline - performance.now()) });
    } catch (err) {
      // Report the whole timeout, not what was left of it after a re-watch.
      if (err instanceof WaitTimeoutError) throw new WaitTimeoutError(err.describe, opts.timeoutMs, err.lastObserved);
      if (opts.signal?.aborted || performance.now() >= deadline) throw err;
      onHiccup();
      env.log(`    (${opts.describe}: ${(err as Error).message.split('\n')[0]}; watching again)`);
    }
  }
}

interface PhaseSpec {
  /** The end state in words, for progress lines and timeout errors. */
  what: string;
  /** The change that starts the phase; returns the workload's new metadata.generation. */
  act: () => Promise<number>;
  statusDone: (s: WorkloadStatus) => boolean;
  /** Every pod of the end state exists (or every pod is gone), Ready or not: splits controller time from start-up time. */
  podsFormed: (pods: V1Pod[]) => boolean;
  podsDone: (pods: V1Pod[]) => boolean;
}

async function runPhase(env: Env, w: Workload, ns: string, name: string, spec: PhaseSpec): Promise<PhaseResult> {
  const { what, act, statusDone, podsFormed, podsDone } = spec;
  if (w.kind === 'CloneSet' && env.manager && !alive(env.manager.pid)) {
    throw new Error(`the reference manager (pid ${env.manager.pid}) is no longer running; last lines of ${env.managerLog}:\n${tail(env.managerLog ?? '', 20)}`);
  }
  const [mBefore, aBefore] = await Promise.all([scrapeManager(env.manager), scrapeApiserver(env.kc)]);

  const abort = new AbortController();
  const onOuterAbort = () => abort.abort();
  env.signal.addEventListener('abort', onOuterAbort);
  let generation: number | undefined;
  let started = 0;
  let statusAt: number | undefined;
  let podsAt: number | undefined;
  let formedAt: number | undefined;
  let peakPods = 0;
  let minReady = Number.POSITIVE_INFINITY;
  let statusListed!: () => void;
  let podsListed!: () => void;
  const listed = [new Promise<void>((r) => (statusListed = r)), new Promise<void>((r) => (podsListed = r))];
  const describe = `${w.kind} ${ns}/${name}: ${what}`;
  let cpuBefore: number[] = [];
  let cpuAfter: number[] = [];

  let hiccups = 0;
  const hiccup = () => void hiccups++;
  const statusWait = waitThroughHiccups<WorkloadObject>(
    env,
    { path: `/apis/${w.group}/${w.version}/namespaces/${ns}/${w.plural}`, fieldSelector: `metadata.name=${name}` },
    ([o]) => {
      statusListed();
      if (generation === undefined || !o?.status) return false;
      const done = (o.status.observedGeneration ?? 0) >= generation && statusDone(o.status);
      if (done) statusAt ??= performance.now();
      return done;
    },
    { timeoutMs: env.timeoutMs, describe: `${describe} (status)`, render: renderStatus, signal: abort.signal },
    hiccup,
  );
  const podsWait = waitThroughHiccups<V1Pod>(
    env,
    { path: `/api/v1/namespaces/${ns}/pods`, labelSelector: `kruise-conformance.io/bench=${name}` },
    (pods) => {
      podsListed();
      if (generation === undefined) return false;
      const c = podCounts(pods);
      peakPods = Math.max(peakPods, c.active);
      minReady = Math.min(minReady, c.ready);
      if (podsFormed(pods)) formedAt ??= performance.now();
      const done = podsDone(pods);
      if (done) podsAt ??= performance.now();
      return done;
    },
    { timeoutMs: env.timeoutMs, describe: `${describe} (pods)`, render: renderPods, signal: abort.signal },
    hiccup,
  );
  // A rejection before the act must not go unhandled while we wait for the lists.
  const both = Promise.all([statusWait, podsWait]);
  both.catch(() => abort.abort());
  try {
    await Promise.race([Promise.all(listed), both]);
    cpuBefore = sampleCpu(env.cpu);
    started = performance.now();
    generation = await act();
    await both;
    cpuAfter = sampleCpu(env.cpu);
  } catch (err) {
    if (env.signal.aborted) throw new InterruptedError('the bench was interrupted', 're-run when ready');
    if (w.kind === 'CloneSet' && env.managerLog) {
      (err as Error).message += `\nlast lines of the reference manager's log (${env.managerLog}):\n${tail(env.managerLog, 15)}`;
    }
    throw err;
  } finally {
    abort.abort();
    env.signal.removeEventListener('abort', onOuterAbort);
  }
  const [mAfter, aAfter] = await Promise.all([scrapeManager(env.manager), scrapeApiserver(env.kc)]);
  return {
    seconds: (Math.max(statusAt!, podsAt!) - started) / 1000,
    milestones: { formed: ((formedAt ?? podsAt!) - started) / 1000, podsDone: (podsAt! - started) / 1000, status: (statusAt! - started) / 1000 },
    peakPods,
    minReady,
    manager: managerDelta(mBefore, mAfter),
    apiserver: apiserverDelta(aBefore, aAfter),
    webhooks: webhookDelta(aBefore, aAfter),
    hiccups,
    cpu: cpuDelta(env.cpu, cpuBefore, cpuAfter),
  };
}

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

async function patch(env: Env, w: Workload, ns: string, name: string, body: Record<string, unknown>): Promise<number> {
  const res = (await env.custom.patchNamespacedCustomObject({ group: w.group, version: w.version, namespace: ns, plural: w.plural, name, body }, mergePatch)) as WorkloadObject;
  const gen = res.metadata?.generation;
  if (gen === undefined) throw new Error(`${w.kind} ${ns}/${name}: the patch response carries no metadata.generation`);
  return gen;
}

function milestones(r: PhaseResult, formed: string): string {
  const m = r.milestones;
  return `${formed} at +${m.formed.toFixed(1)} s, pods done at +${m.podsDone.toFixed(1)} s, status at +${m.status.toFixed(1)} s`;
}

type PhaseName = 'scaleUp' | 'rollout' | 'scaleDown';
type WorkloadResult = Record<PhaseName, PhaseResult>;

async function benchWorkload(env: Env, w: Workload, round: number, n: number, log: (l: string) => void): Promise<WorkloadResult> {
  const ns = `bench-${w.kind.toLowerCase()}-r${round}`;
  const name = `bench-${w.kind.toLowerCase()}`;
  await env.core.createNamespace({ body: { metadata: { name: ns, labels: { ...MANAGED_BY } } } });
  const created = (await env.custom.createNamespacedCustomObject({ group: w.group, version: w.version, namespace: ns, plural: w.plural, body: w.manifest(name, 0, IMAGE_V1) })) as WorkloadObject;
  // The controller has seen the workload once it reports the created generation; only then start timing.
  await waitThroughHiccups<WorkloadObject>(
    env,
    { path: `/apis/${w.group}/${w.version}/namespaces/${ns}/${w.plural}`, fieldSelector: `metadata.name=${name}` },
    ([o]) => (o?.status?.observedGeneration ?? 0) >= (created.metadata?.generation ?? 1),
    { timeoutMs: 60_000, describe: `${w.kind} ${ns}/${name}: its controller to observe it at 0 replicas`, render: renderStatus, signal: env.signal },
    () => {},
  );

  log(`  ${w.kind}: scale 0 -> ${n}`);
  const scaleUp = await runPhase(env, w, ns, name, {
    what: `scale 0 -> ${n}: ${n} pods Ready and status says so`,
    act: () => patch(env, w, ns, name, { spec: { replicas: n } }),
    statusDone: (s) => w.settled(s, n),
    podsFormed: (pods) => podCounts(pods).active === n,
    podsDone: (pods) => {
      const c = podCounts(pods);
      return c.active === n && c.ready === n;
    },
  });
  log(`  ${w.kind}: scale 0 -> ${n} took ${scaleUp.seconds.toFixed(1)} s (${milestones(scaleUp, 'created')})`);

  log(`  ${w.kind}: roll ${n} pods to ${IMAGE_V2}`);
  const updated = (pods: V1Pod[]) => pods.filter((p) => isActive(p) && imageOf(p) === IMAGE_V2);
  const rollout = await runPhase(env, w, ns, name, {
    what: `roll ${n} pods to ${IMAGE_V2} (maxSurge ${MAX_SURGE}, maxUnavailable 0): all updated, Ready, status converged`,
    // A merge patch replaces the containers list: send the whole container with the new image.
    act: () => patch(env, w, ns, name, { spec: { template: { spec: { containers: [mainContainer(IMAGE_V2)] } } } }),
    statusDone: (s) => w.settled(s, n),
    podsFormed: (pods) => updated(pods).length === n,
    podsDone: (pods) => {
      const active = pods.filter(isActive);
      return active.length === n && active.every((p) => isReady(p) && imageOf(p) === IMAGE_V2);
    },
  });
  log(`  ${w.kind}: rollout took ${rollout.seconds.toFixed(1)} s (${milestones(rollout, 'created')}; peak ${rollout.peakPods} pods, least Ready ${rollout.minReady})`);

  log(`  ${w.kind}: scale ${n} -> 0`);
  const scaleDown = await runPhase(env, w, ns, name, {
    what: `scale ${n} -> 0: every pod gone and status says 0`,
    act: () => patch(env, w, ns, name, { spec: { replicas: 0 } }),
    statusDone: (s) => (s.replicas ?? 0) === 0,
    podsFormed: (pods) => podCounts(pods).active === 0,
    podsDone: (pods) => pods.length === 0,
  });
  log(`  ${w.kind}: scale ${n} -> 0 took ${scaleDown.seconds.toFixed(1)} s (${milestones(scaleDown, 'all terminating')})`);

  await env.core.deleteNamespace({ name: ns });
  await waitThroughHiccups(env, { path: '/api/v1/namespaces', fieldSelector: `metadata.name=${ns}` }, (items) => items.length === 0, {
    timeoutMs: 120_000,
    describe: `namespace ${ns} to be deleted`,
    signal: env.signal,
  }, () => {});
  return { scaleUp, rollout, scaleDown };
}

// ---------------------------------------------------------------------------------------------
// Report.

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function printTable(n: number, rounds: { order: Kind[]; results: Record<Kind, WorkloadResult> }[]): void {
  const phases: [PhaseName, string][] = [
    ['scaleUp', `scale 0 -> ${n} Ready`],
    ['rollout', `roll ${n}, surge ${MAX_SURGE}, unavail 0`],
    ['scaleDown', `scale ${n} -> 0 (cleanup)`],
  ];
  const rows: string[][] = [['phase', 'round', 'first', 'CloneSet s', 'Deployment s', 'ratio CS/Deploy']];
  for (const [phase, title] of phases) {
    rounds.forEach((r, i) => {
      const cs = r.results.CloneSet[phase].seconds;
      const dep = r.results.Deployment[phase].seconds;
      rows.push([title, String(i + 1), r.order[0]!, cs.toFixed(1), dep.toFixed(1), (cs / dep).toFixed(2)]);
    });
    if (rounds.length > 1) {
      const cs = median(rounds.map((r) => r.results.CloneSet[phase].seconds));
      const dep = median(rounds.map((r) => r.results.Deployment[phase].seconds));
      rows.push([title, 'median', '', cs.toFixed(1), dep.toFixed(1), (cs / dep).toFixed(2)]);
    }
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => r.map((cell, c) => (c >= 3 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ');
  console.log(`\n${line(rows[0]!)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const r of rows.slice(1)) console.log(line(r));
}

function printEvidence(rounds: { results: Record<Kind, WorkloadResult> }[]): void {
  console.log('\nPer phase: peak active pods and least Ready active pods seen by the watch; CPU seconds used by each process; the reference controllers\' own metrics; webhook calls and API requests (watches excluded) the apiserver served:');
  rounds.forEach((r, i) => {
    for (const kind of ['CloneSet', 'Deployment'] as const) {
      for (const [phase, res] of Object.entries(r.results[kind]) as [PhaseName, PhaseResult][]) {
        const ready = phase === 'rollout' ? `, least Ready ${res.minReady}` : '';
        const hiccups = res.hiccups > 0 ? `, ${res.hiccups} lost watch(es) re-established` : '';
        console.log(`  round ${i + 1} ${kind} ${phase}: ${res.seconds.toFixed(1)} s (${milestones(res, phase === 'scaleDown' ? 'all terminating' : 'created')}), peak ${res.peakPods} pods${ready}${hiccups}`);
        if (res.cpu) console.log(`    CPU seconds: ${res.cpu}`);
        for (const line of res.manager ?? []) console.log(`    reference ${line}`);
        if (res.webhooks) console.log(`    admission webhooks: ${res.webhooks}`);
        if (res.apiserver) console.log(`    apiserver requests: ${res.apiserver}`);
      }
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Main: cluster up, install, rounds, report; teardown always.

const positiveInt = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a positive integer, got "${v}"`);
  return n;
};

function parseFlags(argv: string[]): Flags {
  const program = new Command('cloneset-vs-deployment')
    .description('CloneSet (reference implementation) vs Deployment (kube-controller-manager): scale and rollout times on one local cluster')
    .option('--replicas <n>', 'pods per workload', positiveInt('--replicas'), 500)
    .option('--rounds <n>', 'rounds; the order of the two workloads alternates', positiveInt('--rounds'), 1)
    .option('--port <port>', 'kube-apiserver port of the bench cluster', positiveInt('--port'), 36561)
    .option('--name <name>', 'local cluster name', 'bench')
    .option('--deployment-first', 'start round 1 with the Deployment (default: the CloneSet)', false)
    .option('--timeout <seconds>', 'timeout of each wait (default 120 + replicas)', positiveInt('--timeout'))
    .showHelpAfterError();
  program.parse(argv);
  return program.opts<Flags>();
}

async function main(): Promise<number> {
  const flags = parseFlags(process.argv);
  const n = flags.replicas;
  const timeoutMs = (flags.timeout ?? 120 + n) * 1000;
  const log = (l: string) => console.error(l);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const workdir = join(REPO_ROOT, 'reports', `bench-${stamp}`);
  mkdirSync(workdir, { recursive: true });

  const abort = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals += 1;
    if (signals === 1) {
      log(`\n${sig}: stopping; removing the manager and the cluster (again to exit at once, leaving them behind)`);
      abort.abort();
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const descriptor = loadDescriptor('reference');
  if (descriptor.install.type !== 'process') throw new Error(`impls/reference.yaml: expected an install of type process, found ${descriptor.install.type}`);
  const installer = new ProcessInstaller(descriptor, descriptor.install);
  const provider = new LocalProvider({ ...LOCAL_DEFAULTS, name: flags.name, apiserverPort: flags.port, log });
  let up = false;
  const rounds: { order: Kind[]; results: Record<Kind, WorkloadResult> }[] = [];
  let manager: ManagerProcess | undefined;
  const memory: string[] = [];
  try {
    log(`bench: local cluster "${flags.name}" on port ${flags.port}, ${n} replicas, ${flags.rounds} round(s), ${timeoutMs / 1000} s per wait; logs in ${workdir}`);
    const upResult = await provider.up(abort.signal).then((r) => ((up = true), r));
    const kc = loadKubeConfig(upResult.kubeconfig);
    log(`cluster up in ${(upResult.timings.total! / 1000).toFixed(1)} s (Kubernetes ${upResult.kubernetesVersion})`);

    const core = kc.makeApiClient(CoreV1Api);
    const nodes: V1Node[] = (await core.listNode()).items;
    const capacity = nodes.reduce((sum, node) => sum + Number(node.status?.allocatable?.pods ?? 0), 0);
    const peak = n + Math.ceil((n * SURGE_PERCENT) / 100);
    if (peak > capacity) throw new Error(`--replicas ${n} needs up to ${peak} pods during a rollout (maxSurge ${MAX_SURGE}), but the ${nodes.length} nodes hold ${capacity}`);

    const t0 = performance.now();
    await installer.install({ kubeconfig: upResult.kubeconfig, provider, workdir, log, signal: abort.signal });
    log(`reference manager ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    manager = findManager(upResult.kubeconfig);
    if (!manager) log('note: the manager process was not found under /proc; no RSS or metrics');
    const mem = manager && memoryOf(manager.pid);
    if (mem) memory.push(`after start ${mem.rssMiB.toFixed(0)} MiB`);

    const cpu = [...(manager ? [{ name: 'kruise-ref', pid: manager.pid }] : []), ...clusterProcesses(dirname(upResult.kubeconfig))];
    const env: Env = { kc, custom: kc.makeApiClient(CustomObjectsApi), core, timeoutMs, signal: abort.signal, manager, managerLog: installer.logFile, cpu, log };
    for (let round = 1; round <= flags.rounds; round++) {
      const csFirst = (round % 2 === 1) !== flags.deploymentFirst;
      const order: Kind[] = csFirst ? ['CloneSet', 'Deployment'] : ['Deployment', 'CloneSet'];
      log(`\nround ${round}: ${order.join(' then ')}`);
      const results = {} as Record<Kind, WorkloadResult>;
      for (const kind of order) {
        results[kind] = await benchWorkload(env, kind === 'CloneSet' ? CLONESET : DEPLOYMENT, round, n, log);
        const m = manager && memoryOf(manager.pid);
        if (m) memory.push(`after round ${round} ${kind} ${m.rssMiB.toFixed(0)} MiB`);
      }
      rounds.push({ order, results });
    }

    console.log(`\nCloneSet (reference implementation, ${descriptor.version}) vs Deployment (kube-controller-manager ${upResult.kubernetesVersion}), ${n} replicas, local provider, ${nodes.length} simulated nodes`);
    printTable(n, rounds);
    console.log(`(kube-controller-manager's default client limit of 20 requests/s puts a floor of about ${(n / 20).toFixed(0)} s under each Deployment phase that creates or deletes ${n} pods)`);
    printEvidence(rounds);
    const final = manager && memoryOf(manager.pid);
    if (final) console.log(`\nreference manager (pid ${manager!.pid}) RSS: ${memory.join(', ')}; peak (VmHWM) ${final.peakMiB.toFixed(0)} MiB`);
    else console.log('\nreference manager RSS: not available (/proc/<pid>/status could not be read)');
    console.log(`manager log: ${installer.logFile}`);
    return 0;
  } catch (err) {
    if (abort.signal.aborted) {
      log('bench interrupted');
      return 130;
    }
    if (err instanceof ProviderError) log(`bench failed: ${err.message} (fix: ${err.fix})`);
    else log(`bench failed: ${(err as Error).message}`);
    if (rounds.length > 0) printTable(n, rounds);
    return 1;
  } finally {
    await installer.uninstall().catch((e: unknown) => log(`stopping the manager failed: ${(e as Error).message}`));
    const forbidden = installer.forbiddenLogLines();
    if (forbidden.length > 0) log(`the manager's log has ${forbidden.length} crash line(s), e.g.: ${forbidden[0]}`);
    // up() cleans up after itself when it fails; a cluster that was already there is not ours to remove.
    if (up) {
      log(`removing cluster "${flags.name}"`);
      await provider.down().catch((e: unknown) => log(`cluster down failed: ${(e as Error).message}`));
    }
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

process.exitCode = await main().catch((err: unknown) => {
  console.error(`bench failed: ${(err as Error).message}`);
  return 1;
});
