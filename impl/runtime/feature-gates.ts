// OpenKruise 1.8 feature gates (pkg/features/kruise_features.go): names, defaults, stages, and the
// dependency rules its SetDefaultFeatureGates applies after flag parsing.

export type FeatureStage = 'Alpha' | 'Beta' | 'GA' | 'Deprecated';

export interface FeatureSpec {
  readonly default: boolean;
  readonly stage: FeatureStage;
}

/** KRUISE_FEATURES lists every 1.8 gate with its default and stage (32 gates). */
export const KRUISE_FEATURES = {
  PodWebhook: { default: true, stage: 'Beta' },
  KruiseDaemon: { default: true, stage: 'Beta' },
  DaemonWatchingPod: { default: true, stage: 'Beta' },
  CloneSetShortHash: { default: false, stage: 'Alpha' },
  KruisePodReadinessGate: { default: false, stage: 'Alpha' },
  PreDownloadImageForInPlaceUpdate: { default: false, stage: 'Alpha' },
  CloneSetPartitionRollback: { default: false, stage: 'Alpha' },
  ResourcesDeletionProtection: { default: false, stage: 'Beta' },
  WorkloadSpread: { default: true, stage: 'Beta' },
  PodUnavailableBudgetDeleteGate: { default: true, stage: 'Beta' },
  PodUnavailableBudgetUpdateGate: { default: false, stage: 'Alpha' },
  TemplateNoDefaults: { default: false, stage: 'Alpha' },
  InPlaceUpdateEnvFromMetadata: { default: true, stage: 'Beta' },
  StatefulSetAutoDeletePVC: { default: true, stage: 'Beta' },
  SidecarSetPatchPodMetadataDefaultsAllowed: { default: false, stage: 'Alpha' },
  SidecarTerminator: { default: false, stage: 'Alpha' },
  PodProbeMarkerGate: { default: true, stage: 'Beta' },
  PreDownloadImageForDaemonSetUpdate: { default: false, stage: 'Alpha' },
  CloneSetEventHandlerOptimization: { default: false, stage: 'Alpha' },
  PreparingUpdateAsUpdate: { default: false, stage: 'Alpha' },
  ImagePullJobGate: { default: false, stage: 'Alpha' },
  ResourceDistributionGate: { default: false, stage: 'Alpha' },
  DeletionProtectionForCRDCascadingGate: { default: false, stage: 'Alpha' },
  EnhancedLivenessProbe: { default: false, stage: 'Alpha' },
  RecreatePodWhenChangeVCTInCloneSetGate: { default: false, stage: 'Alpha' },
  StatefulSetStartOrdinal: { default: false, stage: 'Alpha' },
  PodIndexLabel: { default: true, stage: 'Beta' },
  EnableExternalCerts: { default: false, stage: 'Alpha' },
  StatefulSetAutoResizePVCGate: { default: false, stage: 'Alpha' },
  ForceDeleteTimeoutExpectationGate: { default: false, stage: 'Alpha' },
  InPlaceWorkloadVerticalScaling: { default: false, stage: 'Alpha' },
  EnablePodProbeMarkerOnServerless: { default: false, stage: 'Alpha' },
} as const satisfies Record<string, FeatureSpec>;

/** FeatureName is one of the 32 OpenKruise 1.8 gate names. */
export type FeatureName = keyof typeof KRUISE_FEATURES;

export const FEATURE_NAMES = Object.keys(KRUISE_FEATURES) as FeatureName[];

/** Component-base pseudo gates: set every Alpha (or Beta) gate at once; explicit gates win. */
const ALL_ALPHA = 'AllAlpha';
const ALL_BETA = 'AllBeta';

export function isFeatureName(name: string): name is FeatureName {
  return Object.hasOwn(KRUISE_FEATURES, name);
}

/** FeatureGateError is thrown for a malformed --feature-gates value or an unknown gate. */
export class FeatureGateError extends Error {
  override readonly name = 'FeatureGateError';
}

/** parseFeatureGateSpec parses `A=true,B=false` into ordered pairs; it does not check names. */
export function parseFeatureGateSpec(spec: string): Array<[string, boolean]> {
  const out: Array<[string, boolean]> = [];
  for (const raw of spec.split(',')) {
    const part = raw.trim();
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw new FeatureGateError(`missing bool value for feature gate "${part}" (expected Name=true|false)`);
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim().toLowerCase();
    if (value !== 'true' && value !== 'false') {
      throw new FeatureGateError(`invalid value of feature gate ${name}=${part.slice(eq + 1)}: expected true or false`);
    }
    out.push([name, value === 'true']);
  }
  return out;
}

/**
 * FeatureGates holds the resolved gate values: defaults, then AllAlpha/AllBeta, then explicit
 * gates, then the SetDefaultFeatureGates dependency rules.
 */
