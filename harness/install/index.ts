import type { Descriptor } from '../run/descriptor.ts';
import { HelmInstaller } from './helm.ts';
import type { Installer } from './installer.ts';
import { ManifestsInstaller } from './manifests.ts';
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
    case 'preinstalled':
      return { install: async () => {}, uninstall: async () => {}, forbiddenLogLines: () => [] };
  }
}
