// Integration test of the runtime against a real local cluster (kube-apiserver + etcd + kwok):
// informer events, a toy ConfigMap controller, expectations under a lagging cache, leader election
// between two managers, and the HTTP endpoints.
import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import {
  AdmissionregistrationV1Api,
  ApiextensionsV1Api,
  CoordinationV1Api,
  CoreV1Api,
  KubeConfig,
  loadYaml,
  type KubernetesObject,
  V1MicroTime,
  type V1ConfigMap,
  type V1CustomResourceDefinition,
  type V1Lease,
  type V1Pod,
} from '@kubernetes/client-node';
import { KRUISE_POD_READY, podReadinessControllerFactory } from '../controllers/podreadiness/controller.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_DEFAULTS, LocalProvider } from '../../harness/clusters/local/provider.ts';
import {
  Expectations,
  Manager,
  createLogger,
  forObject,
  isAlreadyExists,
  objectKey,
  ownedBy,
  SharedInformer,
  splitKey,
  watch,
  type InformerCache,
  type InformerEvent,
  type Logger,
} from './index.ts';

const CLUSTER = 'runtime';
const PORT = 36511;
// Reuse a cluster left up by a developer (KRUISE_REF_INT_REUSE=1) instead of recreating it.
const REUSE = process.env.KRUISE_REF_INT_REUSE === '1';

let provider: LocalProvider;
let kc: KubeConfig;
let kubeconfigPath: string;
let core: CoreV1Api;
let ns: string;
const managers: Manager[] = [];
const logLines: string[] = [];

function testLogger(): Logger {
  return createLogger({ name: 'int', level: 'debug', stream: { write: (s: string) => (logLines.push(s), true) } });
}

function newManager(extra: Partial<ConstructorParameters<typeof Manager>[0]> = {}): Manager {
  const mgr = new Manager({ kubeConfig: kc, logger: testLogger(), metrics: false, health: false, ...extra });
  managers.push(mgr);
  return mgr;
}

/** waitForCache resolves when predicate holds over the cache, re-checking on every event (no polling). */
function waitForCache<T extends KubernetesObject>(inf: InformerCache<T>, predicate: () => boolean, describe: string, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let unsubscribe: (() => void) | undefined;
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      queueMicrotask(() => unsubscribe?.());
      if (err) reject(err);
      else resolve();
    };
    const timer = setTimeout(
      () => finish(new Error(`timed out after ${timeoutMs} ms waiting for ${describe}; cache holds: ${inf.list(ns).map((o) => `${objectKey(o)}@${o.metadata?.resourceVersion}`).join(', ')}`)),
      timeoutMs,
    );
    const check = () => {
      try {
        if (predicate()) finish();
      } catch (err) {
        finish(err as Error);
      }
    };
    unsubscribe = inf.on(() => check());
    check();
  });
}

function cm(name: string, data: Record<string, string> = {}, labels: Record<string, string> = {}): V1ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, labels }, data };
}

beforeAll(async () => {
  provider = new LocalProvider({ ...LOCAL_DEFAULTS, name: CLUSTER, apiserverPort: PORT, log: (l) => console.error(l) });
  const status = await provider.status();
  let kubeconfig: string;
  if (REUSE && status.state === 'up') {
    kubeconfig = await provider.kubeconfig();
  } else {
    await provider.down();
    kubeconfig = (await provider.up()).kubeconfig;
  }
  kubeconfigPath = kubeconfig;
  kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  core = kc.makeApiClient(CoreV1Api);
  ns = `rt-int-${randomUUID().slice(0, 8)}`;
  await core.createNamespace({ body: { metadata: { name: ns } } });
});

afterAll(async () => {
  await Promise.all(managers.map((m) => m.stop()));
  if (core && ns) await core.deleteNamespace({ name: ns }).catch(() => undefined);
  if (provider && !REUSE) await provider.down();
  const fatal = logLines.filter((l) => l.includes('"level":"fatal"'));
  expect(fatal, 'no fatal log lines').toEqual([]);
});

