import { ProviderError } from '../clusters/provider.ts';
import type { Descriptor } from '../run/descriptor.ts';
import { HelmInstaller } from './helm.ts';
import type { Installer } from './installer.ts';
import { ManifestsInstaller } from './manifests.ts';
import { OpenKruiseInClusterInstaller } from './openkruise-in-cluster.ts';
import { OpenKruiseInstaller } from './openkruise.ts';
import { ProcessInstaller } from './process.ts';

export function installerFor(d: Descriptor): Installer {
  switch (d.install.type) {
    case 'process':
      return new ProcessInstaller(d, d.install);
    case 'helm':
      return new HelmInstaller(d, d.install);
    case 'manifests':
      return new ManifestsInstaller(d, d.install);
    case 'openkruise':
      return new OpenKruiseInstaller(d, d.install);
    case 'openkruise-in-cluster':
      return new OpenKruiseInClusterInstaller(d, d.install);
    case 'preinstalled':
      return { install: async () => {}, uninstall: async () => {}, forbiddenLogLines: () => [] };
  }
}

/**
 * Refuses, before any cluster comes up, an install the provider cannot host: a Helm chart or
 * manifests or OpenKruise in cluster run the implementation as pods, and the local provider's kwok
 * nodes run no containers.
 */
const WHAT_RUNS_AS_PODS: Partial<Record<Descriptor['install']['type'], string>> = {
  helm: 'a Helm chart',
  manifests: 'manifests',
  'openkruise-in-cluster': 'images built here (kruise-manager Deployment, kruise-daemon DaemonSet)',
};

export function assertInstallableOn(d: Descriptor, provider: string): void {
  const what = WHAT_RUNS_AS_PODS[d.install.type];
  if (provider !== 'local' || !what) return;
  throw new ProviderError(
    `implementation ${d.name} is installed from ${what}, so its controllers run as pods, and the local provider's simulated nodes run no containers (nor load images)`,
    'run it with --provider kind (or existing), or use a descriptor that runs the implementation out of cluster (e.g. --impl reference)',
  );
}
