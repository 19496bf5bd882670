/**
 * buildReport: the whole ConformanceReport from a run's raw outcomes, the feature registry, what
 * the implementation claims and what the substrate can do. Pure: every input is a parameter
 * (the date too), and the output is sorted, so the same run always gives the same report.
 */
import type { AdmissionLatency } from './admission-latency.ts';
import type { Capability } from '../clusters/provider.ts';
import type { Feature } from '../features.ts';
import { gateTest } from '../run/gating.ts';
import { featureResult } from './feature-results.ts';
import { type ConformanceReport, type Profile, REPORT_API_VERSION, REPORT_KIND, type RepeatReport } from './model.ts';
import { overallResult, profileReport } from './profile-results.ts';
import { type GateContext, type TestOutcome, testResult } from './test-results.ts';

export { exitCodeFor } from './exit-code.ts';
export type { TestOutcome } from './test-results.ts';

export interface BuildInput {
  outcomes: readonly TestOutcome[];
  registry: readonly Feature[];
  implementation: {
    name: string;
    version: string;
    url?: string;
    contact?: readonly string[];
    /** Feature ids the implementation claims, or every registered feature. */
    claims: 'all' | readonly string[];
    featureGates?: Readonly<Record<string, boolean>>;
  };
  provider: { name: string; capabilities: readonly Capability[] };
  kubernetes: { version: string; featureGates: Readonly<Record<string, boolean>> };
  /** Profiles the run certifies, e.g. ['Core'] or ['Core', 'Extended']. */
  profiles: readonly Profile[];
  /** RFC 3339; passed in so the function stays pure. */
  date: string;
  durations: { totalMs: number; phases: Readonly<Record<string, number>>; files?: Readonly<Record<string, number>> };
  notRun: readonly { what: string; reason: string }[];
  /** Run selection (harness/run/gating.ts); tests they leave out are reported as skipped. */
  onlyFeatures?: readonly string[];
  /** The run chose a subset (--features, --run, --skip): see overallResult. */
  selection?: boolean;
  exemptFeatures?: readonly string[];
  artifacts?: Readonly<Record<string, string>>;
  admissionLatency?: readonly AdmissionLatency[];
  /** `run --repeat N` (harness/report/repeat.ts); `outcomes` are then the merged ones. */
  repeat?: RepeatReport;
}

const PROFILE_ORDER: readonly Profile[] = ['Core', 'Extended'];

export function buildReport(input: BuildInput): ConformanceReport {
  if (input.profiles.length === 0) throw new Error('buildReport: no profile requested (expected Core and/or Extended)');
  const requested = PROFILE_ORDER.filter((p) => input.profiles.includes(p));
  const registry = new Map(input.registry.map((f) => [f.id, f]));
  const ctx: GateContext = {
    implementation: input.implementation.name,
    claims: input.implementation.claims,
    provider: input.provider.name,
    capabilities: input.provider.capabilities,
    onlyFeatures: input.onlyFeatures ?? [],
    exemptFeatures: input.exemptFeatures ?? [],
    registry,
  };

  const tests = input.outcomes.map((o) => testResult(o, ctx)).sort((a, b) => compare(a.id, b.id));
  const features = input.registry
    .filter((f) => requested.includes(f.profile))
    .map((f) => featureResult(f, tests, input.implementation.name, input.implementation.claims, gateTest([f], ctx)));
  const profileOf = new Map(input.registry.map((f) => [f.id, f.profile]));
  const profiles = requested.map((p) => profileReport(p, tests, features, profileOf, requested));
  const notRun = input.notRun.map((n) => ({ what: n.what, reason: n.reason }));

  const impl = input.implementation;
  const report: ConformanceReport = {
    apiVersion: REPORT_API_VERSION,
    kind: REPORT_KIND,
    // A repeated run fails when any test failed in any pass, Extended included: that is what it is for.
    result: input.repeat && tests.some((t) => t.status === 'failed') ? 'failure' : overallResult(profiles, notRun, input.selection ?? false),
    date: input.date,
    implementation: {
      name: impl.name,
      version: impl.version,
      ...(impl.url !== undefined && { url: impl.url }),
      ...(impl.contact !== undefined && { contact: [...impl.contact] }),
      ...(impl.featureGates !== undefined && { featureGates: sortedRecord(impl.featureGates) }),
    },
    kubernetes: { version: input.kubernetes.version, featureGates: sortedRecord(input.kubernetes.featureGates) },
    provider: { name: input.provider.name, capabilities: [...input.provider.capabilities].sort() },
    profiles,
    features,
    tests,
    durations: {
      totalMs: input.durations.totalMs,
      phases: { ...input.durations.phases },
      ...(input.durations.files && Object.keys(input.durations.files).length > 0 && { files: sortedRecord(input.durations.files) }),
    },
    notRun,
  };
  if (input.artifacts) report.artifacts = sortedRecord(input.artifacts);
  if (input.admissionLatency && input.admissionLatency.length > 0) report.admissionLatency = input.admissionLatency.map((a) => ({ ...a }));
  if (input.repeat) report.repeat = structuredClone(input.repeat);
  return report;
}

/** Code-point order, not locale order, so reports diff the same everywhere. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedRecord<V>(r: Readonly<Record<string, V>>): Record<string, V> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => compare(a, b)));
}
