/**
 * Named timeouts for every kind of wait the suites do, after Gateway API's TimeoutConfig: a slow
 * substrate (kind on a laptop) raises them by name or by a multiplier, never by editing tests.
 */
import { z } from 'zod';

export const TIMEOUT_NAMES = [
  'podsReady', // pods of a workload created and Ready
  'rolloutProgress', // the next step of a rollout becomes observable
  'rolloutComplete', // a whole rollout reaches its end state
  'inPlaceResize', // a resize is reflected in container status
  'pvcExpand', // a PVC expansion completes
  'webhookReady', // admission webhooks answer
  'admission', // one create/update call through the webhooks
  'statusSync', // status reflects what was observed
  'namespaceDelete', // a test namespace is gone
  'steadyState', // how long a "nothing else happens" observation lasts
] as const;
export type TimeoutName = (typeof TIMEOUT_NAMES)[number];
export type Timeouts = Record<TimeoutName, number>;

/** Milliseconds, sized for the local provider with headroom for a loaded 2-core machine. */
export const DEFAULT_TIMEOUTS: Timeouts = {
  podsReady: 60_000,
  rolloutProgress: 60_000,
  rolloutComplete: 180_000,
  inPlaceResize: 60_000,
  pvcExpand: 60_000,
  webhookReady: 30_000,
  admission: 10_000,
  statusSync: 30_000,
  namespaceDelete: 120_000,
  steadyState: 3_000,
};

export const TimeoutOverridesSchema = z
  .object(Object.fromEntries(TIMEOUT_NAMES.map((n) => [n, z.union([z.number().positive(), z.string()]).optional()])) as Record<TimeoutName, z.ZodOptional<z.ZodUnion<[z.ZodNumber, z.ZodString]>>>)
  .strict();

/** "90s", "2m", "1500ms" or a number of milliseconds. */
export function parseDuration(v: number | string, what: string): number {
  if (typeof v === 'number') return v;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(v.trim());
  if (!m) throw new Error(`${what}: "${v}" is not a duration (use e.g. 1500ms, 90s, 2m)`);
  const n = Number(m[1]);
  return Math.round(m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : n * 60_000);
}

export function resolveTimeouts(overrides: Partial<Record<TimeoutName, number | string>> = {}, multiplier = 1): Timeouts {
  const out = { ...DEFAULT_TIMEOUTS };
  for (const name of TIMEOUT_NAMES) {
    const o = overrides[name];
    out[name] = Math.round((o === undefined ? DEFAULT_TIMEOUTS[name] : parseDuration(o, `timeouts.${name}`)) * (name === 'steadyState' ? 1 : multiplier));
  }
  return out;
}
