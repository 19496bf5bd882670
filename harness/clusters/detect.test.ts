import { describe, expect, it } from 'vitest';
import { type ClusterFacts, capabilitiesFrom, parseFeatureGates } from './detect.ts';

describe('parseFeatureGates', () => {
  it('reads kubernetes_feature_enabled lines and ignores the rest', () => {
    const metrics = [
      '# HELP kubernetes_feature_enabled [BETA] This metric records the data about the stage and enablement of a k8s feature.',
      '# TYPE kubernetes_feature_enabled gauge',
      'kubernetes_feature_enabled{name="InPlacePodVerticalScaling",stage="BETA"} 1',
      'kubernetes_feature_enabled{name="SomeAlpha",stage="ALPHA"} 0',
      'kubernetes_feature_enabled{name="Broken",stage="BETA"} x',
      'apiserver_request_total{code="200"} 12',
    ].join('\n');
    expect(parseFeatureGates(metrics)).toEqual({ InPlacePodVerticalScaling: true, SomeAlpha: false });
  });
});

describe('capabilitiesFrom', () => {
  const base: ClusterFacts = {
    featureGates: { InPlacePodVerticalScaling: true },
    zones: ['a', 'b', 'c'],
    architectures: ['amd64', 'arm64'],
    readyNodes: 6,
    simulatedNodes: 6,
    expandableStorageClasses: ['expandable'],
    podResizeSubresource: true,
  };
  it('derives each capability from its fact', () => {
    expect(capabilitiesFrom(base, { helm: true })).toEqual(['InPlaceResize', 'VolumeExpansion', 'Zones', 'MultiArch', 'SimulatedNodes', 'Helm']);
  });
  it('claims RealKubelet only when no Ready node is simulated', () => {
    expect(capabilitiesFrom({ ...base, simulatedNodes: 0 }, { helm: false })).toContain('RealKubelet');
    expect(capabilitiesFrom({ ...base, simulatedNodes: 1 }, { helm: false })).not.toContain('RealKubelet');
    expect(capabilitiesFrom({ ...base, simulatedNodes: 1 }, { helm: false })).toContain('SimulatedNodes');
    expect(capabilitiesFrom({ ...base, simulatedNodes: 0 }, { helm: false })).not.toContain('SimulatedNodes');
    expect(capabilitiesFrom({ ...base, readyNodes: 0, simulatedNodes: 0 }, { helm: false })).not.toContain('RealKubelet');
  });
  it('drops capabilities whose facts are missing', () => {
    const none = capabilitiesFrom({ ...base, featureGates: {}, zones: ['a', 'b'], architectures: ['amd64'], expandableStorageClasses: [], podResizeSubresource: false, simulatedNodes: 0, readyNodes: 0 }, { helm: false });
    expect(none).toEqual([]);
  });
  it('claims InPlaceResize from the gate, with or without pods/resize (1.30 resizes by a plain update)', () => {
    const v130 = { ...base, podResizeSubresource: false };
    expect(capabilitiesFrom(v130, { helm: false })).toContain('InPlaceResize');
    expect(capabilitiesFrom({ ...v130, featureGates: { InPlacePodVerticalScaling: false } }, { helm: false })).not.toContain('InPlaceResize');
    expect(capabilitiesFrom({ ...base, featureGates: { InPlacePodVerticalScaling: false } }, { helm: false }), 'gate off: pods/resize refuses changes').not.toContain('InPlaceResize');
  });
  it('takes a gate no longer reported (removed after GA) as on where pods/resize is served', () => {
    expect(capabilitiesFrom({ ...base, featureGates: {} }, { helm: false })).toContain('InPlaceResize');
    expect(capabilitiesFrom({ ...base, featureGates: {}, podResizeSubresource: false }, { helm: false })).not.toContain('InPlaceResize');
  });
});
