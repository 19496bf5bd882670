import { describe, expect, it } from 'vitest';
import { FEATURE_NAMES, FeatureGateError, FeatureGates, KRUISE_FEATURES, parseFeatureGateSpec } from './feature-gates.ts';

const noEnv = {};

describe('FeatureGates', () => {
  it('knows exactly the 32 OpenKruise 1.8 gates', () => {
    expect(FEATURE_NAMES).toHaveLength(32);
    expect(new Set(FEATURE_NAMES).size).toBe(32);
  });

  it('uses the 1.8 defaults and stages', () => {
    const g = new FeatureGates({}, noEnv);
    expect(g.toMap()).toEqual({
      PodWebhook: true,
      KruiseDaemon: true,
      DaemonWatchingPod: true,
      CloneSetShortHash: false,
      KruisePodReadinessGate: false,
      PreDownloadImageForInPlaceUpdate: false,
      CloneSetPartitionRollback: false,
      ResourcesDeletionProtection: false,
      WorkloadSpread: true,
      PodUnavailableBudgetDeleteGate: true,
      PodUnavailableBudgetUpdateGate: false,
      TemplateNoDefaults: false,
      InPlaceUpdateEnvFromMetadata: true,
      StatefulSetAutoDeletePVC: true,
      SidecarSetPatchPodMetadataDefaultsAllowed: false,
      SidecarTerminator: false,
      PodProbeMarkerGate: true,
      PreDownloadImageForDaemonSetUpdate: false,
      CloneSetEventHandlerOptimization: false,
      PreparingUpdateAsUpdate: false,
      ImagePullJobGate: false,
      ResourceDistributionGate: false,
      DeletionProtectionForCRDCascadingGate: false,
      EnhancedLivenessProbe: false,
      RecreatePodWhenChangeVCTInCloneSetGate: false,
      StatefulSetStartOrdinal: false,
      PodIndexLabel: true,
      EnableExternalCerts: false,
      StatefulSetAutoResizePVCGate: false,
      ForceDeleteTimeoutExpectationGate: false,
      InPlaceWorkloadVerticalScaling: false,
      EnablePodProbeMarkerOnServerless: false,
    });
    // Every default-on gate is Beta in 1.8; ResourcesDeletionProtection is the Beta gate that is off.
    const betaOff = FEATURE_NAMES.filter((n) => KRUISE_FEATURES[n].stage === 'Beta' && !KRUISE_FEATURES[n].default);
    expect(betaOff).toEqual(['ResourcesDeletionProtection']);
    expect(FEATURE_NAMES.filter((n) => KRUISE_FEATURES[n].stage === 'Alpha').every((n) => !KRUISE_FEATURES[n].default)).toBe(true);
  });

  it('parses A=true,B=false with spaces and mixed-case booleans', () => {
    const g = FeatureGates.parse(' StatefulSetStartOrdinal=True , PodWebhook=false,', noEnv);
    expect(g.enabled('StatefulSetStartOrdinal')).toBe(true);
    expect(g.enabled('PodWebhook')).toBe(false);
  });

  it('treats an empty value as all defaults', () => {
    expect(FeatureGates.parse('', noEnv).toMap()).toEqual(new FeatureGates({}, noEnv).toMap());
  });

  it('rejects an unknown gate with an error naming it', () => {
    expect(() => FeatureGates.parse('PodWebhook=true,NoSuchGate=true', noEnv)).toThrow(FeatureGateError);
    expect(() => FeatureGates.parse('PodWebhook=true,NoSuchGate=true', noEnv)).toThrow(/NoSuchGate/);
    expect(() => new FeatureGates({ Bogus: true } as never, noEnv)).toThrow(/Bogus/);
  });

  it('rejects a gate without a boolean value', () => {
    expect(() => parseFeatureGateSpec('PodWebhook')).toThrow(/PodWebhook/);
    expect(() => parseFeatureGateSpec('PodWebhook=yes')).toThrow(/PodWebhook=yes/);
  });

  it('AllAlpha=true turns on every Alpha gate and leaves Beta gates at their defaults', () => {
    const g = FeatureGates.parse('AllAlpha=true', noEnv);
    for (const n of FEATURE_NAMES) {
      // CRD cascading protection stays off: its parent ResourcesDeletionProtection is Beta and off.
      if (n === 'DeletionProtectionForCRDCascadingGate') continue;
      const spec = KRUISE_FEATURES[n];
      expect.soft(g.enabled(n), n).toBe(spec.stage === 'Alpha' ? true : spec.default);
    }
    expect(g.enabled('DeletionProtectionForCRDCascadingGate')).toBe(false);
  });

  it('AllBeta=false turns Beta gates off, and the dependency rules follow', () => {
    const g = FeatureGates.parse('AllBeta=false', noEnv);
    expect(g.enabled('PodWebhook')).toBe(false);
    expect(g.enabled('PodIndexLabel')).toBe(false);
    expect(g.enabled('CloneSetShortHash')).toBe(false);
  });

  it('an explicit gate wins over AllAlpha regardless of order', () => {
    expect(FeatureGates.parse('CloneSetShortHash=false,AllAlpha=true', noEnv).enabled('CloneSetShortHash')).toBe(false);
    expect(FeatureGates.parse('AllAlpha=true,CloneSetShortHash=false', noEnv).enabled('CloneSetShortHash')).toBe(false);
    expect(FeatureGates.parse('AllAlpha=true,CloneSetShortHash=false', noEnv).enabled('TemplateNoDefaults')).toBe(true);
  });

  it("kruise CI's AllAlpha=true,AllBeta=true,EnableExternalCerts=false enables everything else", () => {
    const g = FeatureGates.parse('AllAlpha=true,AllBeta=true,EnableExternalCerts=false', noEnv);
    expect(FEATURE_NAMES.filter((n) => !g.enabled(n))).toEqual(['EnableExternalCerts']);
  });

  describe('dependency rules (SetDefaultFeatureGates)', () => {
    it('PodWebhook=false forces its dependents off even when set explicitly', () => {
      const g = FeatureGates.parse(
        'PodWebhook=false,KruisePodReadinessGate=true,PodUnavailableBudgetDeleteGate=true,PodUnavailableBudgetUpdateGate=true,WorkloadSpread=true,SidecarSetPatchPodMetadataDefaultsAllowed=true,EnhancedLivenessProbe=true,EnablePodProbeMarkerOnServerless=true',
        noEnv,
      );
      for (const n of [
        'KruisePodReadinessGate',
        'PodUnavailableBudgetDeleteGate',
        'PodUnavailableBudgetUpdateGate',
        'WorkloadSpread',
        'SidecarSetPatchPodMetadataDefaultsAllowed',
        'EnhancedLivenessProbe',
        'EnablePodProbeMarkerOnServerless',
      ] as const) {
        expect.soft(g.enabled(n), n).toBe(false);
      }
      // Unrelated gates keep their values.
      expect(g.enabled('PodProbeMarkerGate')).toBe(true);
    });

    it('KruiseDaemon=false forces the daemon features off, including ImagePullJobGate', () => {
      const g = FeatureGates.parse('KruiseDaemon=false,ImagePullJobGate=true,PreDownloadImageForInPlaceUpdate=true,SidecarTerminator=true', noEnv);
      for (const n of [
        'PreDownloadImageForInPlaceUpdate',
        'DaemonWatchingPod',
        'InPlaceUpdateEnvFromMetadata',
        'PreDownloadImageForDaemonSetUpdate',
        'PodProbeMarkerGate',
        'SidecarTerminator',
        'ImagePullJobGate',
        'EnhancedLivenessProbe',
      ] as const) {
        expect.soft(g.enabled(n), n).toBe(false);
      }
    });

    it('image pre-download turns ImagePullJobGate on', () => {
      expect(FeatureGates.parse('PreDownloadImageForInPlaceUpdate=true', noEnv).enabled('ImagePullJobGate')).toBe(true);
      expect(FeatureGates.parse('PreDownloadImageForDaemonSetUpdate=true,ImagePullJobGate=false', noEnv).enabled('ImagePullJobGate')).toBe(true);
    });

    it('ResourcesDeletionProtection=false turns CRD cascading protection off', () => {
      expect(FeatureGates.parse('DeletionProtectionForCRDCascadingGate=true', noEnv).enabled('DeletionProtectionForCRDCascadingGate')).toBe(false);
      expect(
        FeatureGates.parse('ResourcesDeletionProtection=true,DeletionProtectionForCRDCascadingGate=true', noEnv).enabled('DeletionProtectionForCRDCascadingGate'),
      ).toBe(true);
    });
  });

  it('CUSTOM_RESOURCE_ENABLE without SidecarSet lowers the PodWebhook default only', () => {
    expect(new FeatureGates({}, { CUSTOM_RESOURCE_ENABLE: 'CloneSet,StatefulSet' }).enabled('PodWebhook')).toBe(false);
    expect(new FeatureGates({}, { CUSTOM_RESOURCE_ENABLE: 'CloneSet,SidecarSet' }).enabled('PodWebhook')).toBe(true);
    expect(new FeatureGates({ PodWebhook: true }, { CUSTOM_RESOURCE_ENABLE: 'CloneSet' }).enabled('PodWebhook')).toBe(true);
  });

  it('set() layers a later flag value over an earlier one', () => {
    const g = FeatureGates.parse('StatefulSetStartOrdinal=true', noEnv);
    g.set('StatefulSetStartOrdinal=false,PodIndexLabel=false');
    expect(g.enabled('StatefulSetStartOrdinal')).toBe(false);
    expect(g.enabled('PodIndexLabel')).toBe(false);
  });

  it('toString round-trips through parse', () => {
    const g = FeatureGates.parse('AllAlpha=true,EnableExternalCerts=false', noEnv);
    expect(FeatureGates.parse(g.toString(), noEnv).toMap()).toEqual(g.toMap());
  });
});
