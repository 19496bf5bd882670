import { describe, expect, it } from 'vitest';
import { ProviderError } from '../clusters/provider.ts';
import { loadDescriptor } from '../run/descriptor.ts';
import { workloadSpreadWhiteList } from './configuration.ts';
import { assertInstallableOn } from './index.ts';

describe('assertInstallableOn', () => {
  it('refuses the Helm descriptor of the reference on local, before any cluster, with one line and its fix', () => {
    const d = loadDescriptor('reference-helm');
    let err: unknown;
    try {
      assertInstallableOn(d, 'local');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).message).toBe(
      "implementation reference-helm is installed from a Helm chart, so its controllers run as pods, and the local provider's simulated nodes run no containers (nor load images)",
    );
    expect((err as ProviderError).fix).toContain('--provider kind');
    expect(() => assertInstallableOn(d, 'kind')).not.toThrow();
    expect(() => assertInstallableOn(d, 'existing')).not.toThrow();
  });

  it('lets out-of-cluster installs run on local', () => {
    expect(() => assertInstallableOn(loadDescriptor('reference'), 'local')).not.toThrow();
    expect(() => assertInstallableOn(loadDescriptor('openkruise'), 'local')).not.toThrow();
  });
});

describe('impls/reference-helm.yaml', () => {
  it('runs with the gates and the pre-delete check of impls/reference.yaml and claims nothing the out-of-cluster reference does not, but the chart uninstall', () => {
    const helm = loadDescriptor('reference-helm');
    const ref = loadDescriptor('reference');
    expect(helm.featureGates).toEqual(ref.featureGates);
    expect(Array.isArray(helm.claims) && Array.isArray(ref.claims)).toBe(true);
    expect((helm.claims as string[]).filter((c) => !(ref.claims as string[]).includes(c))).toEqual(['Helm.PreDeleteHook']);
    expect(helm.preDeleteCheck).toEqual(ref.preDeleteCheck);
    expect(helm.install.type).toBe('helm');
    if (helm.install.type === 'helm') {
      expect(helm.install.images).toEqual(['localhost/kruise-ref:0.1.0']);
      expect(helm.install.chart).toBe('./impl/chart');
      const values = helm.install.values as { workloadSpread?: { customWorkloadWhiteList?: unknown } };
      expect(values.workloadSpread?.customWorkloadWhiteList, 'the chart gets the whitelist reference.yaml configures').toEqual(JSON.parse(workloadSpreadWhiteList(ref.configuration.workloadSpreadCustomWorkloads)));
    }
  });
});
