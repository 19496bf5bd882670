/**
 * The kind provider against the real podman of this machine: bad input and interrupts leave
 * nothing behind (`podman ps -a`, volumes, the harness's state). Runs where rootful podman
 * answers and the offline node image and CSI images are already built (a cold build takes
 * minutes, which is `make kind-image`'s job, not a test's); skipped elsewhere, saying why.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { findContainerEngines } from '../../harness/clusters/kind/engine.ts';
import { clusterDir } from '../../harness/clusters/state.ts';
import { REPO_ROOT } from '../../harness/tools/cache.ts';
import { csiImageArchives } from '../../harness/tools/kind-image/csi-images.ts';
import { isNodeImageReady, nodeImageTag } from '../../harness/tools/kind-image/build.ts';

const TSX = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
const MAIN = join(REPO_ROOT, 'harness', 'cli', 'main.ts');
const cli = (args: string[]): ResultPromise<{ reject: false; all: true }> => execa(TSX, [MAIN, ...args], { reject: false, all: true, cwd: REPO_ROOT, timeout: 240_000 });
const podman = async (...args: string[]) => String((await execa('podman', args, { reject: false, stdin: 'ignore' })).stdout).trim();
/** Everything podman holds of a kind cluster: its node containers and their /var volumes. */
async function leftovers(cluster: string): Promise<string[]> {
  const containers = (await podman('ps', '-a', '--format', '{{.Names}}', '--filter', `label=io.x-k8s.kind.cluster=${cluster}`)).split('\n').filter(Boolean);
  const nodes = [`${cluster}-control-plane`, `${cluster}-worker`, `${cluster}-worker2`, `${cluster}-worker3`];
  const volumes = (await Promise.all(nodes.map((n) => podman('volume', 'ls', '-q', '--filter', `label=${n}`)))).flatMap((o) => o.split('\n').filter(Boolean));
  return [...containers.map((c) => `container ${c}`), ...volumes.map((v) => `volume ${v.slice(0, 12)}`)];
}

const why = await (async () => {
  if (process.getuid?.() !== 0) return 'kind on this host needs rootful podman';
  const engines: string[] = await findContainerEngines().catch(() => []);
  if (!engines.includes('podman')) return 'podman does not answer';
  if (!(await isNodeImageReady())) return 'the offline node image is not built (make kind-image)';
  if (!csiImageArchives()) return 'the offline CSI images are not built (first cluster up --provider kind builds them)';
  return undefined;
})();

describe.skipIf(why !== undefined)(`kind provider on this machine's podman${why ? ` (skipped: ${why})` : ''}`, () => {
  const foreign = 'kc-sub-foreign';
  afterAll(async () => {
    await podman('rm', '-f', '-v', `${foreign}-control-plane`);
  });

  it('a name in use by a kind cluster the harness did not make: one line, and down leaves it alone', async () => {
    // A stand-in for the user's own cluster: a container with kind's cluster label.
    await podman('run', '-d', '--name', `${foreign}-control-plane`, '--label', `io.x-k8s.kind.cluster=${foreign}`, '--entrypoint', 'sleep', nodeImageTag(), 'infinity');
    const up = await cli(['cluster', 'up', '--provider', 'kind', '--name', foreign]);
    expect(up.exitCode, up.all).not.toBe(0);
    expect(up.stderr.trim().split('\n'), up.all).toHaveLength(1);
    expect(up.stderr).toMatch(/a kind cluster named "kc-sub-foreign" already exists, and the harness did not create it .*\(fix: pick another --name/);
    const down = await cli(['cluster', 'down', '--provider', 'kind', '--name', foreign]);
    expect(down.exitCode, down.all).toBe(0);
    expect(await leftovers(foreign), 'the foreign cluster is untouched').toEqual([`container ${foreign}-control-plane`]);
  });

  it('a node image that is not there: one line naming it, nothing created', async () => {
    const name = 'kc-sub-noimage';
    const up = await cli(['cluster', 'up', '--provider', 'kind', '--name', name, '--image', 'localhost/kruise-conformance/kind-node:v1.34.10-missing']);
    expect(up.exitCode, up.all).not.toBe(0);
    expect(up.stderr).toMatch(/the kind node image localhost\/kruise-conformance\/kind-node:v1\.34\.10-missing is not present locally .*\(fix: /);
    expect(await leftovers(name)).toEqual([]);
    expect(existsSync(clusterDir('kind', name))).toBe(false);
  });

  it('Ctrl-C during kind create: exit 130, and no container, volume or state is left', async () => {
    const name = 'kc-sub-ctrlc';
    const child = execa(TSX, [MAIN, 'cluster', 'up', '--provider', 'kind', '--name', name], { reject: false, all: true, cwd: REPO_ROOT });
    // Interrupt once kind has started node containers: the moment that needs cleaning up.
    let exited = false;
    void child.then(() => (exited = true));
    const deadline = Date.now() + 90_000;
    while (!exited && (await leftovers(name)).filter((l) => l.startsWith('container')).length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    expect(exited, 'up was still running when its node containers appeared').toBe(false);
    expect((await leftovers(name)).length, 'node containers existed before the interrupt').toBeGreaterThan(0);
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode, result.all).toBe(130);
    expect(result.all).toMatch(/interrupted; everything it started was removed/);
    expect(await leftovers(name), 'podman holds nothing of the interrupted cluster').toEqual([]);
    expect(existsSync(clusterDir('kind', name))).toBe(false);
  }, 200_000);
});
