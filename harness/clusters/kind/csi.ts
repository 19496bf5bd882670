import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../tools/cache.ts';

/** The upstream CSI hostpath driver's manifests, in the order they must be applied (namespace first). */
export const CSI_DATA_DIR = join(REPO_ROOT, 'clusters', 'csi');
export const CSI_MANIFESTS = ['rbac.yaml', 'plugin.yaml', 'storage.yaml'] as const;

/** Where the upstream driver runs and how its pods are found, as written in clusters/csi/plugin.yaml. */
export const CSI_NAMESPACE = 'csi-hostpath';
export const CSI_POD_SELECTOR = 'app.kubernetes.io/name=csi-hostpathplugin';
export const CSI_PROVISIONER = 'hostpath.csi.k8s.io';

/** kind installs its own default class; ours must be the only default. */
export const KIND_DEFAULT_STORAGE_CLASS = 'standard';

export function csiManifestPaths(): string[] {
  return CSI_MANIFESTS.map((f) => join(CSI_DATA_DIR, f));
}

/** What `up` installs for storage, and how it knows the driver is running. */
export interface StoragePlan {
  describe: string;
  manifests: string[];
  /** docker-archive files loaded into every node first (images built here). */
  imageArchives: string[];
  namespace: string;
  podSelector: string;
  /** Pods that must exist and be Ready. */
  minPods: number;
}

/**
 * Upstream's hostpath driver (its images are pulled by the nodes) on a cluster from kindest/node;
 * on one from the node image built here, the harness's own driver once its images are built
 * (offline-csi.ts), else none.
 */
export function storagePlan(offline: boolean, offlinePlan: () => StoragePlan | undefined = () => undefined): StoragePlan | undefined {
  if (offline) return offlinePlan();
  return { describe: 'the CSI hostpath driver', manifests: csiManifestPaths(), imageArchives: [], namespace: CSI_NAMESPACE, podSelector: CSI_POD_SELECTOR, minPods: 1 };
}

export const manifestsPresent = (files: readonly string[]) => files.every((f) => existsSync(f));
