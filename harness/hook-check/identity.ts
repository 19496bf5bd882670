/**
 * The identity a chart's pre-delete hook Job runs as, recreated for Helm.PreDeleteCheck: a
 * ServiceAccount bound (ClusterRoleBinding) to a ClusterRole with exactly the descriptor's rules,
 * and a token for it from the TokenRequest API, so the check program has no permission its chart
 * would not give it.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AuthorizationV1Api, CoreV1Api, type KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { MANAGED_BY, RUN_LABEL } from '../kube/namespace.ts';
import type { PolicyRuleSpec } from './spec.ts';
import type { ClusterAccess } from './plan.ts';

export interface HookIdentity {
  /** Name of the ServiceAccount, ClusterRole and ClusterRoleBinding. */
  name: string;
  namespace: string;
  token: string;
  /** Removes the ServiceAccount, ClusterRole and ClusterRoleBinding. */
  dispose(): Promise<void>;
}

export interface IdentityOptions {
  namespace: string;
  runId: string;
  rules: readonly PolicyRuleSpec[];
  /** How long the RBAC authorizer may take to see the new binding. */
  rbacTimeoutMs?: number;
}

const notFound = (err: unknown) => (err as { code?: number }).code === 404;

export async function createHookIdentity(kc: KubeConfig, opts: IdentityOptions): Promise<HookIdentity> {
  const core = kc.makeApiClient(CoreV1Api);
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  const name = `kc-pre-delete-check-${randomBytes(3).toString('hex')}`;
  const labels = { ...MANAGED_BY, [RUN_LABEL]: opts.runId };
  const dispose = async () => {
    const steps = [
      () => rbac.deleteClusterRoleBinding({ name }),
      () => rbac.deleteClusterRole({ name }),
      () => core.deleteNamespacedServiceAccount({ name, namespace: opts.namespace }),
    ];
    for (const step of steps) await step().catch((err: unknown) => (notFound(err) ? undefined : Promise.reject(err)));
  };
  try {
    await core.createNamespacedServiceAccount({ namespace: opts.namespace, body: { metadata: { name, labels } } });
    await rbac.createClusterRole({ body: { metadata: { name, labels }, rules: opts.rules.map((r) => ({ ...r })) } });
    await rbac.createClusterRoleBinding({
      body: {
        metadata: { name, labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
        subjects: [{ kind: 'ServiceAccount', name, namespace: opts.namespace }],
      },
    });
    await waitForRules(kc, `system:serviceaccount:${opts.namespace}:${name}`, opts.namespace, opts.rules, opts.rbacTimeoutMs ?? 15_000);
    const tr = await core.createNamespacedServiceAccountToken({ name, namespace: opts.namespace, body: { spec: { audiences: [], expirationSeconds: 3600 } } });
    const token = tr.status?.token;
    if (!token) throw new Error(`TokenRequest for ServiceAccount ${opts.namespace}/${name} returned no token`);
    return { name, namespace: opts.namespace, token, dispose };
  } catch (err) {
    await dispose().catch(() => undefined);
    throw err;
  }
}

/**
 * The RBAC authorizer learns of a new binding from its informer, a moment after the create: ask
 * it (SubjectAccessReview) until every rule is allowed. There is nothing to watch, so this one
 * wait polls, briefly, and says what it waited for when it gives up.
 */
async function waitForRules(kc: KubeConfig, user: string, namespace: string, rules: readonly PolicyRuleSpec[], timeoutMs: number): Promise<void> {
  const authz = kc.makeApiClient(AuthorizationV1Api);
  const asks = rules.flatMap((r) => r.apiGroups.flatMap((group) => r.resources.flatMap((resource) => r.verbs.map((verb) => ({ group, resource, verb, name: r.resourceNames?.[0] })))));
  const deadline = performance.now() + timeoutMs;
  let pending = asks;
  for (;;) {
    const answers = await Promise.all(
      pending.map(async (a) => {
        const r = await authz.createSubjectAccessReview({
          body: {
            spec: {
              user,
              groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
              resourceAttributes: { group: a.group, resource: a.resource, verb: a.verb, ...(a.name ? { name: a.name } : {}) },
            },
          },
        });
        return r.status?.allowed === true;
      }),
    );
    pending = pending.filter((_, i) => !answers[i]);
    if (pending.length === 0) return;
    if (performance.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for RBAC to allow ${user}: ${pending.map((a) => `${a.verb} ${a.group || 'core'}/${a.resource}`).join(', ')}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The current cluster of a kubeconfig: its server and the CA its serving certificate is checked against. */
export function clusterAccess(kc: KubeConfig): ClusterAccess {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  const caPem = cluster.caData ? Buffer.from(cluster.caData, 'base64').toString('utf8') : cluster.caFile ? readFileSync(cluster.caFile, 'utf8') : undefined;
  return { server: cluster.server, ...(caPem ? { caPem } : {}), ...(cluster.skipTLSVerify ? { skipTLSVerify: true } : {}) };
}
