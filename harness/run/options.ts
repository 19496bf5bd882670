/**
 * Run options: a conformance.yaml file and CLI flags, flags winning. One zod schema, so a typo in
 * the file is an error that names the key, not a silently ignored setting.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { isFeatureId } from '../features.ts';
import { TimeoutOverridesSchema } from './timeouts.ts';

export const OptionsSchema = z
  .object({
    provider: z.enum(['local', 'kind', 'existing']).default('local'),
    clusterName: z.string().default('kc-run'),
    port: z.number().int().positive().optional(),
    kubernetesVersion: z.string().optional(),
    image: z.string().optional(),
    kubeconfig: z.string().optional(),
    context: z.string().optional(),
    allowExistingCluster: z.boolean().default(false),
    impl: z.string().default('reference'),
    profiles: z.array(z.enum(['Core', 'Extended'])).default(['Core', 'Extended']),
    supportedFeatures: z.array(z.string()).optional(),
    exemptFeatures: z.array(z.string()).default([]),
    onlyFeatures: z.array(z.string()).default([]),
    run: z.string().optional(),
    skip: z.string().optional(),
    failFast: z.boolean().default(false),
    failOnExtended: z.boolean().default(false),
    parallelism: z.number().int().positive().default(4),
    /** Suite passes on one cluster and install, to find flaky tests (report: `repeat`). */
    repeat: z.number().int().positive().default(1),
    keep: z.boolean().default(false),
    keepNamespaces: z.boolean().default(false),
    reportDir: z.string().optional(),
    timeouts: TimeoutOverridesSchema.default({}),
    timeoutMultiplier: z.number().positive().default(1),
  })
  .strict()
  .superRefine((o, ctx) => {
    for (const key of ['supportedFeatures', 'exemptFeatures', 'onlyFeatures'] as const) {
      (o[key] ?? []).forEach((id, i) => {
        if (!isFeatureId(id)) ctx.addIssue({ code: 'custom', path: [key, i], message: `unknown feature "${id}"` });
      });
    }
  });
export type Options = z.infer<typeof OptionsSchema>;

export function loadOptions(file: string | undefined, flags: Record<string, unknown>): Options {
  let fromFile: Record<string, unknown> = {};
  if (file) {
    if (!existsSync(file)) throw new Error(`options file ${file} does not exist`);
    fromFile = (parse(readFileSync(file, 'utf8')) as Record<string, unknown> | null) ?? {};
  }
  const defined = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
  const merged = { ...fromFile, ...defined, timeouts: { ...((fromFile.timeouts as object) ?? {}), ...((defined.timeouts as object) ?? {}) } };
  const parsed = OptionsSchema.safeParse(merged);
  if (!parsed.success) {
    throw new Error(`${file ? `${file} / flags` : 'flags'}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}
