import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { clusterDir } from '../../harness/clusters/state.ts';
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