describe('shared informer', () => {
  it('sees create, update and delete, with namespace and label-selector listing', async () => {
    const mgr = newManager();
    const inf = mgr.informer<V1ConfigMap>('/api/v1/configmaps');
    const events: string[] = [];
    // Only the objects this test makes (the namespace also holds kube-root-ca.crt).
    const mine = (o: V1ConfigMap) => o.metadata?.namespace === ns && ['watched', 'other'].includes(o.metadata?.name ?? '');
    inf.on({
      add: (o) => mine(o) && events.push(`add ${o.metadata?.name}`),
      update: (old, o) => mine(o) && events.push(`update ${o.metadata?.name} ${old.data?.v}->${o.data?.v}`),
      delete: (o) => mine(o) && events.push(`delete ${o.metadata?.name}`),
    });
    await mgr.start();
    expect(inf.hasSynced()).toBe(true);

    await core.createNamespacedConfigMap({ namespace: ns, body: cm('watched', { v: '1' }, { role: 'a' }) });
    await waitForCache(inf, () => inf.get(ns, 'watched')?.data?.v === '1', 'watched to appear');
    // Items carry apiVersion/kind even though list responses omit them.
    expect(inf.get(ns, 'watched')).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap' });

    await core.patchNamespacedConfigMap(
      { name: 'watched', namespace: ns, body: [{ op: 'replace', path: '/data/v', value: '2' }] },
    );
    await waitForCache(inf, () => inf.get(ns, 'watched')?.data?.v === '2', 'watched v=2');

    await core.createNamespacedConfigMap({ namespace: ns, body: cm('other', {}, { role: 'b' }) });
    await waitForCache(inf, () => !!inf.get(ns, 'other'), 'other to appear');
    expect(inf.list(ns, { matchLabels: { role: 'a' } }).map((o) => o.metadata?.name)).toEqual(['watched']);
    expect(inf.list(ns, { matchExpressions: [{ key: 'role', operator: 'In', values: ['a', 'b'] }] }).map((o) => o.metadata?.name).sort()).toEqual([
      'other',
      'watched',
    ]);
    expect(inf.list('kube-system').every((o) => o.metadata?.namespace === 'kube-system')).toBe(true);

    await core.deleteNamespacedConfigMap({ name: 'watched', namespace: ns });
    await waitForCache(inf, () => !inf.get(ns, 'watched'), 'watched to disappear');
    expect(events).toEqual(['add watched', 'update watched 1->2', 'add other', 'delete watched']);

    // A late subscriber gets the current contents replayed as adds.
    const replayed: string[] = [];
    const off = inf.on({ add: (o) => mine(o) && replayed.push(o.metadata?.name ?? '') });
    off();
    expect(replayed).toEqual(['other']);
    await mgr.stop();
  });
});

