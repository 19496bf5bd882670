// The manager's seam to the webhook server (impl/webhooks/server.ts): starting it and probing it
// for readiness.
import { connect } from 'node:net';
import type { KubernetesObject, V1ConfigMap, V1ControllerRevision, V1Namespace } from '@kubernetes/client-node';
import { PODPROBEMARKERS_PATH, SIDECARSETS_PATH } from '../api/group.ts';
import { KRUISE_CONFIGURATION, type SidecarSet } from '../api/sidecarset.ts';
import { managerNamespace, NAMESPACES_PATH, REVISIONS_PATH } from '../controllers/sidecarset/controller.ts';
import type { Manager } from '../runtime/index.ts';
import { startWebhookServer, type WebhookServer, type WebhookServerOptions } from '../webhooks/server.ts';
import type { SidecarSetAdmissionDeps } from '../webhooks/sidecarset.ts';
import type { PodProbeMarkerAdmissionDeps } from '../webhooks/podprobemarker.ts';
import type { PodProbeMarker } from '../api/podprobemarker.ts';

export type WebhookOptions = WebhookServerOptions;
export type WebhookHandle = WebhookServer;

/** startWebhooks serves the admission webhooks and registers their configurations. */
export function startWebhooks(opts: WebhookOptions): Promise<WebhookHandle> {
  return startWebhookServer(opts);
}

/** portAccepts is a readiness probe for the webhook listener: a TCP connect that succeeds. */
export function portAccepts(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/**
 * sidecarSetAdmission reads what SidecarSet admission needs from the manager's shared caches
 * (SidecarSets, revisions, namespaces, the kruise-configuration ConfigMap), so a pod admission
 * makes no API call. The caches start with the manager; admission waits for their first list.
 */
export function sidecarSetAdmission(mgr: Manager): SidecarSetAdmissionDeps {
  const ns = managerNamespace();
  const sets = mgr.informer<SidecarSet & KubernetesObject>(SIDECARSETS_PATH);
  const revisions = mgr.informer<V1ControllerRevision>(REVISIONS_PATH);
  const namespaces = mgr.informer<V1Namespace>(NAMESPACES_PATH);
  const configMaps = mgr.informer<V1ConfigMap>(`/api/v1/namespaces/${ns}/configmaps`, { fieldSelector: `metadata.name=${KRUISE_CONFIGURATION}` });
  const all = [sets, revisions, namespaces, configMaps];
  return {
    caches: {
      sidecarSets: () => sets.list(),
      revisions: () => revisions.list(ns),
      namespaceLabels: (name) => namespaces.get(undefined, name)?.metadata?.labels,
      kruiseConfiguration: () => configMaps.get(ns, KRUISE_CONFIGURATION)?.data,
      synced: async () => {
        if (all.every((c) => c.hasSynced())) return;
        await Promise.all(all.map((c) => c.waitForSync(mgr.signal)));
      },
      random: () => Math.random(),
    },
    patchMetadataDefaultsAllowed: mgr.gates.enabled('SidecarSetPatchPodMetadataDefaultsAllowed'),
    now: () => new Date(),
  };
}

/** podProbeMarkerAdmission reads PodProbeMarkers from the manager's shared cache (no API call per pod). */
export function podProbeMarkerAdmission(mgr: Manager): PodProbeMarkerAdmissionDeps {
  const markers = mgr.informer<PodProbeMarker & KubernetesObject>(PODPROBEMARKERS_PATH);
  return {
    markers: (ns) => markers.list(ns),
    synced: async () => {
      if (!markers.hasSynced()) await markers.waitForSync(mgr.signal);
    },
  };
}
