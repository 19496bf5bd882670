/** Installs an implementation from plain manifests and waits for its Deployments to be Available. */
import { type Descriptor, type ManifestsInstallSpec, repoPath } from '../run/descriptor.ts';
import type { InstallContext, Installer } from './installer.ts';
import { applyManifests, kubectl } from './kubectl.ts';

export class ManifestsInstaller implements Installer {
  private kubeconfig: string | undefined;
  constructor(
    _d: Descriptor,
    private readonly spec: ManifestsInstallSpec,
  ) {}

  async install(ctx: InstallContext): Promise<void> {
    this.kubeconfig = ctx.kubeconfig;
    for (const image of this.spec.images) await ctx.provider.loadImage(image);
    await applyManifests(ctx.kubeconfig, this.spec.files.map(repoPath), ctx.signal);
    await kubectl(ctx.kubeconfig, ['wait', '--for=condition=Available', '--timeout=300s', 'deployment', '--all', '-n', this.spec.namespace], { signal: ctx.signal });
  }

  async uninstall(): Promise<void> {
    if (!this.kubeconfig) return;
    await kubectl(this.kubeconfig, ['delete', '--ignore-not-found', '--wait=false', ...this.spec.files.map(repoPath).flatMap((f) => ['-f', f])]).catch(() => undefined);
  }

  forbiddenLogLines(): string[] {
    return [];
  }
}
