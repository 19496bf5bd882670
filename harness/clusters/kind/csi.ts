import { join } from 'node:path';
import { REPO_ROOT } from '../../tools/cache.ts';

/** The CSI hostpath driver's manifests, in the order they must be applied (namespace first). */
export const CSI_DATA_DIR = join(REPO_ROOT, 'clusters', 'csi');
export const CSI_MANIFESTS = ['rbac.yaml', 'plugin.yaml', 'storage.yaml'] as const;

/** Where the driver runs and how its pods are found, as written in clusters/csi/plugin.yaml. */
export const CSI_NAMESPACE = 'csi-hostpath';
export const CSI_POD_SELECTOR = 'app.kubernetes.io/name=csi-hostpathplugin';
export const CSI_PROVISIONER = 'hostpath.csi.k8s.io';

/** kind installs its own default class; ours must be the only default. */
export const KIND_DEFAULT_STORAGE_CLASS = 'standard';

export function csiManifestPaths(): string[] {
  return CSI_MANIFESTS.map((f) => join(CSI_DATA_DIR, f));
}
