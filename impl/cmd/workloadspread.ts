// The manager's WorkloadSpread wiring: the custom-workload whitelist read once at startup from
// ConfigMap <kruise-namespace>/kruise-configuration (missing = no custom workloads), and the
// webhook-side dependencies (validation reads, pod hooks over the Manager's caches).
import type { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { setProcessWhitelist, sharedStore } from '../controllers/workloadspread/store.ts';
import { discoverPlural, type InformerFactory } from '../controllers/workloadspread/targets.ts';
import { type CustomWorkload, EMPTY_WHITELIST, KRUISE_CONFIGURATION, parseWhitelist, WHITELIST_KEY, type Whitelist } from '../controllers/workloadspread/whitelist.ts';
import { statusCodeOf } from '../runtime/controller.ts';
import type { Logger } from '../runtime/logger.ts';
import { liveValidationReader, type WorkloadSpreadDeps } from '../webhooks/workloadspread/index.ts';
import { workloadSpreadPodHooks } from '../webhooks/workloadspread/pods.ts';

/** Reads the whitelist; a ConfigMap that exists with malformed JSON fails the start, as in OpenKruise. */
export async function loadWhitelist(core: CoreV1Api, kc: KubeConfig, namespace: string, log: Logger): Promise<Whitelist> {
  let data: Record<string, string> | undefined;
  try {
    data = (await core.readNamespacedConfigMap({ name: KRUISE_CONFIGURATION, namespace })).data;
  } catch (err) {
    if (statusCodeOf(err) !== 404) throw err;
    log.info('no kruise-configuration ConfigMap: no custom workloads for WorkloadSpread', { namespace });
    setProcessWhitelist(EMPTY_WHITELIST);
    return EMPTY_WHITELIST;
  }
  let list: Whitelist;
  try {
    list = parseWhitelist(data?.[WHITELIST_KEY]);
  } catch (err) {
    throw new Error(`ConfigMap ${namespace}/${KRUISE_CONFIGURATION} key ${WHITELIST_KEY}: ${(err as Error).message}`);
  }
  list = { workloads: await Promise.all(list.workloads.map((w) => withListPath(kc, w, log))) };
  log.info('WorkloadSpread custom-workload whitelist', { namespace, workloads: list.workloads.map((w) => `${w.kind}.${w.group}/${w.version}${w.listPath ? '' : ' (not served: not watched)'}`) });
  setProcessWhitelist(list);
  return list;
}

/**
 * The kind's list path from discovery, so the controller can watch the workload (a replicas change
 * must reach its WorkloadSpread). Like OpenKruise, a kind not served at startup is not watched.
 */
async function withListPath(kc: KubeConfig, w: CustomWorkload, log: Logger): Promise<CustomWorkload> {
  try {
    const plural = await discoverPlural(kc, `${w.group}/${w.version}`, w.kind);
    return plural ? { ...w, listPath: `/apis/${w.group}/${w.version}/${plural}` } : w;
  } catch (err) {
    log.warn('cannot discover a whitelisted custom workload; it is not watched', { kind: `${w.kind}.${w.group}/${w.version}`, err: (err as Error).message });
    return w;
  }
}

export function workloadSpreadDeps(kc: KubeConfig, informer: InformerFactory, whitelist: Whitelist, logger: Logger): WorkloadSpreadDeps {
  return {
    validation: liveValidationReader(kc, () => whitelist),
    pods: workloadSpreadPodHooks({ kc, informer, whitelist: () => whitelist, store: sharedStore, logger }),
  };
}
