/**
 * Runs OpenKruise's own manager out of cluster, the way its developers run it on a laptop: the
 * binary is built from the Go module of the release the descriptor names (`install.version`; the
 * tool group pinning it has its wrapper in harness/tools/go/<group>), the CRDs and the generated
 * webhook list are read from that module in the Go module cache, and the manager is told through
 * WEBHOOK_HOST to serve its webhooks on a local address with its own self-signed CA.
 *
 * What the manager expects, from its source (pkg/webhook/util/...; unchanged from v1.8.3 to v1.9.1
 * except that v1.9 waits up to --webhook-initialize-timeout, 60 s, for its first sync):
 * - WEBHOOK_HOST set and no WEBHOOK_CERT_WRITER: certificates are written to WEBHOOK_CERT_DIR,
 *   issued for that host (an IP becomes an IP SAN), and every webhook template with a service
 *   reference is rewritten to the URL https://WEBHOOK_HOST:WEBHOOK_PORT<path>.
 * - kruise-mutating-webhook-configuration and kruise-validating-webhook-configuration must exist
 *   before it starts: their webhooks are the templates it fills in (kept in a `template`
 *   annotation), and it gives up after 20 s if its first sync fails.
 * - CRDs with conversion strategy Webhook get the /convert URL and the CA. Which CRDs convert
 *   through the webhook is read from the module's config/crd/kustomization.yaml, as kruise's own
 *   kustomize build does (v1.8.3: statefulsets; v1.9.1 adds sidecarsets and daemonsets, whose
 *   storage version became v1beta1).
 * - Leader election and pprof are switched off: one process, ports chosen by us.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ResultPromise, execa } from 'execa';
import { parseAllDocuments, stringify } from 'yaml';
import { type Descriptor, type OpenKruiseInstallSpec } from '../run/descriptor.ts';
import { type ToolGroup, openKruiseGroups } from '../tools/catalog.ts';
import { installTools, moduleSourceDir } from '../tools/install.ts';
import { overrideEnvName, toolPath } from '../tools/resolve.ts';
import { freePort } from '../util/ports.ts';
import type { InstallContext, Installer } from './installer.ts';
import { applyManifests, kubectl } from './kubectl.ts';
import { featureGatesFlag, forbiddenLines, stopChild, waitReady } from './process.ts';

/** The namespace the manager works in (env POD_NAMESPACE, default kruise-system). */
export const KRUISE_NAMESPACE = 'kruise-system';
export const MUTATING_CONFIGURATION = 'kruise-mutating-webhook-configuration';
export const VALIDATING_CONFIGURATION = 'kruise-validating-webhook-configuration';
/** The Service the templates name: out of cluster the manager replaces it by a URL, so it never has to exist; in cluster it fronts the manager (openkruise-cluster.ts). */
export const WEBHOOK_SERVICE = 'kruise-webhook-service';

export type KubeObject = { apiVersion: string; kind: string; metadata: { name: string; [k: string]: unknown }; [k: string]: unknown };
type Webhook = { name: string; clientConfig: { service?: { name: string; namespace: string; path?: string } }; [k: string]: unknown };

