/**
 * Installs an implementation from its Helm chart (the way users install OpenKruise), after
 * loading locally built images into the cluster's nodes. Waits for the release's workloads.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { toolPath } from '../tools/resolve.ts';
import { type Descriptor, type HelmInstallSpec, repoPath } from '../run/descriptor.ts';
import type { InstallContext, Installer } from './installer.ts';
import { featureGatesFlag } from './process.ts';

export class HelmInstaller implements Installer {
  private kubeconfig: string | undefined;
  constructor(
    private readonly d: Descriptor,
    private readonly spec: HelmInstallSpec,
  ) {}

  async install(ctx: InstallContext): Promise<void> {
    this.kubeconfig = ctx.kubeconfig;
    for (const image of this.spec.images) await ctx.provider.loadImage(image);
    const values = { ...this.spec.values, featureGates: featureGatesFlag(this.d.featureGates) };
    const valuesFile = join(mkdtempSync(join(tmpdir(), 'kc-helm-')), 'values.yaml');
    writeFileSync(valuesFile, stringify(values));
    const chart = this.spec.chart.startsWith('.') || this.spec.chart.startsWith('/') ? repoPath(this.spec.chart) : this.spec.chart;
    ctx.log(`helm install ${this.spec.release} ${chart} -n ${this.spec.namespace}`);
    const r = await execa(
      toolPath('helm'),
      ['upgrade', '--install', this.spec.release, chart, '--namespace', this.spec.namespace, '--create-namespace', '--values', valuesFile, '--wait', '--timeout', `${Math.round(300 * (ctx.timeoutMultiplier ?? 1))}s`, `--kubeconfig=${ctx.kubeconfig}`],
      { reject: false, cancelSignal: ctx.signal },
    );
    if (r.exitCode !== 0) throw new Error(`helm install of ${chart} failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-6).join('\n')}`);
  }

  async uninstall(): Promise<void> {
    if (!this.kubeconfig) return;
    // --no-hooks: tearing down a test cluster must not be blocked by the chart's pre-delete hook.
    await execa(toolPath('helm'), ['uninstall', this.spec.release, '--namespace', this.spec.namespace, '--no-hooks', `--kubeconfig=${this.kubeconfig}`], { reject: false });
  }

  forbiddenLogLines(): string[] {
    return [];
  }
}
