import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { findContainerEngine } from '../../harness/clusters/kind/engine.ts';
import { KindProvider } from '../../harness/clusters/kind/provider.ts';
import { ProviderError } from '../../harness/clusters/provider.ts';
import { clusterDir } from '../../harness/clusters/state.ts';
import { loadKubeConfig } from '../../harness/kube/client.ts';
import { MANAGED_BY } from '../../harness/kube/namespace.ts';
import { waitForObject } from '../../harness/kube/wait.ts';
import { REPO_ROOT } from '../../harness/tools/cache.ts';
import { processesMentioning } from '../../harness/util/processes.ts';

const TSX = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
const MAIN = join(REPO_ROOT, 'harness', 'cli', 'main.ts');

function cli(args: string[], env: Record<string, string> = {}): ResultPromise<{ reject: false; all: true }> {
  return execa(TSX, [MAIN, ...args], { reject: false, all: true, env, cwd: REPO_ROOT, timeout: 120_000 });
}

/** The CLI's contract for errors a user can act on: exactly one line, naming the problem and the fix. */
function expectOneLineError(result: { exitCode?: number; stderr: string; stdout: string }, problem: RegExp) {
  const lines = result.stderr.trim().split('\n').filter(Boolean);
  expect(result.exitCode, `exit code; stderr:\n${result.stderr}`).not.toBe(0);
  expect(lines, `stderr should be one line:\n${result.stderr}`).toHaveLength(1);
  expect(lines[0]).toMatch(problem);
  expect(lines[0]).toMatch(/\(fix: .+\)$/);
}

describe('cluster CLI: bad input gets one clear line with the fix', () => {
  it('rejects an unknown provider', async () => {
    const r = await cli(['cluster', 'up', '--provider', 'nope']);
    expectOneLineError(r, /unknown provider "nope"/);
    expect(r.stderr).toMatch(/--provider local/);
  });

  it('names the missing tool and `make tools` when the cache is empty', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'kc-empty-cache-'));
    try {
      const r = await cli(['cluster', 'up', '--name', 'no-tools', '--port', '36471'], { KRUISE_CONFORMANCE_CACHE: empty });
      expectOneLineError(r, /missing tools: kube-apiserver v1\.34\.\d+ is not built/);
      expect(r.stderr).toMatch(/make tools/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('names a user-supplied tool that does not exist', async () => {
    const r = await cli(['cluster', 'up', '--name', 'bad-tool', '--port', '36472'], { KRUISE_CONFORMANCE_KWOKCTL_BINARY: '/nonexistent/kwokctl' });
    expectOneLineError(r, /KRUISE_CONFORMANCE_KWOKCTL_BINARY=\/nonexistent\/kwokctl is not an executable file/);
  });

  it('refuses a port already in use', async () => {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(36473, '127.0.0.1', resolve));
    try {
      const r = await cli(['cluster', 'up', '--name', 'port-taken', '--port', '36473']);
      expectOneLineError(r, /port 36473 on 127\.0\.0\.1 is already in use/);
      expect(existsSync(clusterDir('local', 'port-taken')), 'nothing was left behind').toBe(false);
    } finally {
      server.close();
    }
  });

  it('refuses a second up of a cluster that is already up', async () => {
    const r = await cli(['cluster', 'up', '--name', inject('clusterName'), '--port', String(inject('apiserverPort') + 1)]);
    expectOneLineError(r, new RegExp(`local cluster "${inject('clusterName')}" is already up`));
  });

  it('prints the kubeconfig path alone on the last line', async () => {
    const r = await cli(['cluster', 'kubeconfig', '--name', inject('clusterName')]);
    expect(r.exitCode).toBe(0);
    const last = r.stdout.trim().split('\n').at(-1);
    expect(last).toBe(inject('kubeconfig'));
    expect(readFileSync(last!, 'utf8')).toMatch(/server: https:\/\/127\.0\.0\.1:/);
  });
});

