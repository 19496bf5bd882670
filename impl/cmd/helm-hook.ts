// `kruise-ref helm-hook`: the chart's pre-delete check. It refuses an uninstall while workloads of
// apps.kruise.io exist, because uninstalling deletes the CRDs and with them every such object.
// By default it checks what OpenKruise's hook checks (spec §8.1): CloneSets (v1alpha1), Advanced
// StatefulSets (v1alpha1 and v1beta1) and Advanced DaemonSets (v1alpha1), each with one
// cluster-wide list of limit=1. With allKinds it checks every listable apps.kruise.io resource the
// apiserver's discovery serves. A resource whose API is not served (404) counts as none.
import type { KubeConfig } from '@kubernetes/client-node';
import { GROUP } from '../api/group.ts';
import { getJson, KubeHttpError } from '../runtime/kube-http.ts';

/** One list the check makes: a resource at one version. */
export interface CheckedResource {
  kind: string;
  version: string;
  plural: string;
}

/** What OpenKruise v1.8's cmd/helm_hook lists, in its order. */
export const OPENKRUISE_HOOK_RESOURCES: readonly CheckedResource[] = [
  { kind: 'CloneSet', version: 'v1alpha1', plural: 'clonesets' },
  { kind: 'StatefulSet', version: 'v1alpha1', plural: 'statefulsets' },
  { kind: 'StatefulSet', version: 'v1beta1', plural: 'statefulsets' },
  { kind: 'DaemonSet', version: 'v1alpha1', plural: 'daemonsets' },
];

/** The answer to one limit=1 list. */
export type ListOutcome =
  | { served: false }
  | { served: true; exists: false }
  | { served: true; exists: true; example?: string };

/** The two API calls the check needs; the real one is kubeHookApi, tests pass a fake. */
export interface HookApi {
  /** A cluster-wide list of one resource with limit=1. */
  listOne(r: CheckedResource): Promise<ListOutcome>;
  /** Every listable resource of apps.kruise.io the apiserver serves, each version separately. */
  discover(): Promise<CheckedResource[]>;
}

export interface BlockingKind {
  kind: string;
  /** group/version of the list that found it. */
  apiVersion: string;
  /** "namespace/name" (or "name" for a cluster-scoped kind); absent when only a continue token came back. */
  example?: string;
}

export interface HookResult {
  blocking: BlockingKind[];
  /** group/version/plural of every list made, and whether it was served. */
  checked: Array<{ resource: string; served: boolean }>;
}

/** runHookCheck lists each resource once; a kind already found blocking is not listed again at another version. */
export async function runHookCheck(api: HookApi, opts: { allKinds: boolean }): Promise<HookResult> {
  const resources = [...OPENKRUISE_HOOK_RESOURCES];
  if (opts.allKinds) {
    for (const r of await api.discover()) {
      if (!resources.some((x) => x.plural === r.plural && x.version === r.version)) resources.push(r);
    }
  }
  const blocking: BlockingKind[] = [];
  const checked: HookResult['checked'] = [];
  for (const r of resources) {
    if (blocking.some((b) => b.kind === r.kind)) continue;
    const out = await api.listOne(r);
    checked.push({ resource: `${GROUP}/${r.version}/${r.plural}`, served: out.served });
    if (out.served && out.exists) blocking.push({ kind: r.kind, apiVersion: `${GROUP}/${r.version}`, ...(out.example ? { example: out.example } : {}) });
  }
  return { blocking, checked };
}

/** The lines the subcommand prints and its exit code: 0 clean, 1 blocked. */
export function describeResult(result: HookResult, opts: { allKinds: boolean }): { code: number; lines: string[] } {
  const scope = opts.allKinds ? `any apps.kruise.io kind` : `CloneSets, Advanced StatefulSets or Advanced DaemonSets`;
  if (result.blocking.length === 0) {
    const served = result.checked.filter((c) => c.served).length;
    return { code: 0, lines: [`cluster is clean: no ${scope} exist (${served} of ${result.checked.length} lists served); uninstall may proceed`] };
  }
  return {
    code: 1,
    lines: [
      `uninstall refused: deleting the chart deletes the apps.kruise.io CRDs and every object of them, and these still exist:`,
      ...result.blocking.map((b) => `  ${b.kind} (${b.apiVersion}): ${b.example ? `e.g. ${b.example}` : 'at least one (the list returned only a continue token)'}`),
      `delete them first, or uninstall with \`helm uninstall --no-hooks\` to skip this check`,
    ],
  };
}

interface ListBody {
  metadata?: { continue?: string };
  items?: Array<{ metadata?: { name?: string; namespace?: string } }>;
}

interface ResourceListBody {
  resources?: Array<{ name: string; kind: string; verbs?: string[] }>;
}

interface GroupBody {
  versions?: Array<{ version: string }>;
}

/** kubeHookApi talks to the apiserver of kc with plain GETs. */
export function kubeHookApi(kc: KubeConfig): HookApi {
  const notServed = (err: unknown) => err instanceof KubeHttpError && err.statusCode === 404;
  return {
    async listOne(r) {
      let body: ListBody;
      try {
        body = await getJson<ListBody>(kc, `/apis/${GROUP}/${r.version}/${r.plural}`, { limit: 1 });
      } catch (err) {
        if (notServed(err)) return { served: false };
        throw err;
      }
      const first = body.items?.[0]?.metadata;
      if (first?.name) return { served: true, exists: true, example: first.namespace ? `${first.namespace}/${first.name}` : first.name };
      if (body.metadata?.continue) return { served: true, exists: true };
      return { served: true, exists: false };
    },
    async discover() {
      let group: GroupBody;
      try {
        group = await getJson<GroupBody>(kc, `/apis/${GROUP}`);
      } catch (err) {
        if (notServed(err)) return [];
        throw err;
      }
      const out: CheckedResource[] = [];
      for (const { version } of group.versions ?? []) {
        let list: ResourceListBody;
        try {
          list = await getJson<ResourceListBody>(kc, `/apis/${GROUP}/${version}`);
        } catch (err) {
          if (notServed(err)) continue;
          throw err;
        }
        for (const res of list.resources ?? []) {
          if (res.name.includes('/') || !(res.verbs ?? []).includes('list')) continue;
          out.push({ kind: res.kind, version, plural: res.name });
        }
      }
      return out;
    },
  };
}
