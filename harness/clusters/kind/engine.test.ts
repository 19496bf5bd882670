import { describe, expect, it } from 'vitest';
import { ProviderError } from '../provider.ts';
import { type CommandResult, type CommandRunner, ENGINE_PROBE_TIMEOUT_MS, IMAGE_PROBE_TIMEOUT_MS, findContainerEngine, findContainerEngines, hasImage, requireNodeImage } from './engine.ts';

const ok: CommandResult = { exitCode: 0, stdout: '28.2.2', stderr: '' };
const noDaemon: CommandResult = { exitCode: 1, stdout: '', stderr: 'Client: ...\nCannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n' };
const missing: CommandResult = { exitCode: undefined, stdout: '', stderr: '', failure: 'missing' };
const hung: CommandResult = { exitCode: undefined, stdout: '', stderr: '', failure: 'timeout' };

/** A runner that answers from a table keyed by "file arg0 arg1" and records every call. */
function fakeRunner(answers: Record<string, CommandResult>): CommandRunner & { calls: { cmd: string; timeoutMs: number }[] } {
  const calls: { cmd: string; timeoutMs: number }[] = [];
  const run = (async (file: string, args: string[], timeoutMs: number) => {
    const cmd = [file, ...args].join(' ');
    calls.push({ cmd, timeoutMs });
    const key = Object.keys(answers).find((k) => cmd.startsWith(k));
    if (!key) throw new Error(`unexpected command: ${cmd}`);
    return answers[key]!;
  }) as CommandRunner & { calls: typeof calls };
  run.calls = calls;
  return run;
}

async function providerError(p: Promise<unknown>): Promise<ProviderError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ProviderError) return err;
    throw err;
  }
  throw new Error('expected a ProviderError, but the call succeeded');
}

describe('findContainerEngine', () => {
  it('prefers docker when its daemon answers', async () => {
    expect(await findContainerEngine(fakeRunner({ 'docker info': ok, 'podman version': ok }))).toBe('docker');
  });

  it('uses podman when docker does not answer', async () => {
    expect(await findContainerEngine(fakeRunner({ 'docker info': noDaemon, 'podman version': ok }))).toBe('podman');
  });

  it('fails with one line that gives each engine\'s reason and the fix', async () => {
    const err = await providerError(findContainerEngine(fakeRunner({ 'docker info': noDaemon, 'podman version': missing })));
    expect(err.message).toBe(
      'the kind provider needs a running container engine, and none answers (docker: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?; podman is not installed)',
    );
    expect(err.fix).toMatch(/make kind-image.*setup-podman\.sh.*start the Docker daemon.*--provider local/);
    expect(`${err.message} ${err.fix}`).not.toContain('\n');
  });

  it('gives up on a hung daemon at its deadline and says so', async () => {
    const run = fakeRunner({ 'docker info': hung, 'podman version': missing });
    const err = await providerError(findContainerEngine(run));
    expect(err.message).toContain(`docker did not answer within ${(ENGINE_PROBE_TIMEOUT_MS / 1000).toFixed(1)} s`);
    expect(run.calls.map((c) => c.timeoutMs)).toEqual([ENGINE_PROBE_TIMEOUT_MS, ENGINE_PROBE_TIMEOUT_MS]);
  });

  it('answers about the engines within a second, and gives an answering engine longer for the image', () => {
    expect(ENGINE_PROBE_TIMEOUT_MS, 'no working engine is reported within about a second').toBeLessThanOrEqual(1000);
    expect(IMAGE_PROBE_TIMEOUT_MS, 'an engine that answered gets longer for its storage').toBeGreaterThan(ENGINE_PROBE_TIMEOUT_MS);
  });
});

describe('requireNodeImage', () => {
  it('passes when the engine has the image', async () => {
    const run = fakeRunner({ 'docker image inspect': ok });
    await requireNodeImage('docker', 'kindest/node:v1.34.10', 'v1.34.10', run);
    expect(run.calls.map((c) => c.cmd)).toEqual(['docker image inspect --format {{.Id}} kindest/node:v1.34.10']);
  });

  it('names the image and how to build it when it is absent', async () => {
    const err = await providerError(requireNodeImage('podman', 'kindest/node:v1.32.13', 'v1.32.13', fakeRunner({ 'podman image inspect': { exitCode: 125, stdout: '', stderr: 'Error: kindest/node:v1.32.13: image not known' } })));
    expect(err.message).toBe('the kind node image kindest/node:v1.32.13 is not present locally (podman has no image kindest/node:v1.32.13)');
    expect(err.fix).toContain('make kind-image');
    expect(err.fix, 'kind build node-image cannot run offline: not suggested').not.toContain('kind build');
    expect(err.fix).toContain('podman pull kindest/node:v1.32.13');
  });
});

describe('findContainerEngines and hasImage', () => {
  it('lists every engine that answers, docker first', async () => {
    expect(await findContainerEngines(fakeRunner({ 'docker info': ok, 'podman version': ok }))).toEqual(['docker', 'podman']);
    expect(await findContainerEngines(fakeRunner({ 'docker info': missing, 'podman version': ok }))).toEqual(['podman']);
  });

  it('tells present from absent, and fails loudly on an engine that hangs', async () => {
    expect(await hasImage('podman', 'docker.io/kindest/node:v1.34.10', fakeRunner({ 'podman image inspect': ok }))).toBe(true);
    expect(await hasImage('podman', 'docker.io/kindest/node:v1.34.10', fakeRunner({ 'podman image inspect': { exitCode: 125, stdout: '', stderr: 'image not known' } }))).toBe(false);
    const err = await providerError(hasImage('podman', 'x', fakeRunner({ 'podman image inspect': hung })));
    expect(err.message).toMatch(/cannot look up the kind node image x: podman did not answer/);
  });
});

describe('node volumes', () => {
  it('names the nodes kind makes for the harness\'s shape', async () => {
    const { kindNodeNames } = await import('./engine.ts');
    expect(kindNodeNames('c', 3)).toEqual(['c-control-plane', 'c-worker', 'c-worker2', 'c-worker3']);
  });

  it('removes only volumes labelled with the cluster\'s node names, and nothing on docker', async () => {
    const { removeNodeVolumes } = await import('./engine.ts');
    const run = fakeRunner({ 'podman volume ls': { exitCode: 0, stdout: '', stderr: '' }, 'podman volume rm': ok });
    const calls: string[] = [];
    const recording: CommandRunner = async (f, a, t) => {
      calls.push([f, ...a].join(' '));
      if (a.includes('label=c-worker2')) return { exitCode: 0, stdout: 'v1\n', stderr: '' };
      return run(f, a, t);
    };
    expect(await removeNodeVolumes('podman', ['c-control-plane', 'c-worker2'], recording)).toEqual(['v1']);
    expect(calls).toEqual(['podman volume ls -q --filter label=c-control-plane', 'podman volume ls -q --filter label=c-worker2', 'podman volume rm -f v1']);
    expect(await removeNodeVolumes('docker', ['c-worker2'], recording)).toEqual([]);
  });
});
