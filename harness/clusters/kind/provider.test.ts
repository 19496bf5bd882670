import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import '../providers.ts';
import { ProviderError } from '../provider.ts';
import { createProvider } from '../registry.ts';
import { clusterDir } from '../state.ts';
import type { CommandResult, CommandRunner } from './engine.ts';
import type { LocalNodeImage } from './node-image.ts';
import { type KindOptions, KindProvider } from './provider.ts';

const ok: CommandResult = { exitCode: 0, stdout: 'ok', stderr: '' };
const refused: CommandResult = { exitCode: 1, stdout: '', stderr: 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' };

function runner(answers: Record<string, CommandResult>): CommandRunner & { calls: string[] } {
  const calls: string[] = [];
  const run = (async (file: string, args: string[], _timeoutMs: number) => {
    const cmd = [file, ...args].join(' ');
    calls.push(cmd);
    const key = Object.keys(answers).find((k) => cmd.startsWith(k));
    return key ? answers[key]! : { exitCode: 127, stdout: '', stderr: `unexpected: ${cmd}` };
  }) as CommandRunner & { calls: string[] };
  run.calls = calls;
  return run;
}

async function upError(p: KindProvider): Promise<ProviderError> {
  try {
    await p.up();
  } catch (err) {
    if (err instanceof ProviderError) return err;
    throw err;
  }
  throw new Error('expected up to fail');
}

describe('kind provider before anything is created', () => {
  let cache: string;
  let kindLog: string;
  const keys = ['KRUISE_CONFORMANCE_CACHE', 'KRUISE_CONFORMANCE_KIND_BINARY', 'KRUISE_CONFORMANCE_KUBECTL_BINARY'] as const;
  const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]));

  beforeEach(() => {
    cache = mkdtempSync(join(tmpdir(), 'kc-kind-unit-'));
    kindLog = join(cache, 'kind-calls.log');
    // A stand-in kind binary: records its arguments and provider, lists one foreign cluster.
    const fakeKind = join(cache, 'kind');
    writeFileSync(fakeKind, `#!/bin/sh\necho "$* provider=$KIND_EXPERIMENTAL_PROVIDER" >> '${kindLog}'\n[ "$1" = get ] && echo someone-elses\nexit 0\n`);
    chmodSync(fakeKind, 0o755);
    process.env.KRUISE_CONFORMANCE_CACHE = cache;
    process.env.KRUISE_CONFORMANCE_KIND_BINARY = fakeKind;
    process.env.KRUISE_CONFORMANCE_KUBECTL_BINARY = fakeKind;
  });
  afterEach(() => {
    for (const k of keys) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    rmSync(cache, { recursive: true, force: true });
  });
  const kindCalls = () => (existsSync(kindLog) ? readFileSync(kindLog, 'utf8').trim().split('\n') : []);
  // The node image built here, faked: records each ensure(), builds nothing.
  let ensured: number;
  let buildFails: ProviderError | undefined;
  const localImage: LocalNodeImage = {
    kubernetesVersion: 'v1.34.10',
    repository: 'localhost/kruise-conformance/kind-node',
    async ensure() {
      ensured++;
      if (buildFails) throw buildFails;
      return 'localhost/kruise-conformance/kind-node:v1.34.10-abc';
    },
  };
  beforeEach(() => {
    ensured = 0;
    buildFails = undefined;
  });
  const provider = (run: CommandRunner, name = 'unit', more: Partial<KindOptions> = {}) => new KindProvider({ name, featureGates: {}, log: () => {}, run, localImage, offlineParts: async () => ({ csiArchives: ['/cache/kc-csi.tar'], nodeRegistry: '/cache/kc-node-registry' }), ...more });
  const absent: CommandResult = { exitCode: 125, stdout: '', stderr: 'Error: image not known' };

  it('is what `--provider kind` creates', () => {
    expect(createProvider({ provider: 'kind', name: 'unit', log: () => {} })).toBeInstanceOf(KindProvider);
  });

  it('without a container engine: fails with the engine error, never runs kind, keeps nothing', async () => {
    const run = runner({ 'docker info': refused, 'podman version': { exitCode: undefined, stdout: '', stderr: '', failure: 'missing' } });
    const err = await upError(provider(run));
    expect(err.message).toMatch(/^the kind provider needs a running container engine, and none answers \(docker: Cannot connect.*; podman is not installed\)$/);
    expect(run.calls.every((c) => /^(docker info|podman version) /.test(c)), run.calls.join('\n')).toBe(true);
    expect(kindCalls()).toEqual([]);
    expect(existsSync(clusterDir('kind', 'unit'))).toBe(false);
  });

  it('without the node image of a release not built here: names it, never builds or runs kind, keeps nothing', async () => {
    const run = runner({ 'docker info': ok, 'podman version': ok, 'docker image inspect': { exitCode: 1, stdout: '', stderr: 'Error: No such image' }, 'podman image inspect': absent });
    const err = await upError(provider(run, 'unit', { kubernetesVersion: '1.32' }));
    expect(err.message).toBe('the kind node image docker.io/kindest/node:v1.32.13 is not present locally, and the node image built on this machine is Kubernetes v1.34.10 only');
    expect(err.fix).toMatch(/docker pull docker\.io\/kindest\/node:v1\.32\.13.*--kubernetes-version 1\.34/);
    expect(run.calls.filter((c) => c.includes('image inspect')), 'both engines asked').toHaveLength(2);
    expect(ensured).toBe(0);
    expect(kindCalls(), 'kind only listed its clusters').toEqual(['get clusters provider=', 'get clusters provider=podman']);
    expect(existsSync(clusterDir('kind', 'unit'))).toBe(false);
  });

  it('checks an --image override rather than the table\'s image, and builds nothing', async () => {
    const run = runner({ 'docker info': ok, 'podman version': ok, 'docker image inspect': { exitCode: 1, stdout: '', stderr: '' } });
    const err = await upError(provider(run, 'unit', { image: 'my/node:v1.33.0' }));
    expect(err.message).toContain('my/node:v1.33.0');
    expect(run.calls).toContain('docker image inspect --format {{.Id}} my/node:v1.33.0');
    expect(ensured).toBe(0);
  });

  it('uses upstream kindest/node where an engine holds it, without building', async () => {
    const run = runner({ 'docker info': refused, 'podman version': ok, 'podman image inspect': ok });
    const got = await provider(run).preflight();
    expect(got).toMatchObject({ engine: 'podman', image: 'docker.io/kindest/node:v1.34.10', offline: false });
    expect(got.csiArchives, 'no offline parts for upstream\'s image').toBeUndefined();
    expect(ensured).toBe(0);
  });

  it('falls back to the node image built here when upstream\'s is absent (pinned release, podman)', async () => {
    const run = runner({ 'docker info': refused, 'podman version': ok, 'podman image inspect': absent });
    const lines: string[] = [];
    const got = await provider(run, 'unit', { log: (l) => lines.push(l) }).preflight();
    expect(got).toMatchObject({ engine: 'podman', image: 'localhost/kruise-conformance/kind-node:v1.34.10-abc', offline: true, csiArchives: ['/cache/kc-csi.tar'], nodeRegistry: '/cache/kc-node-registry' });
    expect(ensured).toBe(1);
    expect(lines.join('\n')).toMatch(/docker\.io\/kindest\/node:v1\.34\.10 is not present; using the node image built on this machine/);
  });

  it('refuses a taken name before any image is looked up or built', async () => {
    const run = runner({ 'docker info': refused, 'podman version': ok, 'podman image inspect': absent });
    const err = await upError(provider(run, 'someone-elses'));
    expect(err.message).toMatch(/"someone-elses" already exists/);
    expect(run.calls.filter((c) => c.includes('image inspect'))).toEqual([]);
    expect(ensured).toBe(0);
  });

  it('says why when the node image cannot be built, and keeps nothing', async () => {
    buildFails = new ProviderError('cannot build the kind node image here: make kind-image needs root', 'run `make kind-image` as root and read its output');
    const run = runner({ 'docker info': refused, 'podman version': ok, 'podman image inspect': absent });
    const err = await upError(provider(run));
    expect(err).toBe(buildFails);
    expect(kindCalls(), 'kind only listed its clusters').toEqual(['get clusters provider=podman']);
    expect(existsSync(clusterDir('kind', 'unit'))).toBe(false);
  });

  it('with docker only and no upstream image: the local build needs podman, and says so', async () => {
    const run = runner({ 'docker info': ok, 'podman version': { exitCode: undefined, stdout: '', stderr: '', failure: 'missing' }, 'docker image inspect': { exitCode: 1, stdout: '', stderr: '' } });
    const err = await upError(provider(run));
    expect(err.message).toMatch(/not present in docker, and the node image built on this machine needs rootful podman/);
    expect(err.fix).toMatch(/make kind-image/);
    expect(ensured).toBe(0);
  });

  it('an --image of the local build is looked up in podman even when docker answers', async () => {
    const run = runner({ 'docker info': ok, 'podman version': ok, 'podman image inspect': ok });
    const got = await provider(run, 'unit', { image: 'localhost/kruise-conformance/kind-node:v1.34.10-old' }).preflight();
    expect(run.calls).toContain('podman image inspect --format {{.Id}} localhost/kruise-conformance/kind-node:v1.34.10-old');
    expect(got).toMatchObject({ engine: 'podman', offline: true });
  });

  it('refuses a kind cluster of the same name that it did not create, and leaves it alone', async () => {
    const run = runner({ 'docker info': refused, 'podman version': ok, 'podman image inspect': ok });
    const err = await upError(provider(run, 'someone-elses'));
    expect(err.message).toMatch(/a kind cluster named "someone-elses" already exists, and the harness did not create it/);
    expect(kindCalls(), 'only listed, with podman selected').toEqual(['get clusters provider=podman']);
    expect(existsSync(clusterDir('kind', 'someone-elses'))).toBe(false);

    await provider(run, 'someone-elses').down();
    expect(kindCalls(), 'down does not delete a cluster the harness has no record of').toEqual(['get clusters provider=podman']);
  });

  it('reports down and refuses kubeconfig and loadImage for a cluster that is not up', async () => {
    const p = provider(runner({}));
    expect(await p.status()).toEqual({ provider: 'kind', name: 'unit', state: 'down' });
    await expect(p.kubeconfig()).rejects.toThrow(/kind cluster "unit" is not up/);
    await expect(p.loadImage('img:1')).rejects.toThrow(/kind cluster "unit" is not up/);
  });
});
