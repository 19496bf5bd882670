// CloneSet admission validation, after OpenKruise 1.8 pkg/webhook/cloneset/validating. Pure apart
// from the pod lookup (for scaleStrategy.podsToDelete), which comes through the context port.
import type { V1Pod } from '@kubernetes/client-node';
import { kruiseScaledValueFromIntOrPercent, valueFromIntOrPercent } from '../controllers/shared/intstr.ts';
import { CLONESET_UPDATE_STRATEGY_TYPES, type CloneSet, type CloneSetScaleStrategy, type CloneSetSpec, type CloneSetUpdateStrategy } from './cloneset.ts';
import { fieldErrors, type FieldError, FieldPath } from './field-errors.ts';
import { semanticEqual } from './semantic.ts';
import {
  jsonPatchOps,
  labelSelectorAsPredicate,
  nonNegative,
  priorityStrategyProblem,
  scatterStrategyProblem,
  toWire,
  validateLabelSelector,
  validateObjectName,
  validatePodTemplateSpec,
} from './validation-common.ts';

/** What validation may look up in the cluster. */
export interface CloneSetValidationContext {
  /** A pod of the CloneSet's namespace; undefined when it does not exist. May throw on API errors. */
  getPod(namespace: string, name: string): Promise<V1Pod | undefined>;
}

/** A context with no pods at all (every podsToDelete name is then "not found"). */
export const NO_PODS: CloneSetValidationContext = { getPod: async () => undefined };

const IN_PLACE_ONLY_PATCH_PATH = /^\/containers\/([0-9]+)\/image$/;

const MUTABLE_SPEC_FIELDS: readonly (keyof CloneSetSpec)[] = [
  'replicas', 'template', 'scaleStrategy', 'updateStrategy', 'minReadySeconds', 'lifecycle', 'revisionHistoryLimit', 'volumeClaimTemplates',
];

/**
 * Validate a CloneSet for CREATE (old undefined) or UPDATE. Expects the mutating defaults applied
 * (replicas, partition, maxUnavailable, maxSurge); unset values are read as Go's zero values.
 */
export async function validateCloneSet(obj: CloneSet, old: CloneSet | undefined, ctx: CloneSetValidationContext): Promise<FieldError[]> {
  const errs: FieldError[] = [];
  if (old) {
    errs.push(...validateImmutableSpec(obj, old));
    const inPlace = inPlaceOnlyTemplateProblem(obj, old);
    if (inPlace) errs.push(fieldErrors.forbidden('spec', inPlace));
  }
  errs.push(...validateObjectName(obj.metadata?.name, FieldPath.root('metadata')));
  errs.push(...(await validateSpec(obj, old?.spec, ctx)));
  return errs;
}

function validateImmutableSpec(obj: CloneSet, old: CloneSet): FieldError[] {
  const strip = (spec: CloneSetSpec | undefined): Record<string, unknown> => {
    const rest = { ...(toWire(spec ?? {}) as Record<string, unknown>) };
    for (const k of MUTABLE_SPEC_FIELDS) delete rest[k];
    return rest;
  };
  if (semanticEqual(strip(obj.spec), strip(old.spec))) return [];
  return [
    fieldErrors.forbidden(
      'spec',
      "updates to cloneset spec for fields other than 'replicas', 'template', 'lifecycle', 'scaleStrategy', 'updateStrategy', 'minReadySeconds', 'volumeClaimTemplates' and 'revisionHistoryLimit' are forbidden",
    ),
  ];
}

/** With InPlaceOnly (new object), template.spec may change only by replacing container images. */
function inPlaceOnlyTemplateProblem(obj: CloneSet, old: CloneSet): string | undefined {
  if (obj.spec?.updateStrategy?.type !== 'InPlaceOnly') return undefined;
  for (const op of jsonPatchOps(toWire(old.spec?.template?.spec ?? {}), toWire(obj.spec?.template?.spec ?? {}))) {
    if (op.op !== 'replace' || !IN_PLACE_ONLY_PATCH_PATH.test(op.path)) {
      return `only allowed to update images in spec for InPlaceOnly, but found ${op.op} ${op.path}`;
    }
  }
  return undefined;
}

async function validateSpec(obj: CloneSet, oldSpec: CloneSetSpec | undefined, ctx: CloneSetValidationContext): Promise<FieldError[]> {
  const spec = obj.spec ?? ({} as CloneSetSpec);
  const path = FieldPath.root('spec');
  const errs: FieldError[] = [];
  const replicas = spec.replicas ?? 1;
  errs.push(...nonNegative(replicas, path.child('replicas')));

  if (!spec.selector) errs.push(fieldErrors.required(path.child('selector').path, ''));
  else {
    errs.push(...validateLabelSelector(spec.selector, path.child('selector')));
    if (Object.keys(spec.selector.matchLabels ?? {}).length + (spec.selector.matchExpressions ?? []).length === 0) {
      errs.push(fieldErrors.invalid(path.child('selector').path, spec.selector, 'empty selector is invalid for cloneset'));
    }
  }
  const selector = labelSelectorAsPredicate(spec.selector);
  if (!selector.ok) errs.push(fieldErrors.invalid(path.child('selector').path, spec.selector, selector.error));
  else {
    if (!selector.empty && !selector.matches(spec.template?.metadata?.labels ?? {})) {
      errs.push(fieldErrors.invalid(path.child('template', 'metadata', 'labels').path, spec.template?.metadata?.labels ?? {}, '`selector` does not match template `labels`'));
    }
    // Containers may mount volumeClaimTemplates by name: treat each as a declared volume.
    const vctNames = (spec.volumeClaimTemplates ?? []).map((v) => v.metadata?.name ?? '');
    errs.push(...validatePodTemplateSpec(spec.template, path.child('template'), vctNames));
  }

  const podSpec = spec.template?.spec;
  if (podSpec?.restartPolicy && podSpec.restartPolicy !== 'Always') {
    errs.push(fieldErrors.notSupported(path.child('template', 'spec', 'restartPolicy').path, podSpec.restartPolicy, ['Always']));
  }
  if (podSpec?.activeDeadlineSeconds !== undefined && podSpec.activeDeadlineSeconds !== null) {
    errs.push(fieldErrors.forbidden(path.child('template', 'spec', 'activeDeadlineSeconds').path, 'activeDeadlineSeconds in cloneset is not Supported'));
  }

  errs.push(...(await validateScaleStrategy(spec.scaleStrategy ?? {}, oldSpec?.scaleStrategy, obj, path.child('scaleStrategy'), ctx)));
  errs.push(...validateUpdateStrategy(spec.updateStrategy ?? {}, replicas, path.child('updateStrategy')));
  return errs;
}

