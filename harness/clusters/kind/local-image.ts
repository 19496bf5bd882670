/**
 * The kind provider's view of `make kind-image`: the same code, run on demand (cached and
 * stamped, so a warm call is the host check of setup-podman.sh plus two lookups).
 */
import { KUBERNETES_VERSION } from '../../tools/catalog.ts';
import { NODE_IMAGE_REPO, buildKindImage } from '../../tools/kind-image/build.ts';
import { ProviderError } from '../provider.ts';
import type { LocalNodeImage } from './node-image.ts';

export function localNodeImage(log: (line: string) => void, signal?: AbortSignal): LocalNodeImage {
  return {
    kubernetesVersion: KUBERNETES_VERSION,
    repository: NODE_IMAGE_REPO,
    async ensure() {
      try {
        const r = await buildKindImage({ log, signal });
        if (r.outcome === 'built') log(`kind: built the node image ${r.image} in ${(r.ms / 1000).toFixed(0)} s (cached for next time)`);
        return r.image;
      } catch (err) {
        if (signal?.aborted || err instanceof ProviderError) throw err;
        throw new ProviderError(`cannot build the kind node image here: ${(err as Error).message.split('\n')[0]}`, 'run `make kind-image` as root and read its output');
      }
    },
  };
}
