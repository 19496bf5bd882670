// The admission webhook server: HTTPS with a CA generated at start, AdmissionReview v1 routing to
// the handlers, registration of the webhook configurations, and a readiness probe that proves the
// apiserver really calls us (a server-side dry-run create of an invalid CloneSet must be rejected
// by this server) before startWebhookServer resolves.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AdmissionregistrationV1Api,
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  StorageV1Api,
  type AdmissionregistrationV1WebhookClientConfig,
  type V1MutatingWebhookConfiguration,
  type V1ObjectMeta,
  type V1ValidatingWebhookConfiguration,
} from '@kubernetes/client-node';
import { CLONESET, CLONESET_VERSION, GROUP } from '../api/group.ts';
import { CONVERSION_PATH, CONVERTED_CRDS, kubeCrdPort, NO_CONVERSION, serveConversion, setCrdConversion, webhookConversion } from './conversion.ts';
import { waitUntilConversionServed } from './readiness.ts';
import type { FeatureGates } from '../runtime/feature-gates.ts';
import type { Logger } from '../runtime/logger.ts';
import { type AdmissionReview, deny, toResponse, type Verdict } from './admission.ts';
import { generateServingCertificate } from './certs.ts';
import { kubeSecretPort, patchCaBundle, sharedServingCertificate } from './in-cluster.ts';
import { type ConfigurationOptions, mutatingConfiguration, PATHS, validatingConfiguration, WEBHOOK_NAMES } from './configurations.ts';
import {
  type ClusterReader,
  type Handler,
  type HandlerDeps,
  mutateCloneSet,
  mutatePod,
  mutateSidecarSetHandler,
  mutateStatefulSet,
  validateCloneSetHandler,
  validatePod,
  validatePodProbeMarkerHandler,
  validateSidecarSetHandler,
  validateStatefulSetHandler,
} from './handlers.ts';
import type { PodProbeMarkerAdmissionDeps } from './podprobemarker.ts';
import type { SidecarSetAdmissionDeps } from './sidecarset.ts';
import { liveValidationReader, validateWorkloadSpreadHandler, type WorkloadSpreadDeps } from './workloadspread/index.ts';
import { EMPTY_WHITELIST } from '../controllers/workloadspread/whitelist.ts';
import { validateAlwaysOnlyDeletion, validateBuiltinWorkloadDeletion, validateCrdDeletion, validateNamespaceDeletion } from './deletion-protection/handlers.ts';

export interface WebhookServerOptions {
  /** Listen address; also the URL host out of cluster (0.0.0.0 / :: are advertised as 127.0.0.1). */
  host: string;
  /** 0 picks a free port. */
  port: number;
  kc: KubeConfig;
  gates: FeatureGates;
  logger: Logger;
  /** In cluster: configurations reference this Service instead of a URL. */
  service?: { name: string; namespace: string; port?: number };
  /**
   * Wait until the apiserver calls the webhooks (default: true out of cluster, false with a
   * Service: a Service routes only to ready pods, so the first replica could never see it).
   */
  waitUntilServed?: boolean;
  /** In cluster: keep the CA and serving certificate in this Secret, shared by every replica. */
  certificateSecret?: { name: string; namespace: string };
  /**
   * `manage` (default): create or replace the configurations. `patch-ca`: they were installed
   * (by the chart); only write the CA into our webhooks' caBundle.
   */
  configurations?: 'manage' | 'patch-ca';
  /** Give up waiting after this long (default 60 s). */
  readyTimeoutMs?: number;
  /** Namespace of the dry-run probe (default "default"). */
  probeNamespace?: string;
  /** Delete the configurations on close (default: true out of cluster, false with a Service). */
  removeConfigurationsOnClose?: boolean;
  podFailurePolicy?: ConfigurationOptions['podFailurePolicy'];
  /** Told of every admission request (path, HTTP status, seconds): the manager's latency metrics. */
  observe?: (path: string, code: number, seconds: number) => void;
  /** WorkloadSpread admission and pod hooks; default: live reads, no custom workloads, no pod hooks. */
  workloadSpread?: WorkloadSpreadDeps;
  /** SidecarSet admission over the manager's caches. */
  sidecarSets?: SidecarSetAdmissionDeps;
  /** PodProbeMarker caches for the pod webhook's serverless probe annotations. */
  podProbeMarkers?: PodProbeMarkerAdmissionDeps;
}

