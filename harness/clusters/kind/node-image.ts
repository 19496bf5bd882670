/**
 * Which node image (and engine) `kind create` gets. In order: the image the user passed; the
 * row's upstream kindest/node where an engine holds it (a machine that can pull); else, for the
 * pinned Kubernetes release on podman, the node image `make kind-image` assembles here, built on
 * first use and found by its stamp afterwards. The built image carries no kindnetd and no
 * storage provisioner, so a cluster made from it is "offline": the harness brings its own CNI
 * config (network.ts) and CSI driver (csi.ts).
 */
import { ProviderError } from '../provider.ts';
import type { KindVersion } from './config.ts';
import { type CommandRunner, type EngineName, hasImage, requireNodeImage } from './engine.ts';

export interface NodeImageChoice {
  engine: EngineName;
  image: string;
  /** Built here (no kindnetd, no default storage): the harness provides CNI and CSI. */
  offline: boolean;
}

/** The locally built node image, as the kind-image tool sees it; injected so tests need no podman. */
export interface LocalNodeImage {
  /** Kubernetes release the tool builds (the pinned one). */
  kubernetesVersion: string;
  /** Repository of its tags ("localhost/kruise-conformance/kind-node"). */
  repository: string;
  /** Build it, or find it built; returns the fully qualified tag. */
  ensure(): Promise<string>;
}

export async function chooseNodeImage(
  engines: readonly EngineName[],
  row: KindVersion,
  given: string | undefined,
  local: LocalNodeImage,
  run: CommandRunner,
  log: (line: string) => void,
): Promise<NodeImageChoice> {
  const isLocal = (image: string) => image.startsWith(`${local.repository}:`);
  if (given) {
    // The image the user names must be there already; a local build lives in podman's store.
    const engine = isLocal(given) && engines.includes('podman') ? 'podman' : engines[0]!;
    await requireNodeImage(engine, given, row.kubernetesVersion, run);
    return { engine, image: given, offline: isLocal(given) };
  }
  for (const engine of engines) {
    if (await hasImage(engine, row.image, run)) return { engine, image: row.image, offline: false };
  }
  if (row.kubernetesVersion !== local.kubernetesVersion) {
    throw new ProviderError(
      `the kind node image ${row.image} is not present locally, and the node image built on this machine is Kubernetes ${local.kubernetesVersion} only`,
      `\`${engines[0]} pull ${row.image}\` where the registry is reachable, or use --kubernetes-version ${local.kubernetesVersion.replace(/^v(\d+\.\d+)\..*/, '$1')}, or pass --image <a local node image>`,
    );
  }
  if (!engines.includes('podman')) {
    throw new ProviderError(
      `the kind node image ${row.image} is not present in docker, and the node image built on this machine needs rootful podman`,
      `\`docker pull ${row.image}\` where the registry is reachable, or run \`make kind-image\` as root (it installs podman)`,
    );
  }
  log(`kind: ${row.image} is not present; using the node image built on this machine (make kind-image)`);
  const image = await local.ensure();
  return { engine: 'podman', image, offline: true };
}
