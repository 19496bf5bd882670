/**
 * The images of the kind provider's own CSI deployment (clusters/kind/csi/), built on this
 * machine: kc-csi, our driver (clusters/kind/csi-driver), and upstream's external-provisioner and
 * external-resizer from their Go modules (tool groups csi-provisioner, csi-resizer). Each image is
 * one layer holding one static binary, made with `podman import` and kept as a docker-archive in
 * a cache directory stamped by what it is made from; a cluster loads the archives into its nodes
 * (`kind load image-archive`), so nothing is pulled.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { type ToolGroup, type ToolName, groupById } from '../catalog.ts';
import { REPO_ROOT, cacheRoot, groupStamp } from '../cache.ts';
import { installTools } from '../install.ts';
import { toolPath } from '../resolve.ts';

export const CSI_DRIVER_DIR = join(REPO_ROOT, 'clusters', 'kind', 'csi-driver');
export const KC_CSI_VERSION = 'v0.1.0';

export interface CsiImage {
  name: string;
  /** The tag clusters/kind/csi/driver.yaml names. */
  tag: string;
  binary: { driver: true } | { tool: ToolName; group: ToolGroup['id'] };
  entrypoint: string;
}

export const CSI_IMAGES: readonly CsiImage[] = [
  { name: 'kc-csi', tag: `localhost/kruise-conformance/kc-csi:${KC_CSI_VERSION}`, binary: { driver: true }, entrypoint: '/kc-csi' },
  { name: 'csi-provisioner', tag: 'localhost/kruise-conformance/csi-provisioner:v6.3.0', binary: { tool: 'csi-provisioner', group: 'csi-provisioner' }, entrypoint: '/csi-provisioner' },
  { name: 'csi-resizer', tag: 'localhost/kruise-conformance/csi-resizer:v2.2.0', binary: { tool: 'csi-resizer', group: 'csi-resizer' }, entrypoint: '/csi-resizer' },
];

const groups = () => [...new Set(CSI_IMAGES.flatMap((i) => ('group' in i.binary ? [i.binary.group] : [])))];

/** Stamp: the driver's sources, the sidecars' tool groups, this file. */
export function csiImagesStamp(): string {
  const h = createHash('sha256');
  for (const f of readdirSync(CSI_DRIVER_DIR).filter((f) => /\.(go|mod|sum)$/.test(f)).sort()) h.update(f).update(readFileSync(join(CSI_DRIVER_DIR, f)));
  for (const id of groups()) h.update(id).update(groupStamp(groupById(id)));
  h.update(readFileSync(join(REPO_ROOT, 'harness', 'tools', 'kind-image', 'csi-images.ts')));
  h.update(process.arch);
  return h.digest('hex').slice(0, 12);
}

export function csiImagesDir(): string {
  return join(cacheRoot(), 'tools', `kind-csi-${csiImagesStamp()}`);
}

/** The archive files, present only once a build finished. */
export function csiImageArchives(dir = csiImagesDir()): string[] | undefined {
  if (!existsSync(join(dir, '.complete'))) return undefined;
  return CSI_IMAGES.map((i) => join(dir, `${i.name}.tar`));
}

/** Build (or find) the CSI images' archives; one line per image built. */
export async function buildCsiImages(opts: { log: (line: string) => void; signal?: AbortSignal }): Promise<{ archives: string[]; outcome: 'cached' | 'built'; ms: number }> {
  const t0 = performance.now();
  const dir = csiImagesDir();
  const cached = csiImageArchives(dir);
  if (cached) return { archives: cached, outcome: 'cached', ms: performance.now() - t0 };
  opts.log('kind: building the CSI images (kc-csi, csi-provisioner, csi-resizer) on first use; takes minutes');
  await installTools({ groups: groups(), log: opts.log, signal: opts.signal });
  const work = `${dir}.partial-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  try {
    for (const image of CSI_IMAGES) {
      const root = join(work, image.name, 'root');
      mkdirSync(root, { recursive: true });
      const bin = join(root, image.entrypoint);
      if ('driver' in image.binary) {
        await execa('go', ['build', '-trimpath', '-ldflags', `-s -w -X main.version=${KC_CSI_VERSION}`, '-o', bin, '.'], {
          cwd: CSI_DRIVER_DIR,
          env: { CGO_ENABLED: '0', GOFLAGS: '-mod=readonly' },
          cancelSignal: opts.signal,
        });
      } else {
        copyFileSync(toolPath(image.binary.tool, groupById(image.binary.group)), bin);
      }
      const layer = join(work, image.name, 'layer.tar');
      await execa('tar', ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '--mode=a+rX', '-cf', layer, '-C', root, '.'], { cancelSignal: opts.signal });
      await execa('podman', ['import', '--quiet', '--change', `ENTRYPOINT ["${image.entrypoint}"]`, layer, image.tag], { cancelSignal: opts.signal, stdin: 'ignore' });
      await execa('podman', ['save', '--quiet', '--format', 'docker-archive', '-o', join(work, `${image.name}.tar`), image.tag], { cancelSignal: opts.signal, stdin: 'ignore' });
      rmSync(join(work, image.name), { recursive: true, force: true });
      opts.log(`kind: image ${image.tag}`);
    }
    writeFileSync(join(work, '.complete'), `${new Date().toISOString()}\n`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(work, dir);
  } catch (err) {
    rmSync(work, { recursive: true, force: true });
    throw err;
  }
  return { archives: csiImageArchives(dir)!, outcome: 'built', ms: performance.now() - t0 };
}
