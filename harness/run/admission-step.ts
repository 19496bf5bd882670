/**
 * Before the implementation is stopped: its /metrics, kept beside the reports, and the admission
 * latency per webhook taken from them. Best effort: an implementation without metrics, or one that
 * does not answer, leaves a log line and no latency section, never a failed run.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Installer } from '../install/installer.ts';
import { type AdmissionLatency, admissionLatency, formatAdmissionLatency, WEBHOOK_LATENCY_METRIC } from '../report/admission-latency.ts';

export const METRICS_FILE = 'implementation-metrics.prom';

export async function readAdmissionLatency(installer: Installer, reportDir: string, log: (line: string) => void): Promise<AdmissionLatency[] | undefined> {
  const url = installer.metricsUrl;
  if (!url) return undefined;
  let text: string;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    text = await res.text();
  } catch (err) {
    log(`admission latency: could not read ${url} (${(err as Error).message})`);
    return undefined;
  }
  writeFileSync(join(reportDir, METRICS_FILE), text);
  const rows = admissionLatency(text);
  if (rows.length === 0) {
    log(`admission latency: ${url} has no ${WEBHOOK_LATENCY_METRIC} samples`);
    return undefined;
  }
  log(`admission latency (from ${url}; all of it in ${METRICS_FILE}):`);
  for (const line of formatAdmissionLatency(rows)) log(`  ${line}`);
  return rows;
}