export function yamlDocuments(text: string, source: string): KubeObject[] {
  const docs = parseAllDocuments(text);
  const objects: KubeObject[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors[0]!.message}`);
    const value = doc.toJS() as KubeObject | null;
    if (value) objects.push(value);
  }
  return objects;
}

/** Every CRD of the module's config/crd/bases, with webhook conversion where kruise enables it. */
export function crdObjects(moduleDir: string): KubeObject[] {
  const dir = join(moduleDir, 'config', 'crd', 'bases');
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
  const crds = files.flatMap((f) => yamlDocuments(readFileSync(join(dir, f), 'utf8'), join(dir, f)));
  if (crds.length === 0) throw new Error(`no CRDs found in ${dir}`);
  const converted = convertedCrdNames(join(moduleDir, 'config', 'crd'));
  const missing = converted.filter((name) => !crds.some((crd) => crd.metadata.name === name));
  if (missing.length > 0) throw new Error(`${dir}: config/crd/kustomization.yaml enables webhook conversion for CRDs that are not there: ${missing.join(', ')}`);
  return crds.map((crd) => (converted.includes(crd.metadata.name) ? withConversionWebhook(crd) : crd));
}

/**
 * The CRDs kruise's kustomize build switches to webhook conversion: the active (uncommented)
 * `patches/webhook_in_*.yaml` entries of config/crd/kustomization.yaml, each naming its CRD.
 * Read rather than listed here, because the set grows between releases.
 */
export function convertedCrdNames(crdConfigDir: string): string[] {
  const kustomization = yamlDocuments(readFileSync(join(crdConfigDir, 'kustomization.yaml'), 'utf8'), join(crdConfigDir, 'kustomization.yaml'))[0] ?? {};
  const entries = ['patchesStrategicMerge', 'patches'].flatMap((key) => {
    const list = (kustomization as Record<string, unknown>)[key];
    // `patches` entries may be objects ({path: ...}); patchesStrategicMerge entries are paths.
    return Array.isArray(list) ? list.map((e: unknown) => (typeof e === 'string' ? e : (e as { path?: unknown })?.path)).filter((e): e is string => typeof e === 'string') : [];
  });
  const names = entries
    .filter((e) => /(^|\/)webhook_in_[^/]+\.ya?ml$/.test(e))
    .flatMap((e) => yamlDocuments(readFileSync(join(crdConfigDir, e), 'utf8'), join(crdConfigDir, e)))
    .filter((o) => (o.spec as { conversion?: { strategy?: string } } | undefined)?.conversion?.strategy === 'Webhook')
    .map((o) => o.metadata.name);
  return [...new Set(names)].sort();
}

/** The CRD with conversion through the manager's /convert endpoint; the manager fills in URL and CA. */
export function withConversionWebhook(crd: KubeObject): KubeObject {
  const spec = crd.spec as Record<string, unknown>;
  return {
    ...crd,
    spec: {
      ...spec,
      conversion: {
        strategy: 'Webhook',
        webhook: {
          clientConfig: { service: { namespace: KRUISE_NAMESPACE, name: WEBHOOK_SERVICE, path: '/convert' } },
          conversionReviewVersions: ['v1', 'v1beta1'],
        },
      },
    },
  };
}

/**
 * The two webhook configurations the manager fills in. Their webhook entries are the ones
 * controller-gen generated into the module's config/webhook/manifests.yaml; the selectors of
 * config/webhook/patch_manifests.yaml are merged in by webhook name (pods of control-plane
 * namespaces are left alone; deletion protection only sees labelled objects), as kruise's own
 * kustomize build does. Names and service follow what the manager looks up.
 */
export function webhookConfigurations(manifestsYaml: string, patchYaml: string): KubeObject[] {
  const generated = yamlDocuments(manifestsYaml, 'config/webhook/manifests.yaml');
  const patches = yamlDocuments(patchYaml, 'config/webhook/patch_manifests.yaml');
  const names: Record<string, string> = { MutatingWebhookConfiguration: MUTATING_CONFIGURATION, ValidatingWebhookConfiguration: VALIDATING_CONFIGURATION };
  const out: KubeObject[] = [];
  for (const kind of Object.keys(names)) {
    const source = generated.find((o) => o.kind === kind);
    if (!source) throw new Error(`config/webhook/manifests.yaml has no ${kind}`);
    const patchByName = new Map(
      ((patches.find((o) => o.kind === kind)?.webhooks as Webhook[] | undefined) ?? []).map((w) => [w.name, w] as const),
    );
    const webhooks = (source.webhooks as Webhook[]).map((w) => {
      const patch = patchByName.get(w.name);
      const { name: _name, ...selectors } = patch ?? { name: w.name };
      const service = w.clientConfig.service;
      if (!service?.path) throw new Error(`webhook ${w.name} in config/webhook/manifests.yaml has no service path`);
      return { ...w, ...selectors, clientConfig: { ...w.clientConfig, service: { ...service, namespace: KRUISE_NAMESPACE, name: WEBHOOK_SERVICE } } };
    });
    const unmatched = [...patchByName.keys()].filter((n) => !webhooks.some((w) => w.name === n));
    if (unmatched.length > 0) throw new Error(`config/webhook/patch_manifests.yaml patches webhooks that ${kind} does not have: ${unmatched.join(', ')}`);
    out.push({ apiVersion: 'admissionregistration.k8s.io/v1', kind, metadata: { name: names[kind]! }, webhooks });
  }
  return out;
}

export interface ManagerLaunch {
  args: string[];
  env: Record<string, string>;
}

/** Flags and environment of the out-of-cluster manager. */
export function managerLaunch(opts: {
  kubeconfig: string;
  gates: Record<string, boolean>;
  ports: { webhook: number; metrics: number; health: number };
  certDir: string;
  extraArgs: readonly string[];
  /** Where the webhooks listen and are advertised: the apiserver must reach it (kind: the host's address on the node network). */
  webhookHost?: string;
}): ManagerLaunch {
  const args = [
    `--kubeconfig=${opts.kubeconfig}`,
    `--metrics-addr=127.0.0.1:${opts.ports.metrics}`,
    `--health-probe-addr=127.0.0.1:${opts.ports.health}`,
    '--enable-leader-election=false',
    '--enable-pprof=false',
  ];
  if (Object.keys(opts.gates).length > 0) args.push(`--feature-gates=${featureGatesFlag(opts.gates)}`);
  args.push(...opts.extraArgs);
  const env = {
    KUBECONFIG: opts.kubeconfig,
    POD_NAMESPACE: KRUISE_NAMESPACE,
    WEBHOOK_HOST: opts.webhookHost ?? '127.0.0.1',
    WEBHOOK_PORT: String(opts.ports.webhook),
    WEBHOOK_CERT_DIR: opts.certDir,
  };
  return { args, env };
}

/** The tool group that builds the given OpenKruise release. */
export function openKruiseGroup(version: string): ToolGroup {
  const groups = openKruiseGroups();
  const group = groups.find((g) => g.version === version);
  if (!group) {
    throw new Error(`install.version ${version}: no tool group builds that OpenKruise release (harness/tools/catalog.ts has ${groups.map((g) => `${g.id}: ${g.version}`).join(', ')})`);
  }
  return group;
}

export class OpenKruiseInstaller implements Installer {
  private child: ResultPromise | undefined;
  private kubeconfig: string | undefined;
  logFile: string | undefined;
  metricsUrl: string | undefined;
  constructor(
    private readonly d: Descriptor,
    private readonly spec: OpenKruiseInstallSpec,
    private readonly readyTimeoutMs = 90_000,
  ) {}

  async install(ctx: InstallContext): Promise<void> {
    const group = openKruiseGroup(this.spec.version);
    const binary = await this.managerBinary(group, ctx);
    const src = await moduleSourceDir(group, ctx.signal);
    ctx.log(`OpenKruise ${group.version}: CRDs and webhook templates from ${src}`);

    const objects: KubeObject[] = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: KRUISE_NAMESPACE } },
      ...crdObjects(src),
      ...webhookConfigurations(
        readFileSync(join(src, 'config', 'webhook', 'manifests.yaml'), 'utf8'),
        readFileSync(join(src, 'config', 'webhook', 'patch_manifests.yaml'), 'utf8'),
      ),
    ];
    // One generated file, kept beside the reports, so the exact install can be inspected.
    const manifest = join(ctx.workdir, 'openkruise-install.yaml');
    writeFileSync(manifest, objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n'));
    this.kubeconfig = ctx.kubeconfig;
    await applyManifests(ctx.kubeconfig, [manifest], ctx.signal);

    const ports = { webhook: await freePort(), metrics: await freePort(), health: await freePort() };
    const certDir = join(ctx.workdir, 'openkruise-webhook-certs');
    mkdirSync(certDir, { recursive: true });
    const webhookHost = (await ctx.provider.hostAddress?.()) ?? '127.0.0.1';
    const launch = managerLaunch({ kubeconfig: ctx.kubeconfig, gates: this.d.featureGates, ports, certDir, extraArgs: this.spec.args, webhookHost });
    this.logFile = join(ctx.workdir, `${this.d.name}.log`);
    this.metricsUrl = `http://127.0.0.1:${ports.metrics}/metrics`;
    ctx.log(`starting kruise-manager: ${binary} ${launch.args.join(' ')} (webhooks on https://${webhookHost}:${ports.webhook}; log: ${this.logFile})`);
    this.child = execa(binary, launch.args, {
      env: { ...process.env, ...launch.env },
      stdout: { file: this.logFile, append: true },
      stderr: { file: this.logFile, append: true },
      stdin: 'ignore',
      reject: false,
      cleanup: true,
      forceKillAfterDelay: 5000,
    });
    // /readyz includes kruise's webhook-ready check: certificates written, configurations patched,
    // and its own webhook server answering over TLS.
    await waitReady(`http://127.0.0.1:${ports.health}/readyz`, this.child, this.readyTimeoutMs * (ctx.timeoutMultiplier ?? 1), this.logFile, ctx.signal);
  }

  /** The user's override, else the pinned build, built now if the cache lacks it (minutes, once). */
  private async managerBinary(group: ToolGroup, ctx: InstallContext): Promise<string> {
    if (!process.env[overrideEnvName('kruise-manager', group)]) {
      await installTools({ groups: [group.id], log: ctx.log, signal: ctx.signal });
    }
    return toolPath('kruise-manager', group);
  }

  async uninstall(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    await stopChild(child);
    // With the manager gone, its failurePolicy Fail webhooks would block pod creation in a kept cluster.
    if (this.kubeconfig) {
      await kubectl(this.kubeconfig, ['delete', '--ignore-not-found', '--wait=false', `mutatingwebhookconfiguration/${MUTATING_CONFIGURATION}`, `validatingwebhookconfiguration/${VALIDATING_CONFIGURATION}`]).catch(() => undefined);
    }
  }

  forbiddenLogLines(): string[] {
    return forbiddenLines(this.logFile, this.spec.forbiddenLog);
  }
}