describe('cluster lifecycle leaves nothing behind', () => {
  const names = ['lifecycle-down', 'lifecycle-ctrlc'];
  afterAll(async () => {
    for (const name of names) await cli(['cluster', 'down', '--name', name]);
  });

  it('down removes every process and directory of a cluster, within 5 s', async () => {
    const up = await cli(['cluster', 'up', '--name', 'lifecycle-down', '--port', '36474']);
    expect(up.exitCode, up.all).toBe(0);
    const dir = clusterDir('local', 'lifecycle-down');
    expect(processesMentioning(dir).length, 'etcd, apiserver, controller-manager, scheduler and kwok run').toBeGreaterThanOrEqual(5);

    const down = await cli(['cluster', 'down', '--name', 'lifecycle-down']);
    expect(down.exitCode, down.all).toBe(0);
    const seconds = Number(/is down \(([\d.]+) s\)/.exec(down.stdout)?.[1]);
    expect(seconds, down.stdout).toBeLessThan(5);
    expect(processesMentioning(dir), 'no process of the cluster is left').toEqual([]);
    expect(existsSync(dir), `${dir} is removed`).toBe(false);
    const status = await cli(['cluster', 'status', '--name', 'lifecycle-down']);
    expect(status.stdout).toMatch(/local\/lifecycle-down: down/);
  });

  it('Ctrl-C during up stops everything it started', async () => {
    const dir = clusterDir('local', 'lifecycle-ctrlc');
    const child = execa(TSX, [MAIN, 'cluster', 'up', '--name', 'lifecycle-ctrlc', '--port', '36475'], { reject: false, all: true, cwd: REPO_ROOT });
    // Interrupt once the control plane's processes exist: the moment that needs cleaning up.
    const deadline = Date.now() + 60_000;
    while (processesMentioning(join(dir, 'kwok')).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(processesMentioning(join(dir, 'kwok')).length, 'control-plane processes started before the interrupt').toBeGreaterThanOrEqual(2);
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode, result.all).toBe(130);
    expect(result.all).toMatch(/interrupted; everything it started was removed/);
    expect(processesMentioning(dir), 'no process of the interrupted cluster is left').toEqual([]);
    expect(existsSync(dir), `${dir} is removed`).toBe(false);
  });
});

describe('kind provider without a container engine fails fast and keeps nothing', () => {
  // A stand-in kind binary that records any call: the checks must come before kind is run at all.
  let scratch: string;
  let kindCalls: string;
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'kc-kind-cli-'));
    kindCalls = join(scratch, 'kind-calls.log');
    writeFileSync(join(scratch, 'kind'), `#!/bin/sh\necho "$*" >> '${kindCalls}'\n`);
    chmodSync(join(scratch, 'kind'), 0o755);
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('on this machine: one line naming the engine problem, within seconds', async (ctx) => {
    const engine = await findContainerEngine().catch(() => undefined);
    if (engine) ctx.skip(`${engine} answers on this machine, so \`cluster up --provider kind\` would really create a cluster`);
    const name = 'cli-kind-failfast';
    // The CLI's start-up (tsx, imports) is measured with a command that fails before any provider work.
    let started = performance.now();
    await cli(['cluster', 'up', '--provider', 'nope']);
    const baseline = (performance.now() - started) / 1000;
    started = performance.now();
    const r = await cli(['cluster', 'up', '--provider', 'kind', '--name', name], { KRUISE_CONFORMANCE_KIND_BINARY: join(scratch, 'kind') });
    const seconds = (performance.now() - started) / 1000;
    expectOneLineError(r, /^kruise-conformance: the kind provider needs a running container engine, and none answers \(docker.+; podman.+\) \(fix: /);
    // Relative to the start-up alone: a loaded machine slows both. A cluster create would take minutes.
    console.error(`kind fail-fast: ${seconds.toFixed(2)} s for the CLI, ${baseline.toFixed(2)} s for its start-up alone`);
    expect(seconds, `kind up took ${seconds.toFixed(2)} s, an unknown provider ${baseline.toFixed(2)} s`).toBeLessThan(baseline + 10);
    expect(existsSync(kindCalls), `kind was run:\n${existsSync(kindCalls) ? readFileSync(kindCalls, 'utf8') : ''}`).toBe(false);
    expect(existsSync(clusterDir('kind', name)), 'no state directory').toBe(false);
    const status = await cli(['cluster', 'status', '--provider', 'kind', '--name', name]);
    expect(status.stdout).toMatch(new RegExp(`kind/${name}: down`));
  });

  it('on this machine: the checks before kind create take under 2 s', async (ctx) => {
    const engine = await findContainerEngine().catch(() => undefined);
    if (engine) ctx.skip(`${engine} answers on this machine, so up would really create a cluster`);
    const provider = new KindProvider({ name: 'cli-kind-checks', featureGates: {}, log: () => {} });
    const started = performance.now();
    const err = await provider.up().then(
      () => undefined,
      (e: unknown) => e,
    );
    const ms = performance.now() - started;
    console.error(`kind fail-fast: the checks took ${ms.toFixed(0)} ms`);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).message).toMatch(/none answers/);
    expect(ms).toBeLessThan(2000);
    expect(existsSync(clusterDir('kind', 'cli-kind-checks'))).toBe(false);
  });

  it('with neither docker nor podman on PATH: says both are missing, and down has nothing to do', async () => {
    // PATH holds only node, so the result does not depend on what this machine has installed.
    const bin = join(scratch, 'bin');
    mkdirSync(bin);
    symlinkSync(process.execPath, join(bin, 'node'));
    const env = { PATH: bin, KRUISE_CONFORMANCE_KIND_BINARY: join(scratch, 'kind') };
    const r = await cli(['cluster', 'up', '--provider', 'kind', '--name', 'cli-kind-noengine'], env);
    expectOneLineError(r, /none answers \(docker is not installed; podman is not installed\)/);
    expect(existsSync(clusterDir('kind', 'cli-kind-noengine'))).toBe(false);
    const down = await cli(['cluster', 'down', '--provider', 'kind', '--name', 'cli-kind-noengine'], env);
    expect(down.exitCode, down.all).toBe(0);
    expect(existsSync(kindCalls), 'kind was never run').toBe(false);
  });
});