export interface WebhookServer {
  port: number;
  /** base64 PEM of the CA, as in the configurations. */
  caBundle: string;
  close(): Promise<void>;
}

const ROUTES: Record<string, Handler> = {
  [PATHS.mutateCloneSet]: mutateCloneSet,
  [PATHS.validateCloneSet]: validateCloneSetHandler,
  [PATHS.mutateStatefulSet]: mutateStatefulSet,
  [PATHS.validateStatefulSet]: validateStatefulSetHandler,
  [PATHS.mutatePod]: mutatePod,
  [PATHS.validatePod]: validatePod,
  [PATHS.validateWorkloadSpread]: validateWorkloadSpreadHandler,
  [PATHS.validateDeployment]: validateBuiltinWorkloadDeletion,
  [PATHS.validateReplicaSet]: validateBuiltinWorkloadDeletion,
  [PATHS.validateAppsStatefulSet]: validateBuiltinWorkloadDeletion,
  [PATHS.validateNamespace]: validateNamespaceDeletion,
  [PATHS.validateCrd]: validateCrdDeletion,
  [PATHS.validateService]: validateAlwaysOnlyDeletion,
  [PATHS.validateIngress]: validateAlwaysOnlyDeletion,
  [PATHS.mutateSidecarSet]: mutateSidecarSetHandler,
  [PATHS.validateSidecarSet]: validateSidecarSetHandler,
  [PATHS.validatePodProbeMarker]: validatePodProbeMarkerHandler,
};

const MAX_BODY_BYTES = 8 * 1024 * 1024;
export const PROBE_NAME = 'kruise-ref-webhook-probe';

/** HTTP status and parsed Status body of a client-node error. */
export function apiError(err: unknown): { code?: number; message: string; body?: { message?: string; reason?: string; code?: number } } {
  const e = err as { code?: number; body?: unknown; message?: string };
  let body: { message?: string; reason?: string; code?: number } | undefined;
  if (typeof e?.body === 'string') {
    try {
      body = JSON.parse(e.body) as typeof body;
    } catch {
      body = { message: e.body };
    }
  } else if (e?.body && typeof e.body === 'object') body = e.body as typeof body;
  return { code: typeof e?.code === 'number' ? e.code : body?.code, message: body?.message ?? e?.message ?? String(err), ...(body ? { body } : {}) };
}

function notFound(err: unknown): boolean {
  return apiError(err).code === 404;
}

