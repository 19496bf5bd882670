/**
 * Admission latency of the implementation under test, read from its own Prometheus metrics at the
 * end of a run: controller-runtime's `controller_runtime_webhook_latency_seconds` histogram, which
 * OpenKruise's manager and the reference implementation both expose. Quantiles are estimated from
 * the cumulative buckets by linear interpolation, as Prometheus's histogram_quantile does.
 */

export const WEBHOOK_LATENCY_METRIC = 'controller_runtime_webhook_latency_seconds';

export interface AdmissionLatency {
  webhook: string;
  count: number;
  /** Estimated from the buckets, in milliseconds. */
  p50Ms: number;
  p99Ms: number;
  /** Sum / count, in milliseconds (exact). */
  meanMs: number;
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Samples of the Prometheus text exposition format (comments and malformed lines skipped). */
export function parsePrometheusText(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line.trim());
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_s, c: string) => (c === 'n' ? '\n' : c));
    const value = m[3] === '+Inf' ? Infinity : Number(m[3]);
    if (!Number.isNaN(value)) out.push({ name: m[1]!, labels, value });
  }
  return out;
}

/** The q-quantile of a cumulative histogram ([upper bound, count ≤ bound], +Inf last). */
export function histogramQuantile(q: number, buckets: readonly (readonly [number, number])[]): number {
  const sorted = [...buckets].sort((a, b) => a[0] - b[0]);
  const total = sorted.at(-1)?.[1] ?? 0;
  if (total === 0) return NaN;
  const rank = q * total;
  let prevBound = 0;
  let prevCount = 0;
  for (const [bound, count] of sorted) {
    if (count >= rank) {
      // Past the last finite bucket the best estimate is that bucket's upper bound.
      if (bound === Infinity) return prevBound;
      return prevBound + ((bound - prevBound) * (rank - prevCount)) / Math.max(count - prevCount, Number.MIN_VALUE);
    }
    prevBound = bound;
    prevCount = count;
  }
  return prevBound;
}

/** Per-webhook latency from a /metrics text; empty when the histogram is absent. */
export function admissionLatency(metricsText: string): AdmissionLatency[] {
  const samples = parsePrometheusText(metricsText);
  const byWebhook = new Map<string, { buckets: [number, number][]; sum: number; count: number }>();
  const entry = (w: string) => byWebhook.get(w) ?? byWebhook.set(w, { buckets: [], sum: 0, count: 0 }).get(w)!;
  for (const s of samples) {
    const webhook = s.labels.webhook;
    if (webhook === undefined) continue;
    if (s.name === `${WEBHOOK_LATENCY_METRIC}_bucket`) entry(webhook).buckets.push([s.labels.le === '+Inf' ? Infinity : Number(s.labels.le), s.value]);
    else if (s.name === `${WEBHOOK_LATENCY_METRIC}_sum`) entry(webhook).sum = s.value;
    else if (s.name === `${WEBHOOK_LATENCY_METRIC}_count`) entry(webhook).count = s.value;
  }
  const ms = (s: number) => Math.round(s * 1000 * 10) / 10;
  return [...byWebhook.entries()]
    .filter(([, e]) => e.count > 0)
    .map(([webhook, e]) => ({ webhook, count: e.count, p50Ms: ms(histogramQuantile(0.5, e.buckets)), p99Ms: ms(histogramQuantile(0.99, e.buckets)), meanMs: ms(e.sum / e.count) }))
    .sort((a, b) => b.count - a.count);
}

/** One line per webhook, for the run log and summary.md. */
export function formatAdmissionLatency(rows: readonly AdmissionLatency[]): string[] {
  return rows.map((r) => `${r.webhook}: ${r.count} requests, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, mean ${r.meanMs} ms`);
}
