/**
 * Two sample reports built from the real registry, for the writer and matrix tests: the reference
 * implementation on the local provider (some Core features unclaimed, one failure with text that
 * needs escaping) and OpenKruise on kind (everything claimed and passing, except the features that
 * need real kubelets, which kind lacks here and so did not run).
 */
import { FEATURES } from '../../features.ts';
import { buildReport, type TestOutcome } from '../build.ts';
import type { ConformanceReport } from '../model.ts';

/** One passing test per feature, the first feature's test named after it. */
function onePerFeature(overrides: Record<string, Partial<TestOutcome>> = {}): TestOutcome[] {
  return FEATURES.map((f) => ({
    file: `suites/${f.area.toLowerCase()}/${f.id.split('.')[1]!.toLowerCase()}.test.ts`,
    ancestors: [`[${f.id}] ${f.title.split(':')[0]}`],
    name: `${f.id} holds`,
    features: [f.id],
    status: 'passed' as const,
    durationMs: 1200,
    ...overrides[f.id],
  }));
}

export const FAILURE_TEXT =
  'expected at most 5 pods (replicas 4 + maxSurge 1), observed 6 <pod "a&b">\n\u001b[31mtimeline:\u001b[39m\n  t+1s created cs-x\u0007\n  t+2s surge pod created';

export function referenceSample(): ConformanceReport {
  return buildReport({
    outcomes: onePerFeature({
      'CloneSet.MaxSurge': { status: 'failed', failure: FAILURE_TEXT, durationMs: 30500 },
      'CloneSet.Paused': { status: 'skipped', skipReason: 'exempted "for now" & later' },
    }),
    registry: FEATURES,
    implementation: {
      name: 'reference',
      version: '0.1.0',
      url: 'https://example.org/kruise-conformance',
      contact: ['maintainers'],
      claims: FEATURES.filter((f) => f.area === 'CloneSet' || f.area === 'StatefulSet').map((f) => f.id),
      featureGates: { InPlaceWorkloadVerticalScaling: true },
    },
    provider: { name: 'local', capabilities: ['VolumeExpansion', 'Zones'] },
    kubernetes: { version: 'v1.34.1', featureGates: { InPlacePodVerticalScaling: true } },
    profiles: ['Core', 'Extended'],
    date: '2026-03-01T10:00:00Z',
    durations: { totalMs: 95_000, phases: { providerUp: 5000, install: 3000, 'phase:10-cloneset': 80_000 } },
    notRun: [{ what: 'phase 90-helm-uninstall (1 files)', reason: 'fail-fast after a failure in phase 10-cloneset' }],
    artifacts: { yaml: 'conformance-report.yaml', junit: 'junit.xml' },
  });
}

export function openkruiseSample(): ConformanceReport {
  return buildReport({
    outcomes: onePerFeature(),
    registry: FEATURES,
    implementation: { name: 'openkruise', version: '1.8.0', url: 'https://openkruise.io', claims: 'all' },
    provider: { name: 'kind', capabilities: ['InPlaceResize', 'VolumeExpansion', 'Zones', 'Helm'] },
    kubernetes: { version: 'v1.33.2', featureGates: {} },
    profiles: ['Core', 'Extended'],
    date: '2026-03-02T11:30:00Z',
    durations: { totalMs: 600_000, phases: {} },
    notRun: [],
  });
}
