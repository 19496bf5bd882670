// Live reads for WorkloadSpread admission (rare requests, so no cache): the namespace's
// WorkloadSpreads and the target workload, by the paths of the built-in kinds.
import type { KubeConfig } from '@kubernetes/client-node';
import { WORKLOADSPREAD, WORKLOADSPREAD_VERSION, resourcePath } from '../../api/group.ts';
import type { TargetReference, WorkloadSpread } from '../../api/workloadspread.ts';
import { parseGroup } from '../../api/workloadspread-validation.ts';
import type { Whitelist } from '../../controllers/workloadspread/whitelist.ts';
import { getJson, KubeHttpError } from '../../runtime/kube-http.ts';
import type { WorkloadSpreadValidationReader } from './validate.ts';

/** Collection path of a built-in target kind in a namespace, or undefined for other kinds. */
export function builtinWorkloadPath(ref: TargetReference, namespace: string): string | undefined {
  const g = parseGroup(ref.apiVersion);
  if (!g.ok) return undefined;
  const ns = encodeURIComponent(namespace);
  const name = encodeURIComponent(ref.name);
  const key = `${g.group}/${ref.kind}`;
  const paths: Record<string, string> = {
    'apps/Deployment': `/apis/apps/v1/namespaces/${ns}/deployments/${name}`,
    'apps/ReplicaSet': `/apis/apps/v1/namespaces/${ns}/replicasets/${name}`,
    'apps/StatefulSet': `/apis/apps/v1/namespaces/${ns}/statefulsets/${name}`,
    'batch/Job': `/apis/batch/v1/namespaces/${ns}/jobs/${name}`,
    'apps.kruise.io/CloneSet': `/apis/apps.kruise.io/v1alpha1/namespaces/${ns}/clonesets/${name}`,
    'apps.kruise.io/StatefulSet': `/apis/apps.kruise.io/v1beta1/namespaces/${ns}/statefulsets/${name}`,
  };
  return paths[key];
}

export function liveValidationReader(kc: KubeConfig, whitelist: () => Whitelist): WorkloadSpreadValidationReader {
  return {
    async listWorkloadSpreads(namespace) {
      const list = await getJson<{ items?: WorkloadSpread[] }>(kc, resourcePath(WORKLOADSPREAD_VERSION, WORKLOADSPREAD.plural, namespace));
      return list.items ?? [];
    },
    async getWorkload(ref, namespace) {
      const path = builtinWorkloadPath(ref, namespace);
      if (!path) return undefined;
      try {
        return await getJson<Record<string, unknown>>(kc, path);
      } catch (err) {
        if (err instanceof KubeHttpError && err.statusCode === 404) return undefined;
        throw err;
      }
    },
    whitelist,
  };
}
