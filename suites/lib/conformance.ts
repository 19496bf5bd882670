/**
 * How a conformance test names what it proves. Every test lives inside `describeFeature`, whose
 * title starts with the feature ids ("[CloneSet.MaxSurge] ..."), so the report can attribute
 * outcomes, including those of tests that never ran. Features the implementation does not claim,
 * or that need a capability the substrate lacks, are skipped here and reported with the reason.
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { type Feature, feature } from '../../harness/features.ts';
import { createTestNamespace, type TestNamespace } from '../../harness/kube/namespace.ts';
import { featureTitle, gateTest } from '../../harness/run/gating.ts';
import { kube, runEnv } from './context.ts';

export interface FeatureOptions {
  /** Cluster-scoped or disruptive: the runner runs serial files alone. Declared in the file name
   *  (`*.serial.test.ts`); this flag documents it at the describe. */
  serial?: boolean;
}

export function describeFeature(ids: string | readonly string[], title: string, body: () => void, _opts: FeatureOptions = {}): void {
  const list = typeof ids === 'string' ? [ids] : [...ids];
  const features: Feature[] = list.map((id) => feature(id)); // throws on an unknown id, at collection
  const env = runEnv();
  const gate = gateTest(features, {
    implementation: env.implementation.name,
    claims: env.implementation.claims,
    provider: env.provider.name,
    capabilities: env.provider.capabilities,
    onlyFeatures: env.onlyFeatures,
    exemptFeatures: env.exemptFeatures,
  });
  const name = featureTitle(list, title);
  if (gate) describe.skip(`${name} (${gate.status}: ${gate.reason})`, body);
  else describe(name, body);
}

/**
 * A namespace for the calling test file (or describe block), created before its tests and
 * deleted after them unless the run keeps namespaces for debugging.
 */
export function useNamespace(prefix: string): { readonly name: string } {
  let ns: TestNamespace | undefined;
  const handle = {
    get name(): string {
      if (!ns) throw new Error('the test namespace is created in beforeAll; use it inside a test or hook');
      return ns.name;
    },
  };
  beforeAll(async () => {
    ns = await createTestNamespace(kube().kc, `kc-${prefix}`, runEnv().runId);
  });
  afterAll(async () => {
    if (ns && !runEnv().keepNamespaces) await ns.delete();
  });
  return handle;
}