export class FeatureGates {
  private readonly _explicit = new Map<FeatureName, boolean>();
  private _allAlpha: boolean | undefined;
  private _allBeta: boolean | undefined;
  private _resolved: Record<FeatureName, boolean>;
  private readonly _env: Record<string, string | undefined>;

  constructor(overrides: Partial<Record<FeatureName, boolean>> | string = {}, env: Record<string, string | undefined> = process.env) {
    this._env = env;
    if (typeof overrides === 'string') {
      this._applySpec(overrides);
    } else {
      for (const [k, v] of Object.entries(overrides)) {
        if (!isFeatureName(k)) throw new FeatureGateError(`unrecognized feature gate: ${k}`);
        if (v !== undefined) this._explicit.set(k, v);
      }
    }
    this._resolved = this._resolve();
  }

  /** parse builds gates from a `--feature-gates` value; an unknown name throws an error naming it. */
  static parse(spec: string, env?: Record<string, string | undefined>): FeatureGates {
    return new FeatureGates(spec, env);
  }

  /** set applies another `A=true,B=false` value on top of the current one (later flags win). */
  set(spec: string): void {
    this._applySpec(spec);
    this._resolved = this._resolve();
  }

  enabled(name: FeatureName): boolean {
    return this._resolved[name];
  }

  /** spec returns the stage and default of a gate. */
  spec(name: FeatureName): FeatureSpec {
    return KRUISE_FEATURES[name];
  }

  toMap(): Record<FeatureName, boolean> {
    return { ...this._resolved };
  }

  /** toString renders the effective values as a `--feature-gates` string (sorted, every gate). */
  toString(): string {
    return [...FEATURE_NAMES].sort().map((n) => `${n}=${this._resolved[n]}`).join(',');
  }

  private _applySpec(spec: string): void {
    const unknown: string[] = [];
    const pairs = parseFeatureGateSpec(spec);
    for (const [name, value] of pairs) {
      if (name === ALL_ALPHA) this._allAlpha = value;
      else if (name === ALL_BETA) this._allBeta = value;
      else if (!isFeatureName(name)) unknown.push(name);
    }
    if (unknown.length > 0) {
      throw new FeatureGateError(`unrecognized feature gate${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`);
    }
    for (const [name, value] of pairs) if (isFeatureName(name)) this._explicit.set(name, value);
  }

  private _resolve(): Record<FeatureName, boolean> {
    // Legacy CUSTOM_RESOURCE_ENABLE without SidecarSet lowers PodWebhook's default (not an explicit
    // value, so AllBeta or PodWebhook=true still win).
    const cre = this._env.CUSTOM_RESOURCE_ENABLE?.trim();
    const podWebhookDefaultOff = !!cre && !cre.split(',').map((s) => s.trim()).includes('SidecarSet');
    const v = {} as Record<FeatureName, boolean>;
    for (const name of FEATURE_NAMES) {
      const spec: FeatureSpec = KRUISE_FEATURES[name];
      let value = name === 'PodWebhook' && podWebhookDefaultOff ? false : spec.default;
      if (spec.stage === 'Alpha' && this._allAlpha !== undefined) value = this._allAlpha;
      if (spec.stage === 'Beta' && this._allBeta !== undefined) value = this._allBeta;
      const explicit = this._explicit.get(name);
      if (explicit !== undefined) value = explicit;
      v[name] = value;
    }
    applyDependencies(v);
    return v;
  }
}

/** applyDependencies mirrors SetDefaultFeatureGates: parents that are off force their children off. */
function applyDependencies(v: Record<FeatureName, boolean>): void {
  if (!v.PodWebhook) {
    for (const n of [
      'KruisePodReadinessGate',
      'PodUnavailableBudgetDeleteGate',
      'PodUnavailableBudgetUpdateGate',
      'WorkloadSpread',
      'SidecarSetPatchPodMetadataDefaultsAllowed',
      'EnhancedLivenessProbe',
      'EnablePodProbeMarkerOnServerless',
    ] as const) v[n] = false;
  }
  if (!v.KruiseDaemon) {
    for (const n of [
      'PreDownloadImageForInPlaceUpdate',
      'DaemonWatchingPod',
      'InPlaceUpdateEnvFromMetadata',
      'PreDownloadImageForDaemonSetUpdate',
      'PodProbeMarkerGate',
      'SidecarTerminator',
      'ImagePullJobGate',
      'EnhancedLivenessProbe',
    ] as const) v[n] = false;
  }
  if (v.PreDownloadImageForInPlaceUpdate || v.PreDownloadImageForDaemonSetUpdate) v.ImagePullJobGate = true;
  if (!v.ResourcesDeletionProtection) v.DeletionProtectionForCRDCascadingGate = false;
}
