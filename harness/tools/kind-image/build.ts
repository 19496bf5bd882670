/**
 * `make kind-image`: a kind v0.33.0 node image for the pinned Kubernetes, assembled on this
 * machine without a registry (docs/kind-offline-status.md says why `kind build node-image`
 * cannot). Three cached steps, each stamped by what it is made from, so a warm run is a few
 * path and image checks:
 *   1. the Debian bookworm rootfs (clusters/kind/node-image/build-rootfs.sh), a tarball;
 *   2. the tool groups (`kube`, `kube-node`, `kind-etcd`, `coredns`, `crictl`) and the pause
 *      program, made into one-layer image archives (images.ts);
 *   3. the node image itself (assemble-node.sh), committed to podman's store under a tag that
 *      carries the stamp: localhost/kruise-conformance/kind-node:v1.34.10-<stamp>.
 */
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, createReadStream, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { execa } from 'execa';
import { KUBERNETES_VERSION, groupById } from '../catalog.ts';
import { REPO_ROOT, cacheRoot, groupStamp } from '../cache.ts';
import { installTools, moduleSourceDir } from '../install.ts';
import { toolPath } from '../resolve.ts';
import { type ImageSpec, NODE_BINARIES, NODE_IMAGES, archiveManifest, dependencyClosure, imageConfig, imageToolGroups } from './images.ts';

export const NODE_IMAGE_DIR = join(REPO_ROOT, 'clusters', 'kind', 'node-image');
export const NODE_IMAGE_REPO = 'localhost/kruise-conformance/kind-node';
const BASE_IMAGE_REPO = 'localhost/kruise-conformance/kind-base';
const ARCH = process.arch === 'arm64' ? 'arm64' : 'amd64';