describe('existing provider borrows a cluster and gives back only what the harness made', () => {
  // A local cluster plays the part of the user's cluster.
  const name = 'cli-existing';
  let kubeconfig: string;
  const borrow = (extra: string[] = [], env: Record<string, string> = {}) => cli(['cluster', 'up', '--provider', 'existing', '--name', name, ...extra], env);

  beforeAll(async () => {
    await cli(['cluster', 'down', '--provider', 'existing', '--name', name]);
    await cli(['cluster', 'down', '--name', name]);
    const up = await cli(['cluster', 'up', '--name', name, '--port', '36476']);
    expect(up.exitCode, up.all).toBe(0);
    kubeconfig = up.stdout.trim().split('\n').at(-1)!;
  }, 180_000);
  afterAll(async () => {
    await cli(['cluster', 'down', '--provider', 'existing', '--name', name]);
    await cli(['cluster', 'down', '--name', name]);
  });

  it('refuses without --allow-existing-cluster, and records nothing', async () => {
    const r = await borrow(['--kubeconfig', kubeconfig]);
    expectOneLineError(r, /refusing to run against a cluster the harness did not create without --allow-existing-cluster/);
    expect(existsSync(clusterDir('existing', name))).toBe(false);
  });

  it('refuses without --kubeconfig, even when $KUBECONFIG points at a cluster', async () => {
    const r = await borrow(['--allow-existing-cluster'], { KUBECONFIG: kubeconfig });
    expectOneLineError(r, /the existing provider needs --kubeconfig <file> \(\$KUBECONFIG is set, but the harness never uses it implicitly\)/);
    expect(existsSync(clusterDir('existing', name))).toBe(false);
  });

  it('borrows it with a single-context kubeconfig, then down deletes only the labelled namespace', async () => {
    const up = await borrow(['--kubeconfig', kubeconfig, '--allow-existing-cluster']);
    expect(up.exitCode, up.all).toBe(0);
    const copy = up.stdout.trim().split('\n').at(-1)!;
    expect(copy.startsWith(clusterDir('existing', name)), `${copy} is in the provider's state directory`).toBe(true);
    const doc = parseYaml(readFileSync(copy, 'utf8')) as { contexts: { name: string }[]; 'current-context': string; clusters: { cluster: { server: string } }[] };
    expect(doc.contexts.map((c) => c.name)).toEqual([doc['current-context']]);
    expect(doc.clusters[0]!.cluster.server).toBe('https://127.0.0.1:36476');
    // Capabilities are detected from the cluster: zones and expansion yes, real kubelets no (kwok).
    const caps = /capabilities: (.*)/.exec(up.stdout)?.[1]?.split(', ') ?? [];
    expect(caps, up.stdout).toEqual(expect.arrayContaining(['Zones', 'VolumeExpansion', 'InPlaceResize']));
    expect(caps).not.toContain('RealKubelet');
    expect((await cli(['cluster', 'status', '--provider', 'existing', '--name', name])).stdout).toMatch(new RegExp(`existing/${name}: up`));

    const kc = loadKubeConfig(kubeconfig);
    const core = kc.makeApiClient(CoreV1Api);
    const ours = (await core.createNamespace({ body: { metadata: { generateName: 'cli-existing-ours-', labels: { ...MANAGED_BY } } } })).metadata!.name!;
    const theirs = (await core.createNamespace({ body: { metadata: { generateName: 'cli-existing-theirs-' } } })).metadata!.name!;
    try {
      const down = await cli(['cluster', 'down', '--provider', 'existing', '--name', name]);
      expect(down.exitCode, down.all).toBe(0);
      expect(down.stderr).toContain(ours);
      expect(down.stderr).not.toContain(theirs);
      // down waits for the deletion, so the labelled namespace is already gone.
      await waitForObject(kc, '/api/v1/namespaces', ours, (ns) => ns === undefined, { timeoutMs: 1000, describe: `namespace ${ours} to be gone after down` });
      const kept = await core.readNamespace({ name: theirs });
      expect(kept.status?.phase, `unlabelled namespace ${theirs}`).toBe('Active');
      expect(existsSync(clusterDir('existing', name)), 'the borrowed cluster is forgotten').toBe(false);
      expect((await cli(['cluster', 'status', '--provider', 'existing', '--name', name])).stdout).toMatch(new RegExp(`existing/${name}: down`));
      const server = await core.readNamespace({ name: 'kube-system' });
      expect(server.metadata?.name, 'the cluster itself is still there').toBe('kube-system');
    } finally {
      await core.deleteNamespace({ name: theirs }).catch(() => undefined);
    }
  });
});
