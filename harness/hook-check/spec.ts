/**
 * The descriptor's `preDeleteCheck` and its resolved form in the run environment: what
 * Helm.PreDeleteCheck runs. Shared by harness/run/descriptor.ts and harness/run/run-env.ts.
 */
import { z } from 'zod';

/** One RBAC rule, as in a ClusterRole. */
export const PolicyRule = z.object({
  apiGroups: z.array(z.string()).min(1),
  resources: z.array(z.string()).min(1),
  verbs: z.array(z.string()).min(1),
  resourceNames: z.array(z.string()).optional(),
});
export type PolicyRuleSpec = z.infer<typeof PolicyRule>;

/**
 * The program an implementation's chart runs as its pre-delete hook (spec §8.1), for
 * Helm.PreDeleteCheck: the harness runs it out of cluster with a ServiceAccount token that holds
 * exactly `rules` (harness/hook-check/), so its verdict is checked without a kubelet.
 */
export const PreDeleteCheck = z
  .object({
    /**
     * argv; placeholders: {kubeconfig} (a kubeconfig for the ServiceAccount's token) and
     * {tool:<group>} (the one binary of an on-demand tool group of harness/tools/catalog.ts, built
     * before the suites run when the feature would run).
     */
    command: z.array(z.string()).min(1),
    /**
     * The program reads the in-cluster config only (rest.InClusterConfig): it is run in a private
     * mount namespace with the token, ca.crt and namespace at
     * /var/run/secrets/kubernetes.io/serviceaccount and KUBERNETES_SERVICE_HOST/PORT set (root).
     */
    inCluster: z.boolean().default(false),
    /** The rules the chart's hook ClusterRole grants, and so all the check may use. */
    rules: z.array(PolicyRule).min(1),
    env: z.record(z.string(), z.string()).default({}),
    /** How long one run of the program may take. */
    timeoutSeconds: z.number().int().positive().default(60),
  })
  .superRefine((c, ctx) => {
    const usesKubeconfig = c.command.some((a) => a.includes('{kubeconfig}'));
    if (!c.inCluster && !usesKubeconfig) ctx.addIssue({ code: 'custom', path: ['command'], message: 'a program that is not inCluster must be given {kubeconfig}' });
    if (c.inCluster && usesKubeconfig) ctx.addIssue({ code: 'custom', path: ['command'], message: 'an inCluster program reads the in-cluster config, not {kubeconfig}' });
  });
export type PreDeleteCheckSpec = z.infer<typeof PreDeleteCheck>;


/**
 * What the suites get (harness/run/run-env.ts): the command with every {tool:<group>} replaced by
 * the binary's path ({kubeconfig} stays, filled per run), or why the program is unavailable.
 */
export const ResolvedPreDeleteCheck = z.object({
  command: z.array(z.string()).min(1),
  inCluster: z.boolean(),
  rules: z.array(PolicyRule).min(1),
  env: z.record(z.string(), z.string()),
  timeoutSeconds: z.number().positive(),
  /** Set when a tool the command names could not be built or found: the check's tests fail with it. */
  unavailable: z.string().optional(),
});
export type ResolvedPreDeleteCheckSpec = z.infer<typeof ResolvedPreDeleteCheck>;
