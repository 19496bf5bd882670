/**
 * What the runner tells the suites about the run: which cluster, which implementation and what
 * it claims, what the substrate can do, the timeouts. Written as JSON to a file whose path is in
 * KRUISE_CONFORMANCE_RUN_FILE; suites read it through suites/lib, never through impl/.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CAPABILITIES } from '../clusters/provider.ts';
import { ResolvedPreDeleteCheck } from '../hook-check/spec.ts';
import { TIMEOUT_NAMES } from './timeouts.ts';

export const RUN_ENV_VAR = 'KRUISE_CONFORMANCE_RUN_FILE';

export const RunEnvSchema = z.object({
  runId: z.string().min(1),
  kubeconfig: z.string().min(1),
  context: z.string().optional(),
  implementation: z.object({
    name: z.string(),
    version: z.string(),
    /** Feature ids the implementation claims; "all" claims every registered feature. */
    claims: z.union([z.literal('all'), z.array(z.string())]),
    featureGates: z.record(z.string(), z.boolean()),
    /** How it was installed; the Helm phase needs the release to uninstall it. */
    install: z.object({ type: z.enum(['process', 'helm', 'manifests', 'openkruise', 'openkruise-in-cluster', 'preinstalled']), release: z.string().optional(), namespace: z.string().optional() }).optional(),
    /** The chart's pre-delete hook program, for Helm.PreDeleteCheck (descriptor `preDeleteCheck`). */
    preDeleteCheck: ResolvedPreDeleteCheck.optional(),
  }),
  provider: z.object({ name: z.string(), capabilities: z.array(z.enum(CAPABILITIES)) }),
  kubernetes: z.object({ version: z.string(), featureGates: z.record(z.string(), z.boolean()) }),
  timeouts: z.object(Object.fromEntries(TIMEOUT_NAMES.map((n) => [n, z.number().positive()])) as Record<(typeof TIMEOUT_NAMES)[number], z.ZodNumber>),
  keepNamespaces: z.boolean(),
  /** Only these features run (others are reported as skipped); empty = all. */
  onlyFeatures: z.array(z.string()),
  /** Features the user exempted: reported as skipped with that reason. */
  exemptFeatures: z.array(z.string()),
});
export type RunEnv = z.infer<typeof RunEnvSchema>;

export function readRunEnv(path: string): RunEnv {
  const parsed = RunEnvSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new Error(`${path} is not a valid run environment: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