describe('controllers', () => {
  it('a toy ConfigMap controller converges and reconciles idempotently', async () => {
    const mgr = newManager({ concurrency: 2 });
    const cms = mgr.informer<V1ConfigMap>('/api/v1/configmaps');
    const writes: string[] = [];
    let reconciles = 0;
    // For every ConfigMap labelled toy=source, keep a "<name>-copy" owned by it with the same data.
    mgr.add({
      name: 'toy-copy',
      watches: [
        watch<V1ConfigMap>('/api/v1/configmaps', (ev) => (ev.object.metadata?.labels?.toy === 'source' ? objectKey(ev.object) : undefined)),
        ownedBy('/api/v1/configmaps', 'ConfigMap'),
      ],
      async reconcile(key) {
        reconciles++;
        const { namespace, name } = splitKey(key);
        const src = cms.get(namespace, name);
        if (!src || src.metadata?.deletionTimestamp) return;
        const copy = cms.get(namespace, `${name}-copy`);
        const want = JSON.stringify(src.data ?? {});
        if (!copy) {
          writes.push(`create ${name}-copy`);
          try {
            await core.createNamespacedConfigMap({
              namespace: namespace!,
              body: {
                metadata: {
                  name: `${name}-copy`,
                  namespace,
                  ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name, uid: src.metadata!.uid!, controller: true }],
                },
                data: src.data ?? {},
              },
            });
          } catch (err) {
            // The cache may lag our own create; the name makes the write idempotent.
            if (!isAlreadyExists(err)) throw err;
          }
          return;
        }
        if (JSON.stringify(copy.data ?? {}) !== want) {
          writes.push(`update ${name}-copy`);
          await core.replaceNamespacedConfigMap({ name: `${name}-copy`, namespace: namespace!, body: { ...copy, data: src.data ?? {} } });
        }
      },
    });
    await mgr.start();
    await core.createNamespacedConfigMap({ namespace: ns, body: cm('src', { a: '1' }, { toy: 'source' }) });
    await waitForCache(cms, () => cms.get(ns, 'src-copy')?.data?.a === '1', 'src-copy with a=1');
    await core.patchNamespacedConfigMap({ name: 'src', namespace: ns, body: [{ op: 'replace', path: '/data/a', value: '2' }] });
    await waitForCache(cms, () => cms.get(ns, 'src-copy')?.data?.a === '2', 'src-copy with a=2');

    // The copy's own events enqueue the source again; those reconciles must not write anything.
    const before = reconciles;
    const q = mgr.queue('toy-copy')!;
    for (let i = 0; i < 5; i++) q.add(`${ns}/src`);
    await q.waitIdle();
    expect(reconciles).toBeGreaterThan(before);
    expect(writes).toEqual(['create src-copy', 'update src-copy']);
    const metrics = mgr.metrics;
    expect(metrics.reconcileTotal.get({ controller: 'toy-copy', result: 'success' })).toBe(reconciles);
    expect(metrics.reconcileErrors.get({ controller: 'toy-copy' })).toBe(0);
    await mgr.stop();
  });

  it('expectations prevent a double creation when the cache lags behind the writes', async () => {
    // Children use generateName, so a second create for the same slot would not fail: only the
    // expectations stop it. The controller's view of the cache is held back (events buffered)
    // from its first write until the test releases it, which is what a slow watch looks like.
    async function run(useExpectations: boolean, parentName: string): Promise<number> {
      const mgr = newManager();
      const view = new Map<string, V1ConfigMap>();
      let lagging = false;
      const buffered: Array<InformerEvent<V1ConfigMap>> = [];
      const exp = new Expectations();
      const parentKey = `${ns}/${parentName}`;
      const apply = (ev: InformerEvent<V1ConfigMap>) => {
        if (ev.type === 'delete') view.delete(objectKey(ev.object));
        else view.set(objectKey(ev.object), ev.object);
        if (ev.type === 'add' && ev.object.metadata?.labels?.parent === parentName) exp.creationObserved(parentKey, ev.object.metadata?.name);
      };
      const children = () => [...view.values()].filter((o) => o.metadata?.labels?.parent === parentName).length;
      const name = `lag-${parentName}`;
      mgr.add({
        name,
        concurrency: 1,
        watches: [
          watch<V1ConfigMap>('/api/v1/configmaps', (ev) => {
            if (ev.object.metadata?.namespace !== ns) return;
            if (lagging) buffered.push(ev);
            else apply(ev);
            return ev.object.metadata?.name === parentName ? objectKey(ev.object) : undefined;
          }),
        ],
        async reconcile(key) {
          if (useExpectations && !exp.satisfied(key)) return { requeueAfterMs: exp.remainingMs(key) };
          const missing = 3 - children();
          if (missing <= 0) return;
          lagging = true;
          if (useExpectations) exp.expectCreations(key, missing);
          for (let i = 0; i < missing; i++) {
            try {
              await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { generateName: `${parentName}-`, labels: { parent: parentName } } } });
            } catch (err) {
              if (useExpectations) exp.creationObserved(key); // this one will never arrive
              throw err;
            }
          }
        },
      });
      await mgr.start();
      const q = mgr.queue(name)!;
      const real = mgr.informer<V1ConfigMap>('/api/v1/configmaps');
      const inReal = () => real.list(ns, { matchLabels: { parent: parentName } }).length;
      await core.createNamespacedConfigMap({ namespace: ns, body: cm(parentName) });
      await waitForCache(real, () => inReal() >= 3, `3 children of ${parentName} in the real cache`);
      await q.waitIdle();
      // A second event for the parent arrives while the controller's view is still stale.
      q.add(parentKey);
      await q.waitIdle();
      lagging = false;
      for (const ev of buffered.splice(0)) apply(ev);
      q.add(parentKey);
      await q.waitIdle();
      await mgr.stop();
      const list = await core.listNamespacedConfigMap({ namespace: ns, labelSelector: `parent=${parentName}` });
      return list.items.length;
    }
    // Control: without expectations the stale view makes the controller create a second batch.
    expect(await run(false, 'noexp')).toBe(6);
    expect(await run(true, 'withexp')).toBe(3);
  });
});

