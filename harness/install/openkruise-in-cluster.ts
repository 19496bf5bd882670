/**
 * OpenKruise installed in the cluster under test, as users run it: kruise-manager as Deployment
 * kruise-controller-manager (leader election on, its own certificates in its Secret, webhooks
 * behind Service kruise-webhook-service) and kruise-daemon as a DaemonSet on every node, talking
 * to the node's containerd. Images are built here (harness/install/openkruise-image.ts) and
 * loaded into the nodes through the provider; the objects come from
 * harness/install/openkruise-cluster.ts. Needs nodes that run containers (kind, or an existing
 * cluster that has the images): the `local` provider is refused before any cluster comes up.
 *
 * Ready when the manager's Deployment is Available (its readiness probe is kruise's /readyz, which
 * includes the webhook-ready check), the DaemonSet is rolled out on every node, and a server-side
 * dry-run create of a CloneSet comes back defaulted: the apiserver reached the mutating webhook
 * through the Service with the CA the manager patched in.
 *
 * Uninstall removes the webhook configurations first (their failurePolicy Fail would block pods
 * once the manager is gone), then everything else it applied except the CRDs, which stay as
 * Helm leaves a chart's CRDs. The manager's and the daemons' logs are saved beside the report
 * first, for the forbidden-line check.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import type { Descriptor, OpenKruiseInClusterInstallSpec } from '../run/descriptor.ts';
import { moduleSourceDir } from '../tools/install.ts';
import type { InstallContext, Installer } from './installer.ts';
import { applyManifests, kubectl } from './kubectl.ts';
import { DAEMON_DAEMONSET, MANAGER_DEPLOYMENT, inClusterObjects } from './openkruise-cluster.ts';
import { buildOpenKruiseImages } from './openkruise-image.ts';
import { KRUISE_NAMESPACE, MUTATING_CONFIGURATION, VALIDATING_CONFIGURATION, openKruiseGroup } from './openkruise.ts';
import { forbiddenLines } from './process.ts';

/** The probe object: a CloneSet the mutating webhook defaults (spec.updateStrategy.type). */
const PROBE_CLONESET = {
  apiVersion: 'apps.kruise.io/v1alpha1',
  kind: 'CloneSet',
  metadata: { name: 'kc-webhook-probe', namespace: KRUISE_NAMESPACE },
  spec: { replicas: 0, selector: { matchLabels: { app: 'kc-webhook-probe' } }, template: { metadata: { labels: { app: 'kc-webhook-probe' } }, spec: { containers: [{ name: 'c', image: 'kc-probe' }] } } },
};

export class OpenKruiseInClusterInstaller implements Installer {
  private kubeconfig: string | undefined;
  /** What uninstall deletes: every applied object but the CRDs. */
  private removable: string | undefined;
  logFile: string | undefined;
  constructor(
    private readonly d: Descriptor,
    private readonly spec: OpenKruiseInClusterInstallSpec,
    private readonly readyTimeoutMs = 180_000,
  ) {}

  async install(ctx: InstallContext): Promise<void> {
    const group = openKruiseGroup(this.spec.version);
    const images = await buildOpenKruiseImages(this.spec.version, { log: ctx.log, signal: ctx.signal });
    ctx.log(`OpenKruise ${group.version} images: ${images.map((i) => `${i.tag} (${i.outcome}, ${(i.ms / 1000).toFixed(1)} s)`).join(', ')}`);
    for (const image of images) await ctx.provider.loadImage(image.tag);
    const [managerImage, daemonImage] = images.map((i) => i.tag) as [string, string];

    const src = await moduleSourceDir(group, ctx.signal);
    ctx.log(`OpenKruise ${group.version}: CRDs, RBAC and webhook templates from ${src}`);
    const objects = inClusterObjects({ moduleDir: src, gates: this.d.featureGates, managerImage, daemonImage, managerArgs: this.spec.args });
    const yaml = (list: typeof objects) => list.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
    // One generated file, kept beside the reports, so the exact install can be inspected.
    const manifest = join(ctx.workdir, 'openkruise-in-cluster.yaml');
    writeFileSync(manifest, yaml(objects));
    this.removable = join(ctx.workdir, 'openkruise-in-cluster-removable.yaml');
    writeFileSync(this.removable, yaml(objects.filter((o) => o.kind !== 'CustomResourceDefinition').reverse()));
    this.kubeconfig = ctx.kubeconfig;
    this.logFile = join(ctx.workdir, `${this.d.name}.log`);
    await applyManifests(ctx.kubeconfig, [manifest], ctx.signal);
    await this.waitReady(ctx);
  }