const sha256 = (parts: (string | Buffer)[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
};
const repoFile = (...p: string[]) => readFileSync(join(REPO_ROOT, ...p));

/** The rootfs stamp: its build script and the kind release whose base files it lays out. */
export function rootfsStamp(): string {
  const kind = groupById('kind');
  return sha256([repoFile('clusters/kind/node-image/build-rootfs.sh'), kind.version, groupStamp(kind), ARCH]).slice(0, 12);
}

/** The node image stamp: the rootfs, the assembly code, every tool group it copies, the pause source. */
export function nodeImageStamp(): string {
  const parts: (string | Buffer)[] = [rootfsStamp(), KUBERNETES_VERSION, ARCH];
  for (const f of ['clusters/kind/node-image/assemble-node.sh', 'clusters/kind/node-image/pause/main.go', 'clusters/kind/node-image/pause/go.mod', 'harness/tools/kind-image/images.ts', 'harness/tools/kind-image/build.ts']) {
    parts.push(f, repoFile(f));
  }
  for (const id of imageToolGroups()) parts.push(id, groupStamp(groupById(id)));
  return sha256(parts).slice(0, 12);
}

export function nodeImageTag(): string {
  return `${NODE_IMAGE_REPO}:${KUBERNETES_VERSION}-${nodeImageStamp()}`;
}

export function nodeImageCacheDir(): string {
  return join(cacheRoot(), 'tools', `kind-node-${KUBERNETES_VERSION}-${nodeImageStamp()}`);
}

function rootfsCacheDir(): string {
  return join(cacheRoot(), 'tools', `kind-rootfs-bookworm-${rootfsStamp()}`);
}

export interface KindImageResult {
  image: string;
  outcome: 'cached' | 'built';
  ms: number;
  steps: Record<string, number>;
}

async function podmanHasImage(image: string): Promise<boolean> {
  const r = await execa('podman', ['image', 'exists', image], { reject: false, stdin: 'ignore' });
  return r.exitCode === 0;
}

/** True when the node image of the current stamp is in podman's store and its build finished. */
export async function isNodeImageReady(): Promise<boolean> {
  return existsSync(join(nodeImageCacheDir(), '.complete')) && (await podmanHasImage(nodeImageTag()));
}

/** Build (or find) the node image; logs one line per step with its time. */
export async function buildKindImage(opts: { log: (line: string) => void; signal?: AbortSignal }): Promise<KindImageResult> {
  const { log, signal } = opts;
  const t0 = performance.now();
  const steps: Record<string, number> = {};
  const step = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const s = performance.now();
    const out = await fn();
    steps[name] = performance.now() - s;
    return out;
  };
  if (process.getuid?.() !== 0) {
    throw new Error('make kind-image needs root: it runs debootstrap and rootful podman (kind needs rootful podman on cgroup v1 hosts); run it as root or with sudo');
  }
  await step('podman', () => execa('bash', [join(NODE_IMAGE_DIR, 'setup-podman.sh')], { stdio: ['ignore', 'inherit', 'inherit'], cancelSignal: signal }));

  const tag = nodeImageTag();
  const dir = nodeImageCacheDir();
  if (existsSync(join(dir, '.complete')) && (await podmanHasImage(tag))) {
    log(`kind node image ${tag} is built (${dir})`);
    return { image: tag, outcome: 'cached', ms: performance.now() - t0, steps };
  }

  await step('tools', () => installTools({ groups: imageToolGroups(), log, signal }));
  const rootfs = await step('rootfs', () => ensureRootfs(log, signal));

  const work = `${dir}.partial-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  try {
    const stage = join(work, 'stage');
    await step('images', () => stageNode(rootfs, work, stage, log, signal));
    const base = `${BASE_IMAGE_REPO}:bookworm-${rootfsStamp()}`;
    await step('assemble', () =>
      execa('bash', [join(NODE_IMAGE_DIR, 'assemble-node.sh'), rootfs, base, stage, KUBERNETES_VERSION, tag], { stdio: ['ignore', 'inherit', 'inherit'], cancelSignal: signal }),
    );
    rmSync(stage, { recursive: true, force: true });
    writeFileSync(join(work, 'image'), `${tag}\n`);
    writeFileSync(join(work, '.complete'), `${new Date().toISOString()} built ${tag}\n`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(work, dir);
  } catch (err) {
    rmSync(work, { recursive: true, force: true });
    throw err;
  }
  await pruneOldNodeImages(tag, log);
  const ms = performance.now() - t0;
  log(`built kind node image ${tag} in ${(ms / 1000).toFixed(1)} s (${Object.entries(steps).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(', ')})`);
  return { image: tag, outcome: 'built', ms, steps };
}

async function ensureRootfs(log: (l: string) => void, signal?: AbortSignal): Promise<string> {
  const dir = rootfsCacheDir();
  const tar = join(dir, 'rootfs.tar');
  if (existsSync(join(dir, '.complete'))) return tar;
  const scratch = `${dir}.partial-${process.pid}`;
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  try {
    const kindDir = await moduleSourceDir(groupById('kind'), signal);
    log(`building the node rootfs (Debian bookworm; kind ${groupById('kind').version}'s base files from ${kindDir})`);
    await execa('bash', [join(NODE_IMAGE_DIR, 'build-rootfs.sh'), kindDir, join(scratch, 'rootfs.tar')], { stdio: ['ignore', 'inherit', 'inherit'], cancelSignal: signal });
    writeFileSync(join(scratch, '.complete'), `${new Date().toISOString()}\n`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(scratch, dir);
  } catch (err) {
    rmSync(scratch, { recursive: true, force: true });
    throw err;
  }
  return tar;
}

/** Lay out stage/files (the node binaries) and stage/images (one docker-archive per image). */
async function stageNode(rootfs: string, work: string, stage: string, log: (l: string) => void, signal?: AbortSignal): Promise<void> {
  for (const b of NODE_BINARIES) placeFile(toolPath(b.tool, groupById(b.group)), join(stage, 'files', b.path));
  // One pause binary per version the images name (`pause -v` prints it, and the bytes differ).
  const pauses = new Map<string, string>();
  for (const spec of NODE_IMAGES) {
    for (const f of spec.files) {
      if (!('pause' in f.source) || pauses.has(f.source.pause)) continue;
      const out = join(work, `pause-${f.source.pause}`);
      await execa('go', ['build', '-trimpath', '-ldflags', `-s -w -X main.version=${f.source.pause}`, '-o', out, '.'], {
        cwd: join(NODE_IMAGE_DIR, 'pause'),
        env: { CGO_ENABLED: '0', GOFLAGS: '-mod=readonly' },
        cancelSignal: signal,
      });
      pauses.set(f.source.pause, out);
    }
  }
  // The node rootfs, unpacked once, is where Debian's files for the images come from.
  const tree = join(work, 'rootfs');
  if (NODE_IMAGES.some((i) => i.debianPackages?.length)) {
    mkdirSync(tree);
    await execa('tar', ['-xf', rootfs, '-C', tree, '--exclude=./dev'], { cancelSignal: signal });
  }
  mkdirSync(join(stage, 'images'), { recursive: true });
  for (const spec of NODE_IMAGES) {
    const layerDir = join(work, 'layers', spec.name);
    for (const f of spec.files) placeFile('pause' in f.source ? pauses.get(f.source.pause)! : toolPath(f.source.tool, groupById(f.source.group)), join(layerDir, f.path));
    if (spec.debianPackages?.length) copyDebianFiles(tree, layerDir, spec);
    await writeDockerArchive(spec, layerDir, join(work, 'archives', spec.name), join(stage, 'images', `${spec.name}.tar`), signal);
    log(`image ${spec.tags.join(', ')}`);
  }
}

function placeFile(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
  chmodSync(to, 0o755);
}

/** Copy the files of a spec's packages (dependency closure) and its alternatives links. */
function copyDebianFiles(tree: string, layerDir: string, spec: ImageSpec): void {
  const packages = dependencyClosure(readFileSync(join(tree, 'var/lib/dpkg/status'), 'utf8'), spec.debianPackages ?? []);
  const paths = new Set<string>();
  for (const pkg of packages) {
    const list = [`${pkg}.list`, `${pkg}:${ARCH}.list`].map((n) => join(tree, 'var/lib/dpkg/info', n)).find(existsSync);
    if (!list) throw new Error(`no file list for package ${pkg} in the node rootfs`);
    for (const line of readFileSync(list, 'utf8').split('\n')) if (line.startsWith('/') && !line.startsWith('/usr/share/')) paths.add(line);
  }
  // Debian's lists name /lib/..., /bin/..., which are links into /usr on a merged-/usr system:
  // the layer keeps those links and puts each file at its real place.
  for (const link of ['bin', 'sbin', 'lib', 'lib64']) {
    const st = lstatSync(join(tree, link), { throwIfNoEntry: false });
    if (st?.isSymbolicLink()) {
      mkdirSync(layerDir, { recursive: true });
      symlinkSync(readlinkSync(join(tree, link)), join(layerDir, link));
    }
  }
  for (const path of [...paths].sort()) {
    const src = join(tree, path);
    const st = lstatSync(src, { throwIfNoEntry: false });
    if (!st || st.isDirectory()) continue;
    const dest = join(layerDir, relative(tree, realpathSync(dirname(src))), basename(src));
    if (lstatSync(dest, { throwIfNoEntry: false })) continue; // a merged-/usr link placed above
    mkdirSync(dirname(dest), { recursive: true });
    if (st.isSymbolicLink()) symlinkSync(readlinkSync(src), dest);
    else copyFileSync(src, dest);
  }
  for (const [name, target] of Object.entries(spec.alternatives ?? {})) {
    if (!lstatSync(join(layerDir, target), { throwIfNoEntry: false })) throw new Error(`${spec.name}: alternative ${name} -> ${target}, which the packages do not provide`);
    mkdirSync(join(layerDir, 'etc/alternatives'), { recursive: true });
    rmSync(join(layerDir, 'etc/alternatives', name), { force: true });
    symlinkSync(target, join(layerDir, 'etc/alternatives', name));
    rmSync(join(layerDir, 'usr/sbin', name), { force: true });
    symlinkSync(`/etc/alternatives/${name}`, join(layerDir, 'usr/sbin', name));
  }
}

async function fileSha256(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** A docker-archive of one image of one layer, reproducible: sorted entries, fixed times and owners. */
async function writeDockerArchive(spec: ImageSpec, layerDir: string, archiveDir: string, out: string, signal?: AbortSignal): Promise<void> {
  mkdirSync(archiveDir, { recursive: true });
  const layerTmp = join(archiveDir, 'layer.tar');
  await execa('tar', ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '-cf', layerTmp, '-C', layerDir, '.'], { cancelSignal: signal });
  const layerSha = await fileSha256(layerTmp);
  mkdirSync(join(archiveDir, layerSha));
  renameSync(layerTmp, join(archiveDir, layerSha, 'layer.tar'));
  const config = JSON.stringify(imageConfig(spec, `sha256:${layerSha}`, ARCH));
  const configFile = `${sha256([config])}.json`;
  writeFileSync(join(archiveDir, configFile), config);
  writeFileSync(join(archiveDir, 'manifest.json'), JSON.stringify(archiveManifest(spec, configFile, `${layerSha}/layer.tar`)));
  await execa('tar', ['--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '-cf', out, '-C', archiveDir, 'manifest.json', configFile, `${layerSha}/layer.tar`], { cancelSignal: signal });
  rmSync(archiveDir, { recursive: true, force: true });
}

/** Remove node images of earlier stamps (each is about 1 GB); one still used by a cluster stays. */
async function pruneOldNodeImages(keep: string, log: (l: string) => void): Promise<void> {
  const r = await execa('podman', ['images', '--format', '{{.Repository}}:{{.Tag}}', '--filter', `reference=${NODE_IMAGE_REPO}`], { reject: false, stdin: 'ignore' });
  for (const old of String(r.stdout).split('\n').map((l) => l.trim()).filter((l) => l && l !== keep && l.startsWith(`${NODE_IMAGE_REPO}:`))) {
    const rm = await execa('podman', ['rmi', old], { reject: false, stdin: 'ignore' });
    log(rm.exitCode === 0 ? `removed the older node image ${old}` : `kept the older node image ${old} (in use)`);
  }
}
