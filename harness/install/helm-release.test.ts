import { describe, expect, it } from 'vitest';
import { failedHookJob, helmReleaseOf, parseManifest } from './helm-release.ts';

describe('parseManifest', () => {
  it('lists every object of `helm get manifest`, namespaced or not, skipping empty documents', () => {
    const text = [
      '---',
      '# Source: kruise-ref/templates/manager.yaml',
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: kruise-ref-manager',
      '  namespace: kruise-ref-system',
      '---',
      '',
      '---',
      'apiVersion: apiextensions.k8s.io/v1',
      'kind: CustomResourceDefinition',
      'metadata:',
      '  name: clonesets.apps.kruise.io',
    ].join('\n');
    expect(parseManifest(text)).toEqual([
      { apiVersion: 'apps/v1', kind: 'Deployment', name: 'kruise-ref-manager', namespace: 'kruise-ref-system' },
      { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: 'clonesets.apps.kruise.io' },
    ]);
  });
});

describe('failedHookJob', () => {
  it("reads the Job from Helm's report of a failed hook", () => {
    expect(failedHookJob('Error: job kruise-ref-finalizer failed: BackoffLimitExceeded\n')).toEqual({ job: 'kruise-ref-finalizer', reason: 'BackoffLimitExceeded' });
    expect(failedHookJob('Error: job kruise-finalizer failed: DeadlineExceeded')).toEqual({ job: 'kruise-finalizer', reason: 'DeadlineExceeded' });
    expect(failedHookJob('Error: timed out waiting for the condition')).toBeUndefined();
  });
});

describe('helmReleaseOf', () => {
  const env = (install: { type: 'process' | 'helm'; release?: string; namespace?: string } | undefined) => ({
    kubeconfig: '/k',
    implementation: { name: 'impl-x', version: '1', claims: 'all' as const, featureGates: {}, ...(install ? { install } : {}) },
  });

  it('refuses, loudly and naming the install type, an implementation that is not a Helm release', () => {
    expect(() => helmReleaseOf(env({ type: 'process' }))).toThrow(/impl-x is installed as "process", not from a Helm chart: Helm.PreDeleteHook uninstalls/);
    expect(() => helmReleaseOf(env(undefined))).toThrow(/installed as "unknown"/);
  });

  it('takes the release and namespace of a Helm install', () => {
    const r = helmReleaseOf(env({ type: 'helm', release: 'kruise-ref', namespace: 'kruise-ref-system' }), () => '/bin/false');
    expect({ release: r.release, namespace: r.namespace }).toEqual({ release: 'kruise-ref', namespace: 'kruise-ref-system' });
  });
});