  private async waitReady(ctx: InstallContext): Promise<void> {
    const kc = ctx.kubeconfig;
    const timeoutMs = this.readyTimeoutMs * (ctx.timeoutMultiplier ?? 1);
    const deadline = Date.now() + timeoutMs;
    const left = () => `${Math.max(1, Math.round((deadline - Date.now()) / 1000))}s`;
    const explain = async (what: string, err: unknown): Promise<Error> => {
      const pods = await kubectl(kc, ['get', 'pods', '-n', KRUISE_NAMESPACE, '-o', 'wide']).catch(() => '');
      return new Error(`OpenKruise in cluster: ${what} within ${Math.round(timeoutMs / 1000)} s: ${(err as Error).message.split('\n')[0]}\n${pods}`);
    };
    try {
      await kubectl(kc, ['rollout', 'status', `deployment/${MANAGER_DEPLOYMENT}`, '-n', KRUISE_NAMESPACE, `--timeout=${left()}`], { signal: ctx.signal });
    } catch (err) {
      throw await explain(`deployment ${MANAGER_DEPLOYMENT} not Available (its readiness probe is kruise's /readyz)`, err);
    }
    try {
      await kubectl(kc, ['rollout', 'status', `daemonset/${DAEMON_DAEMONSET}`, '-n', KRUISE_NAMESPACE, `--timeout=${left()}`], { signal: ctx.signal });
    } catch (err) {
      throw await explain(`daemonset ${DAEMON_DAEMONSET} not ready on every node`, err);
    }
    let last: unknown;
    while (Date.now() < deadline) {
      try {
        const out = await kubectl(kc, ['create', '--dry-run=server', '-o', 'jsonpath={.spec.updateStrategy.type}', '-f', '-'], { input: JSON.stringify(PROBE_CLONESET), signal: ctx.signal });
        if (out.trim() !== '') {
          ctx.log(`OpenKruise in cluster: ready (webhooks served through ${KRUISE_NAMESPACE}/kruise-webhook-service)`);
          return;
        }
        last = new Error('the dry-run CloneSet came back without defaults: the mutating webhook was not called');
      } catch (err) {
        last = err;
      }
      await sleep(1000, undefined, { signal: ctx.signal });
    }
    throw await explain('the CloneSet mutating webhook not answering through the apiserver', last);
  }

  async uninstall(): Promise<void> {
    const kc = this.kubeconfig;
    if (!kc) return;
    await this.saveLogs(kc);
    await kubectl(kc, ['delete', '--ignore-not-found', '--wait=false', `mutatingwebhookconfiguration/${MUTATING_CONFIGURATION}`, `validatingwebhookconfiguration/${VALIDATING_CONFIGURATION}`]).catch(() => undefined);
    if (!this.removable) return;
    await kubectl(kc, ['delete', '--ignore-not-found', '--wait=false', '-f', this.removable]).catch(() => undefined);
  }

  private async saveLogs(kc: string): Promise<void> {
    if (!this.logFile) return;
    const parts: string[] = [];
    for (const selector of ['control-plane=controller-manager', 'control-plane=daemon']) {
      for (const previous of [false, true]) {
        const out = await kubectl(kc, ['logs', '-n', KRUISE_NAMESPACE, '-l', selector, '--prefix', '--tail=-1', '--max-log-requests=10', ...(previous ? ['--previous'] : [])]).catch(() => '');
        if (out) parts.push(`== ${selector}${previous ? ' (previous containers)' : ''}\n${out}`);
      }
    }
    writeFileSync(this.logFile, `${parts.join('\n')}\n`);
  }

  forbiddenLogLines(): string[] {
    return forbiddenLines(this.logFile, this.spec.forbiddenLog);
  }
}