describe('leader election', () => {
  const lease = { leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 300 };

  async function readLease(name: string): Promise<V1Lease> {
    return kc.makeApiClient(CoordinationV1Api).readNamespacedLease({ name, namespace: ns });
  }

  it('only one of two managers leads; the other takes over when the leader releases', async () => {
    const name = 'le-handover';
    const started: string[] = [];
    const mk = (id: string) => {
      const mgr = newManager({ leaderElection: { namespace: ns, name, identity: id, ...lease } });
      mgr.add({ name: `ctl-${id}`, watches: [forObject('/api/v1/configmaps')], reconcile: async () => void started.push(id) });
      return mgr;
    };
    const a = mk('a');
    const b = mk('b');
    await a.start();
    expect(a.isLeader()).toBe(true);
    const bStarted = b.start();
    // b observes a's lease and waits; give it several retry periods to (wrongly) take it.
    const early = await Promise.race([bStarted.then(() => 'b started'), new Promise((r) => setTimeout(() => r('b waiting'), 1500))]);
    expect(early).toBe('b waiting');
    expect(b.isLeader()).toBe(false);
    expect((await readLease(name)).spec?.holderIdentity).toBe('a');
    expect(started.every((id) => id === 'a')).toBe(true);

    const t0 = Date.now();
    await a.stop(); // releases the lease
    await bStarted;
    const handover = Date.now() - t0;
    expect(b.isLeader()).toBe(true);
    expect(handover, 'a released lease is taken without waiting for expiry').toBeLessThan(lease.leaseDurationMs);
    const l = await readLease(name);
    expect(l.spec?.holderIdentity).toBe('b');
    expect(l.spec?.leaseTransitions).toBe(1);
    expect((await a.done).leaderLost).toBe(false);
    await b.stop();
  });

  it('a leader that cannot renew stops its controllers and reports leaderLost', async () => {
    const name = 'le-lost';
    const mgr = newManager({ leaderElection: { namespace: ns, name, identity: 'victim', ...lease } });
    mgr.add({ name: 'ctl-victim', watches: [forObject('/api/v1/configmaps')], reconcile: async () => undefined });
    await mgr.start();
    expect(mgr.isLeader()).toBe(true);
    // Someone else grabs the lease (as after a network partition); the victim must step down.
    const api = kc.makeApiClient(CoordinationV1Api);
    const cur = await readLease(name);
    await api.replaceNamespacedLease({ name, namespace: ns, body: { ...cur, spec: { ...cur.spec, holderIdentity: 'intruder', renewTime: new V1MicroTime(), leaseDurationSeconds: 60 } } });
    const reason = await Promise.race([mgr.done, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 15_000))]);
    expect(reason).toEqual({ leaderLost: true });
    expect(mgr.isLeader()).toBe(false);
  });
});

describe('event recorder', () => {
  it('creates an Event and bumps its count on a repeat', async () => {
    const mgr = newManager();
    const recorder = mgr.eventRecorder('kruise-ref-test');
    const obj = (await core.createNamespacedConfigMap({ namespace: ns, body: cm('evented') })) as V1ConfigMap;
    recorder.event({ ...obj, apiVersion: 'v1', kind: 'ConfigMap' }, 'Normal', 'SuccessfulCreate', 'made a thing');
    await recorder.flush();
    recorder.event({ ...obj, apiVersion: 'v1', kind: 'ConfigMap' }, 'Normal', 'SuccessfulCreate', 'made a thing');
    await recorder.flush();
    const events = (await core.listNamespacedEvent({ namespace: ns, fieldSelector: 'involvedObject.name=evented' })).items;
    expect(events.map((e) => ({ reason: e.reason, type: e.type, count: e.count, source: e.source?.component, kind: e.involvedObject.kind }))).toEqual([
      { reason: 'SuccessfulCreate', type: 'Normal', count: 2, source: 'kruise-ref-test', kind: 'ConfigMap' },
    ]);
  });
});

