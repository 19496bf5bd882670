// In cluster (the Helm chart), every replica must serve the same certificate, and the webhook
// configurations belong to the chart. So the manager keeps its CA and serving certificate in a
// Secret the chart renders empty (the first replica to start fills it, the others read it), and
// only writes the CA into the caBundle of the chart's webhooks. Out of cluster neither is needed:
// one process generates a throwaway CA and registers its own configurations (server.ts).
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import type { AdmissionregistrationV1WebhookClientConfig, CoreV1Api, V1Secret } from '@kubernetes/client-node';
import { generateServingCertificate, type ServingCertificate } from './certs.ts';

export const CA_CERT_KEY = 'ca.crt';
export const TLS_CERT_KEY = 'tls.crt';
export const TLS_KEY_KEY = 'tls.key';

/** The three calls on the certificate Secret; the real one is kubeSecretPort. */
export interface SecretPort {
  /** The Secret's decoded data and resourceVersion, or undefined when it does not exist. */
  read(): Promise<{ data: Record<string, string>; resourceVersion?: string } | undefined>;
  /** Resolves false on a conflict (409: someone else created it first). */
  create(data: Record<string, string>): Promise<boolean>;
  /** Resolves false on a conflict (409: the resourceVersion is stale). */
  update(data: Record<string, string>, resourceVersion: string | undefined): Promise<boolean>;
}

function usable(data: Record<string, string>, host: string | undefined): ServingCertificate | undefined {
  const caCert = data[CA_CERT_KEY];
  const cert = data[TLS_CERT_KEY];
  const key = data[TLS_KEY_KEY];
  if (!caCert || !cert || !key) return undefined;
  try {
    const x = new X509Certificate(cert);
    const ca = new X509Certificate(caCert);
    if (!x.checkIssued(ca) || !x.verify(ca.publicKey)) return undefined;
    if (host && !(isIP(host) ? x.checkIP(host) : x.checkHost(host))) return undefined;
    if (new Date(x.validTo).getTime() < Date.now() + 24 * 3600 * 1000) return undefined;
  } catch {
    return undefined;
  }
  return { caCert, cert, key };
}

/**
 * sharedServingCertificate returns the certificate stored in the Secret when it is complete, signed
 * by its CA, valid for hosts[0] for at least another day; otherwise it generates one and stores it.
 * Replicas racing each other converge on whichever write won (a conflict means: read again).
 */
export async function sharedServingCertificate(
  secret: SecretPort,
  hosts: readonly string[],
  generate: (hosts: readonly string[]) => Promise<ServingCertificate> = generateServingCertificate,
): Promise<ServingCertificate & { source: 'secret' | 'generated' }> {
  let fresh: ServingCertificate | undefined;
  for (let attempt = 0; attempt < 6; attempt++) {
    const current = await secret.read();
    const stored = current && usable(current.data, hosts[0]);
    if (stored) return { ...stored, source: 'secret' };
    fresh ??= await generate(hosts);
    const data = { [CA_CERT_KEY]: fresh.caCert, [TLS_CERT_KEY]: fresh.cert, [TLS_KEY_KEY]: fresh.key };
    const written = current ? await secret.update(data, current.resourceVersion) : await secret.create(data);
    if (written) return { ...fresh, source: 'generated' };
  }
  throw new Error('the webhook certificate Secret kept changing under us (6 conflicts in a row)');
}

function httpCode(err: unknown): number | undefined {
  const e = err as { code?: unknown; statusCode?: unknown };
  return typeof e?.code === 'number' ? e.code : typeof e?.statusCode === 'number' ? e.statusCode : undefined;
}

export function kubeSecretPort(core: CoreV1Api, namespace: string, name: string): SecretPort {
  const encode = (data: Record<string, string>) => Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
  const body = (data: Record<string, string>, resourceVersion?: string): V1Secret => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace, ...(resourceVersion ? { resourceVersion } : {}) },
    type: 'Opaque',
    data: encode(data),
  });
  return {
    async read() {
      try {
        const s = await core.readNamespacedSecret({ name, namespace });
        const data = Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
        return { data, ...(s.metadata?.resourceVersion ? { resourceVersion: s.metadata.resourceVersion } : {}) };
      } catch (err) {
        if (httpCode(err) === 404) return undefined;
        throw err;
      }
    },
    async create(data) {
      try {
        await core.createNamespacedSecret({ namespace, body: body(data) });
        return true;
      } catch (err) {
        if (httpCode(err) === 409) return false;
        throw err;
      }
    },
    async update(data, resourceVersion) {
      try {
        // The Secret keeps the chart's labels and annotations: only data and type are ours.
        const current = await core.readNamespacedSecret({ name, namespace });
        await core.replaceNamespacedSecret({ name, namespace, body: { ...current, ...body(data, resourceVersion), metadata: { ...current.metadata, ...(resourceVersion ? { resourceVersion } : {}) } } });
        return true;
      } catch (err) {
        if (httpCode(err) === 409) return false;
        throw err;
      }
    },
  };
}

interface WebhookLike {
  name: string;
  clientConfig: AdmissionregistrationV1WebhookClientConfig;
}
interface ConfigurationLike {
  metadata?: { name?: string; resourceVersion?: string };
  webhooks?: WebhookLike[];
}

/** Read and replace of one webhook configuration (mutating or validating). */
export interface ConfigurationPort<T extends ConfigurationLike> {
  read(name: string): Promise<T>;
  replace(name: string, body: T): Promise<void>;
}

/**
 * patchCaBundle writes caBundle (base64 PEM) into every webhook of the named configuration whose
 * name is one of ours, leaving everything else (rules, selectors, the chart's labels) as installed.
 * Returns how many webhooks it changed (0: already current). The configuration must exist.
 */
export async function patchCaBundle<T extends ConfigurationLike>(port: ConfigurationPort<T>, name: string, ours: readonly string[], caBundle: string): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    let current: T;
    try {
      current = await port.read(name);
    } catch (err) {
      if (httpCode(err) === 404) {
        throw new Error(`webhook configuration ${name} not found: in cluster it is installed by the chart (impl/chart); out of cluster run with --webhook-configurations=manage`);
      }
      throw err;
    }
    const hooks = current.webhooks ?? [];
    if (!hooks.some((w) => ours.includes(w.name))) throw new Error(`webhook configuration ${name} has none of the webhooks ${ours.join(', ')}`);
    let changed = 0;
    const webhooks = hooks.map((w) => {
      if (!ours.includes(w.name) || w.clientConfig.caBundle === caBundle) return w;
      changed++;
      return { ...w, clientConfig: { ...w.clientConfig, caBundle } };
    });
    if (changed === 0) return 0;
    try {
      await port.replace(name, { ...current, webhooks });
      return changed;
    } catch (err) {
      if (httpCode(err) !== 409 || attempt >= 5) throw err;
    }
  }
}