async function validateScaleStrategy(
  strategy: CloneSetScaleStrategy,
  oldStrategy: CloneSetScaleStrategy | undefined,
  obj: CloneSet,
  path: FieldPath,
  ctx: CloneSetValidationContext,
): Promise<FieldError[]> {
  const names = strategy.podsToDelete ?? [];
  const seen = new Set<string>();
  const dups = new Set<string>();
  for (const n of names) (seen.has(n) ? dups : seen).add(n);
  if (dups.size > 0) return [fieldErrors.invalid(path.child('podsToDelete').path, names, `duplicated items [${[...dups].join(' ')}]`)];

  // Only names added by this request are checked: an old name may legitimately be gone already.
  const previous = new Set(oldStrategy?.podsToDelete ?? []);
  const added = [...seen].filter((n) => !previous.has(n)).sort();
  const errs: FieldError[] = [];
  const namespace = obj.metadata?.namespace ?? '';
  for (const name of added) {
    const p = path.child('podsToDelete').path;
    let pod: V1Pod | undefined;
    try {
      pod = await ctx.getPod(namespace, name);
    } catch (err) {
      errs.push(fieldErrors.invalid(p, name, `find pod ${name} failed: ${err instanceof Error ? err.message : String(err)}`));
      continue;
    }
    if (!pod) errs.push(fieldErrors.invalid(p, name, `find pod ${name} failed: pods "${name}" not found`));
    else if (pod.metadata?.deletionTimestamp) errs.push(fieldErrors.invalid(p, name, `find pod ${name} already terminating`));
    else {
      const owner = pod.metadata?.ownerReferences?.find((r) => r.controller === true);
      if (!owner || !obj.metadata?.uid || owner.uid !== obj.metadata.uid) {
        errs.push(fieldErrors.invalid(p, name, `find pod ${name} owner is not this CloneSet`));
      }
    }
  }
  return errs;
}

function intOrStringText(v: number | string | undefined): string {
  return v === undefined ? '' : String(v);
}

function validateUpdateStrategy(strategy: CloneSetUpdateStrategy, replicas: number, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!CLONESET_UPDATE_STRATEGY_TYPES.includes(strategy.type as never)) {
    errs.push(fieldErrors.invalid(path.child('type').path, strategy.type ?? '', "must be 'ReCreate', InPlaceIfPossible or 'InPlaceOnly'"));
  }

  // Partition uses kruise's float-percent parser (so "12.5%" is fine); unset reads as 0.
  if (strategy.partition !== undefined) {
    const partition = kruiseScaledValueFromIntOrPercent(strategy.partition, replicas, true);
    if (!partition.ok) {
      errs.push(fieldErrors.invalid(path.child('partition').path, intOrStringText(strategy.partition), `failed getValueFromIntOrPercent for partition: ${partition.error}`));
    } else errs.push(...nonNegative(partition.value, path.child('partition')));
  }

  const priority = priorityStrategyProblem(strategy.priorityStrategy);
  if (priority) errs.push(fieldErrors.required(path.child('priorityStrategy').path, priority));
  const scatter = scatterStrategyProblem(strategy.scatterStrategy);
  if (scatter) errs.push(fieldErrors.required(path.child('scatterStrategy').path, scatter));

  let maxUnavailable = 0;
  if (strategy.maxUnavailable !== undefined) {
    const r = valueFromIntOrPercent(strategy.maxUnavailable, replicas, true);
    if (r.ok) maxUnavailable = r.value;
    else errs.push(fieldErrors.invalid(path.child('maxUnavailable').path, intOrStringText(strategy.maxUnavailable), `failed getValueFromIntOrPercent for maxUnavailable: ${r.error}`));
  }
  let maxSurge = 0;
  if (strategy.maxSurge !== undefined) {
    const r = valueFromIntOrPercent(strategy.maxSurge, replicas, true);
    if (r.ok) maxSurge = r.value;
    else errs.push(fieldErrors.invalid(path.child('maxSurge').path, intOrStringText(strategy.maxSurge), `failed getValueFromIntOrPercent for maxSurge: ${r.error}`));
    if (strategy.type === 'InPlaceOnly' && maxSurge > 0) {
      errs.push(fieldErrors.invalid(path.child('maxSurge').path, intOrStringText(strategy.maxSurge), 'can not use maxSurge with strategy type InPlaceOnly'));
    }
  }
  if (replicas > 0 && maxUnavailable < 1 && maxSurge < 1) {
    errs.push(fieldErrors.invalid(path.child('maxUnavailable').path, strategy.maxUnavailable ?? null, 'maxUnavailable and maxSurge should not both be less than 1'));
  }
  return errs;
}