describe('pod readiness controller', () => {
  it('sets KruisePodReady=True on a pod with the readiness gate, and leaves other pods alone', async () => {
    const mgr = newManager();
    mgr.add(podReadinessControllerFactory);
    await mgr.start();
    const pods = mgr.informer<V1Pod>('/api/v1/pods');
    const mk = (name: string, gate: boolean): V1Pod => ({
      metadata: { name, namespace: ns },
      spec: { containers: [{ name: 'c', image: 'nginx' }], readinessGates: gate ? [{ conditionType: KRUISE_POD_READY }] : [] },
    });
    await core.createNamespacedPod({ namespace: ns, body: mk('gated', true) });
    await core.createNamespacedPod({ namespace: ns, body: mk('plain', false) });
    const cond = (name: string) => pods.get(ns, name)?.status?.conditions?.find((c) => c.type === KRUISE_POD_READY);
    await waitForCache(pods, () => cond('gated')?.status === 'True', 'gated pod to get KruisePodReady=True');
    await waitForCache(pods, () => pods.get(ns, 'plain')?.status?.conditions?.some((c) => c.type === 'Ready') ?? false, 'plain pod to be reported by the simulated kubelet');
    await mgr.queue('pod-readiness-controller')!.waitIdle();
    expect(cond('plain')).toBeUndefined();
    // With the gate satisfied the pod becomes Ready.
    await waitForCache(pods, () => pods.get(ns, 'gated')?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True', 'gated pod Ready');
    await mgr.stop();
  });
});

describe('HTTP endpoints', () => {
  it('serves /metrics, /healthz and /readyz', async () => {
    const mgr = newManager({ metrics: { host: '127.0.0.1', port: 0 }, health: { host: '127.0.0.1', port: 0 } });
    let gate = false;
    mgr.addReadyCheck('test-gate', () => gate);
    mgr.add({ name: 'http-ctl', watches: [forObject('/api/v1/configmaps')], reconcile: async () => undefined });
    await mgr.start();
    const health = `http://127.0.0.1:${mgr.healthPort}`;
    expect((await fetch(`${health}/healthz`)).status).toBe(200);
    const notReady = await fetch(`${health}/readyz?verbose`);
    expect(notReady.status).toBe(500);
    expect(await notReady.text()).toContain('[-]test-gate failed');
    gate = true;
    const ready = await fetch(`${health}/readyz?verbose`);
    expect(ready.status).toBe(200);
    expect(await ready.text()).toContain('[+]informers-synced ok');
    await core.createNamespacedConfigMap({ namespace: ns, body: cm('metrics-probe') });
    const inf = mgr.informer<V1ConfigMap>('/api/v1/configmaps');
    await waitForCache(inf, () => !!inf.get(ns, 'metrics-probe'), 'metrics-probe');
    const res = await fetch(`http://127.0.0.1:${mgr.metricsPort}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const text = await res.text();
    for (const series of [
      'controller_runtime_reconcile_total{controller="http-ctl",result="success"}',
      'controller_runtime_reconcile_time_seconds_bucket{controller="http-ctl",le="+Inf"}',
      'workqueue_adds_total{name="http-ctl"}',
      'workqueue_depth{name="http-ctl"}',
    ]) {
      expect(text, series).toContain(series);
    }
    await mgr.stop();
    await expect(fetch(`${health}/healthz`)).rejects.toThrow();
  });
});

describe('kruise-ref manager process', () => {
  const cli = fileURLToPath(new URL('../cmd/kruise-ref.ts', import.meta.url));
  const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

  async function freePort(): Promise<number> {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as AddressInfo).port;
    await new Promise((r) => srv.close(r));
    return port;
  }

  async function waitReady(url: string, child: { exitCode: number | null }, timeoutMs = 30_000): Promise<void> {
    // Readiness is an HTTP endpoint of another process: nothing to watch, so poll it.
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer';
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`manager exited with ${child.exitCode} before becoming ready`);
      try {
        const res = await fetch(url);
        if (res.ok) return;
        last = `HTTP ${res.status}: ${await res.text()}`;
      } catch (err) {
        last = (err as Error).message;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`manager not ready after ${timeoutMs} ms (${url}: ${last})`);
  }

  async function startCli(extra: string[], opts: { webhooks?: boolean; controllers?: string } = {}) {
    const health = await freePort();
    const metrics = await freePort();
    const child = execa(tsx, [cli, 'manager', `--kubeconfig=${kubeconfigPath}`, `--health-port=${health}`, `--metrics-port=${metrics}`, '--health-host=127.0.0.1', '--metrics-host=127.0.0.1', ...(opts.webhooks ? [] : ['--no-webhooks']), `--controllers=${opts.controllers ?? 'podreadiness'}`, ...extra], {
      reject: false,
      all: true,
      env: { KRUISE_REF_LOG_LEVEL: 'info' },
    });
    await waitReady(`http://127.0.0.1:${health}/readyz`, child);
    return { child, health, metrics };
  }

  it('with every controller and the webhooks: ready, then a graceful SIGTERM (exit 0, no fatal line, configurations removed)', async () => {
    // The CRDs the controllers watch and the webhook probe needs.
    const ext = kc.makeApiClient(ApiextensionsV1Api);
    const crdDir = fileURLToPath(new URL('../crds/', import.meta.url));
    for (const f of readdirSync(crdDir).filter((n) => n.endsWith('.yaml'))) {
      // loadYaml deserialises into the client's models, so x-kubernetes-* schema keys survive serialisation.
      const body = loadYaml<V1CustomResourceDefinition>(readFileSync(join(crdDir, f), 'utf8'));
      await ext.createCustomResourceDefinition({ body }).catch((err: unknown) => {
        if (!isAlreadyExists(err)) throw err;
      });
    }
    const webhookPort = await freePort();
    const { child, metrics, health } = await startCli(['--webhook-host=127.0.0.1', `--webhook-port=${webhookPort}`], { webhooks: true, controllers: '*' });
    const ready = await (await fetch(`http://127.0.0.1:${health}/readyz?verbose`)).text();
    expect(ready).toContain('[+]webhook ok');
    const admission = kc.makeApiClient(AdmissionregistrationV1Api);
    const hook = await admission.readValidatingWebhookConfiguration({ name: 'kruise-ref-validating' });
    expect(hook.webhooks?.[0]?.clientConfig.url).toContain(`https://127.0.0.1:${webhookPort}/`);
    const text = await (await fetch(`http://127.0.0.1:${metrics}/metrics`)).text();
    for (const c of ['cloneset-controller', 'pod-readiness-controller', 'statefulset-controller']) {
      expect(text).toContain(`controller_runtime_max_concurrent_reconciles{controller="${c}"}`);
    }
    child.kill('SIGTERM');
    const r = await child;
    const lines = (r.all ?? '').split('\n').filter((l) => l.startsWith('{'));
    expect(lines.filter((l) => l.includes('"level":"fatal"'))).toEqual([]);
    expect(lines.some((l) => l.includes('"msg":"manager stopped"'))).toBe(true);
    expect(r.exitCode).toBe(0);
    await expect(admission.readValidatingWebhookConfiguration({ name: 'kruise-ref-validating' })).rejects.toMatchObject({ code: 404 });
  });

  it('exits non-zero when it loses the lease', async () => {
    const { child } = await startCli([
      '--leader-elect',
      `--leader-election-namespace=${ns}`,
      '--leader-election-id=cli-lease',
      '--lease-duration-seconds=3',
      '--renew-deadline-seconds=2',
      '--retry-period-seconds=1',
    ]);
    // Readiness does not wait for leadership (a standby serves webhooks), so watch for the lease.
    const leases = new SharedInformer<V1Lease>(kc, `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`, testLogger());
    leases.start();
    await waitForCache(leases, () => !!leases.get(ns, 'cli-lease')?.spec?.holderIdentity, 'cli-lease to be held');
    await leases.stop();
    const api = kc.makeApiClient(CoordinationV1Api);
    const cur = await api.readNamespacedLease({ name: 'cli-lease', namespace: ns });
    expect(cur.spec?.holderIdentity).toMatch(/_\d+$/);
    await api.replaceNamespacedLease({
      name: 'cli-lease',
      namespace: ns,
      body: { ...cur, spec: { ...cur.spec, holderIdentity: 'intruder', renewTime: new V1MicroTime(), leaseDurationSeconds: 60 } },
    });
    const r = await child;
    expect(r.all).toContain('leader election lost');
    expect(r.exitCode).toBe(1);
  });
});