export function kubeClusterReader(kc: KubeConfig): ClusterReader {
  const core = kc.makeApiClient(CoreV1Api);
  const storage = kc.makeApiClient(StorageV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  return {
    async getPod(namespace, name) {
      try {
        return await core.readNamespacedPod({ namespace, name });
      } catch (err) {
        if (notFound(err)) return undefined;
        throw new Error(apiError(err).message);
      }
    },
    async getStorageClass(name) {
      try {
        return await storage.readStorageClass({ name });
      } catch (err) {
        if (notFound(err)) return undefined;
        throw new Error(apiError(err).message);
      }
    },
    async listStorageClasses() {
      return (await storage.listStorageClass()).items;
    },
    // Live reads, as OpenKruise's deletion checks are: a cache could miss a pod created a moment ago.
    async listPods(namespace) {
      return (await core.listNamespacedPod({ namespace })).items;
    },
    async listPersistentVolumeClaims(namespace) {
      return (await core.listNamespacedPersistentVolumeClaim({ namespace })).items;
    },
    async listCustomObjects(group, version, plural) {
      const list = (await custom.listClusterCustomObject({ group, version, plural })) as { items?: { metadata?: V1ObjectMeta }[] };
      return list.items ?? [];
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error(`request body larger than ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Serves one HTTP request: AdmissionReview in, AdmissionReview out. Exported for tests. */
export async function serveAdmission(path: string, body: string, deps: HandlerDeps, logger: Logger): Promise<{ status: number; review?: AdmissionReview; error?: string }> {
  const handler = ROUTES[path];
  if (!handler) return { status: 404, error: `no webhook at ${path}` };
  let review: AdmissionReview;
  try {
    review = JSON.parse(body) as AdmissionReview;
  } catch (err) {
    return { status: 400, error: `body is not JSON: ${(err as Error).message}` };
  }
  const request = review.request;
  if (!request?.uid) return { status: 400, error: 'AdmissionReview has no request.uid' };
  let verdict: Verdict;
  try {
    verdict = await handler(request, deps);
  } catch (err) {
    logger.error('admission handler failed', { path, uid: request.uid, err });
    verdict = deny(500, `internal error: ${(err as Error).message}`);
  }
  logger.debug('admission', {
    path,
    operation: request.operation,
    namespace: request.namespace,
    name: request.name,
    dryRun: request.dryRun ?? false,
    allowed: verdict.allowed,
    ...(verdict.allowed ? { patchOps: verdict.patch?.length ?? 0 } : { code: verdict.status.code, message: verdict.status.message }),
  });
  return { status: 200, review: { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: toResponse(request.uid, verdict) } };
}

function advertisedHost(host: string): string {
  return host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

async function upsertMutating(api: AdmissionregistrationV1Api, body: V1MutatingWebhookConfiguration): Promise<void> {
  const name = body.metadata?.name as string;
  for (let attempt = 0; ; attempt++) {
    try {
      const current = await api.readMutatingWebhookConfiguration({ name });
      await api.replaceMutatingWebhookConfiguration({ name, body: { ...body, metadata: { ...body.metadata, resourceVersion: current.metadata?.resourceVersion } } });
      return;
    } catch (err) {
      const code = apiError(err).code;
      if (code === 404) {
        try {
          await api.createMutatingWebhookConfiguration({ body });
          return;
        } catch (createErr) {
          if (apiError(createErr).code !== 409 || attempt > 5) throw createErr;
          continue;
        }
      }
      if (code !== 409 || attempt > 5) throw err;
    }
  }
}

async function upsertValidating(api: AdmissionregistrationV1Api, body: V1ValidatingWebhookConfiguration): Promise<void> {
  const name = body.metadata?.name as string;
  for (let attempt = 0; ; attempt++) {
    try {
      const current = await api.readValidatingWebhookConfiguration({ name });
      await api.replaceValidatingWebhookConfiguration({ name, body: { ...body, metadata: { ...body.metadata, resourceVersion: current.metadata?.resourceVersion } } });
      return;
    } catch (err) {
      const code = apiError(err).code;
      if (code === 404) {
        try {
          await api.createValidatingWebhookConfiguration({ body });
          return;
        } catch (createErr) {
          if (apiError(createErr).code !== 409 || attempt > 5) throw createErr;
          continue;
        }
      }
      if (code !== 409 || attempt > 5) throw err;
    }
  }
}

/** An invalid CloneSet (maxUnavailable 0 and maxSurge 0 with one replica) that only our validating webhook rejects. */
export function probeCloneSet(namespace: string): object {
  return {
    apiVersion: `${GROUP}/${CLONESET_VERSION}`,
    kind: CLONESET.kind,
    metadata: { name: PROBE_NAME, namespace },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: PROBE_NAME } },
      template: { metadata: { labels: { app: PROBE_NAME } }, spec: { containers: [{ name: 'probe', image: 'probe' }] } },
      updateStrategy: { maxUnavailable: 0, maxSurge: 0 },
    },
  };
}

/** Retries the dry-run probe until our webhook rejects it, or throws with the last observation. */
async function waitUntilServed(kc: KubeConfig, namespace: string, timeoutMs: number, logger: Logger): Promise<void> {
  const custom = kc.makeApiClient(CustomObjectsApi);
  const deadline = Date.now() + timeoutMs;
  let last = 'no attempt';
  let delay = 100;
  while (Date.now() < deadline) {
    try {
      await custom.createNamespacedCustomObject({ group: GROUP, version: CLONESET_VERSION, namespace, plural: CLONESET.plural, body: probeCloneSet(namespace), dryRun: 'All' });
      last = 'the invalid probe CloneSet was accepted (webhook configuration not in effect yet)';
    } catch (err) {
      const e = apiError(err);
      if (e.message.includes(`admission webhook "${WEBHOOK_NAMES.validateCloneSet}" denied the request`) && e.message.includes('maxUnavailable')) {
        logger.info('apiserver calls the webhooks', { probe: 'dry-run CloneSet create rejected' });
        return;
      }
      last = `HTTP ${e.code ?? '?'}: ${e.message}`;
      // RBAC refuses before admission runs: waiting cannot help.
      if (e.code === 403) {
        throw new Error(`webhook readiness probe forbidden (${e.message}); the manager needs "create" on clonesets.${GROUP} (used only as a server-side dry run), or start with waitUntilServed: false`);
      }
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 1000);
  }
  throw new Error(`webhooks not served by the apiserver after ${timeoutMs} ms; last probe result: ${last}`);
}

export async function startWebhookServer(opts: WebhookServerOptions): Promise<WebhookServer> {
  const logger = opts.logger;
  const advertised = advertisedHost(opts.host);
  const serviceHosts = opts.service
    ? [`${opts.service.name}.${opts.service.namespace}.svc`, `${opts.service.name}.${opts.service.namespace}.svc.cluster.local`, `${opts.service.name}.${opts.service.namespace}`]
    : [];
  const hosts = [...serviceHosts, advertised, '127.0.0.1', 'localhost'];
  const tls = opts.certificateSecret
    ? await sharedServingCertificate(kubeSecretPort(opts.kc.makeApiClient(CoreV1Api), opts.certificateSecret.namespace, opts.certificateSecret.name), hosts)
    : await generateServingCertificate(hosts);
  if (opts.certificateSecret) {
    logger.info('webhook certificate', { secret: `${opts.certificateSecret.namespace}/${opts.certificateSecret.name}`, source: (tls as { source?: string }).source });
  }
  const caBundle = Buffer.from(tls.caCert).toString('base64');
  const deps: HandlerDeps = {
    gates: opts.gates,
    cluster: kubeClusterReader(opts.kc),
    workloadSpread: opts.workloadSpread ?? { validation: liveValidationReader(opts.kc, () => EMPTY_WHITELIST) },
    ...(opts.sidecarSets ? { sidecarSets: opts.sidecarSets } : {}),
    ...(opts.podProbeMarkers ? { podProbeMarkers: opts.podProbeMarkers } : {}),
  };

  let conversions = 0;
  const server: Server = createServer({ cert: tls.cert, key: tls.key }, (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0] as string;
    if (req.method === 'GET' && (path === '/healthz' || path === '/readyz')) {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { 'content-type': 'text/plain' }).end('method not allowed');
      return;
    }
    const started = performance.now();
    const observed = (code: number) => opts.observe?.(path, code, (performance.now() - started) / 1000);
    if (path === CONVERSION_PATH) {
      readBody(req)
        .then((body) => {
          const out = serveConversion(body);
          if (out.review) res.writeHead(out.status, { 'content-type': 'application/json' }).end(JSON.stringify(out.review));
          else res.writeHead(out.status, { 'content-type': 'text/plain' }).end(out.error ?? '');
          conversions++;
          if (out.review?.response?.result.status === 'Failure') logger.warn('conversion failed', { message: out.review.response.result.message });
          observed(out.status);
        })
        .catch((err: unknown) => {
          logger.error('conversion request failed', { err });
          if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' }).end((err as Error).message);
          observed(400);
        });
      return;
    }
    readBody(req)
      .then((body) => serveAdmission(path, body, deps, logger))
      .then((out) => {
        if (out.review) res.writeHead(out.status, { 'content-type': 'application/json' }).end(JSON.stringify(out.review));
        else res.writeHead(out.status, { 'content-type': 'text/plain' }).end(out.error ?? '');
        observed(out.status);
      })
      .catch((err: unknown) => {
        logger.error('webhook request failed', { path, err });
        if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' }).end((err as Error).message);
        observed(400);
      });
  });
  // The apiserver (a Go client) keeps idle connections for 90 s and reuses them; Node's default
  // keep-alive of 5 s closes them first, and a request racing that close fails with "connection
  // reset by peer". Outlive the client's idle timeout instead.
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 125_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const closeServer = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });

  const clientConfig = (path: string): AdmissionregistrationV1WebhookClientConfig =>
    opts.service
      ? { caBundle, service: { name: opts.service.name, namespace: opts.service.namespace, path, port: opts.service.port ?? 443 } }
      : { caBundle, url: `https://${urlHost(advertised)}:${port}${path}` };
  const configOptions: ConfigurationOptions = { clientConfig, ...(opts.podFailurePolicy ? { podFailurePolicy: opts.podFailurePolicy } : {}) };
  const admission = opts.kc.makeApiClient(AdmissionregistrationV1Api);
  const removeOnClose = opts.configurations === 'patch-ca' ? false : (opts.removeConfigurationsOnClose ?? !opts.service);
  const crds = kubeCrdPort(opts.kc.makeApiClient(ApiextensionsV1Api));
  const convertedCrds: string[] = [];
  const removeConfigurations = async () => {
    for (const name of convertedCrds) {
      try {
        await setCrdConversion(crds, name, NO_CONVERSION);
      } catch (err) {
        logger.warn('could not switch CRD conversion back to None', { crd: name, err: apiError(err).message });
      }
    }
    for (const del of [
      () => admission.deleteMutatingWebhookConfiguration({ name: mutatingConfiguration(configOptions).metadata?.name as string }),
      () => admission.deleteValidatingWebhookConfiguration({ name: validatingConfiguration(configOptions).metadata?.name as string }),
    ]) {
      try {
        await del();
      } catch (err) {
        if (!notFound(err)) logger.warn('could not delete webhook configuration', { err: apiError(err).message });
      }
    }
  };

  try {
    if (opts.configurations === 'patch-ca') {
      const mutating = mutatingConfiguration(configOptions);
      const validating = validatingConfiguration(configOptions);
      const own = (c: { webhooks?: Array<{ name: string }> }) => (c.webhooks ?? []).map((w) => w.name);
      const m = await patchCaBundle(
        { read: (name) => admission.readMutatingWebhookConfiguration({ name }), replace: async (name, body) => void (await admission.replaceMutatingWebhookConfiguration({ name, body })) },
        mutating.metadata?.name as string,
        own(mutating),
        caBundle,
      );
      const v = await patchCaBundle(
        { read: (name) => admission.readValidatingWebhookConfiguration({ name }), replace: async (name, body) => void (await admission.replaceValidatingWebhookConfiguration({ name, body })) },
        validating.metadata?.name as string,
        own(validating),
        caBundle,
      );
      logger.info('caBundle of the installed webhook configurations is current', { port, patchedWebhooks: m + v });
    } else {
      await upsertMutating(admission, mutatingConfiguration(configOptions));
      await upsertValidating(admission, validatingConfiguration(configOptions));
      logger.info('webhook configurations registered', { port, ...(opts.service ? { service: `${opts.service.namespace}/${opts.service.name}` } : { url: `https://${urlHost(advertised)}:${port}` }) });
    }
    // The CRDs install with conversion None; converting through us is switched on here, in both modes.
    for (const name of CONVERTED_CRDS) {
      try {
        const changed = await setCrdConversion(crds, name, webhookConversion(clientConfig(CONVERSION_PATH)));
        convertedCrds.push(name);
        logger.info('CRD conversion through the webhook', { crd: name, changed });
      } catch (err) {
        if (!(err instanceof Error && err.message.includes('not found'))) throw err;
        logger.warn('CRD not installed: no conversion webhook for it', { crd: name });
      }
    }
    if (opts.waitUntilServed ?? !opts.service) {
      await waitUntilServed(opts.kc, opts.probeNamespace ?? 'default', opts.readyTimeoutMs ?? 60_000, logger);
      if (convertedCrds.length) await waitUntilConversionServed(opts.kc, () => conversions, opts.readyTimeoutMs ?? 60_000, logger);
    }
  } catch (err) {
    if (removeOnClose) await removeConfigurations();
    await closeServer();
    throw err;
  }

  let closed = false;
  return {
    port,
    caBundle,
    async close() {
      if (closed) return;
      closed = true;
      // Out of cluster, nobody else serves these: leaving them would block CloneSet/ASTS/pod writes.
      if (removeOnClose) await removeConfigurations();
      await closeServer();
    },
  };
}
