/**
 * The registry check: every registered feature has at least one test, and every test names only
 * registered features. Tests are collected the way the runner collects them (`vitest list` over
 * the conformance project) with a run environment that claims everything, so nothing is skipped
 * from the listing and no cluster is needed.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execaSync } from 'execa';
import { describe, expect, it } from 'vitest';
import { CAPABILITIES } from './clusters/provider.ts';
import { FEATURES, isFeatureId } from './features.ts';
import { featuresOfTitles } from './run/gating.ts';
import { DEFAULT_TIMEOUTS } from './run/timeouts.ts';
import { REPO_ROOT } from './tools/cache.ts';

function listConformanceTests(): { name: string; file: string }[] {
  const dir = mkdtempSync(join(tmpdir(), 'kc-registry-'));
  const envFile = join(dir, 'run-env.json');
  writeFileSync(
    envFile,
    JSON.stringify({
      runId: 'registry-check',
      kubeconfig: join(dir, 'no-cluster'),
      implementation: { name: 'registry-check', version: '0', claims: 'all', featureGates: {} },
      provider: { name: 'none', capabilities: [...CAPABILITIES] },
      kubernetes: { version: 'none', featureGates: {} },
      timeouts: DEFAULT_TIMEOUTS,
      keepNamespaces: false,
      onlyFeatures: [],
      exemptFeatures: [],
    }),
  );
  const out = join(dir, 'list.json');
  const r = execaSync(join(REPO_ROOT, 'node_modules', '.bin', 'vitest'), ['list', '--project', 'conformance', `--json=${out}`], {
    cwd: REPO_ROOT,
    env: { KRUISE_CONFORMANCE_RUN_FILE: envFile },
    reject: false,
  });
  if (r.exitCode !== 0) throw new Error(`vitest list failed (${r.exitCode}): ${r.stderr || r.stdout}`);
  return JSON.parse(readFileSync(out, 'utf8')) as { name: string; file: string }[];
}

describe('feature registry', () => {
  const tests = listConformanceTests();
  const tagged = tests.map((t) => ({ ...t, features: featuresOfTitles(t.name.split(' > ').slice(0, -1)) }));

  it('collects conformance tests', () => {
    expect(tests.length).toBeGreaterThan(0);
  });

  it('every test names at least one feature, and only registered ones', () => {
    const untagged = tagged.filter((t) => t.features.length === 0).map((t) => `${t.file}: ${t.name}`);
    expect(untagged, 'tests outside describeFeature').toEqual([]);
    const unknown = tagged.flatMap((t) => t.features.filter((f) => !isFeatureId(f)).map((f) => `${f} in ${t.file}: ${t.name}`));
    expect(unknown, 'tests naming features missing from harness/features.ts').toEqual([]);
  });

  it('every registered feature has at least one test', () => {
    const covered = new Set(tagged.flatMap((t) => t.features));
    const missing = FEATURES.filter((f) => !covered.has(f.id)).map((f) => f.id);
    expect(missing, 'features with no test').toEqual([]);
  });

  it('feature ids are unique and shaped Area.Behaviour', () => {
    const ids = FEATURES.map((f) => f.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const f of FEATURES) expect(f.id.startsWith(`${f.area}.`), f.id).toBe(true);
  });
});
