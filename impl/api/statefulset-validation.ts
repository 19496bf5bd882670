// Advanced StatefulSet admission validation, after OpenKruise 1.8
// pkg/webhook/statefulset/validating. Pure apart from the StorageClass lookups of the VCT resize
// rule, which come through the context port.
import type { V1PersistentVolumeClaim, V1StorageClass } from '@kubernetes/client-node';
import { parseGoInt, valueFromIntOrPercent } from '../controllers/shared/intstr.ts';
import { ANNOTATION_DEFAULT_STORAGE_CLASS, CONDITION_INPLACE_UPDATE_READY, MAX_MIN_READY_SECONDS } from './constants.ts';
import { fieldErrors, type FieldError, FieldPath } from './field-errors.ts';
import type { IntOrString } from './pub.ts';
import { compareQuantities } from './quantity.ts';
import { semanticEqual } from './semantic.ts';
import {
  POD_MANAGEMENT_POLICIES,
  POD_UPDATE_POLICIES,
  PVC_RETENTION_POLICY_TYPES,
  type StatefulSet,
  type StatefulSetPersistentVolumeClaimRetentionPolicy,
  type StatefulSetSpec,
} from './statefulset.ts';
import {
  jsonPatchOps,
  labelSelectorAsPredicate,
  nonNegative,
  priorityStrategyProblem,
  toWire,
  validateAnnotations,
  validateLabelSelector,
  validateLabels,
  validateObjectName,
} from './validation-common.ts';

/** Read access to StorageClasses (cluster-scoped). */
export interface StorageClassPort {
  /** undefined when the class does not exist; may throw on API errors. */
  get(name: string): Promise<V1StorageClass | undefined>;
  list(): Promise<V1StorageClass[]>;
}

export interface StatefulSetValidationContext {
  /** Gate StatefulSetAutoResizePVCGate: enables the volumeClaimTemplates update rules. */
  autoResizePVC?: boolean;
  storageClasses?: StorageClassPort;
}

const RESERVE_ORDINAL_RANGE = /^\d+-\d+$/;
/** Not anchored, as in OpenKruise (so it also admits e.g. /initContainers/0/image). */
const IN_PLACE_ONLY_PATCH_PATH = /\/containers\/([0-9]+)\/image/;

const MUTABLE_SPEC_FIELDS: readonly (keyof StatefulSetSpec)[] = [
  'replicas', 'ordinals', 'template', 'reserveOrdinals', 'lifecycle', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy',
  'volumeClaimTemplates', 'volumeClaimUpdateStrategy', 'updateStrategy', 'scaleStrategy',
];

/**
 * Validate an Advanced StatefulSet for CREATE (old undefined) or UPDATE. Checks run in OpenKruise's
 * stages and the first failing stage is reported: spec (+ update immutability), then the VCT update
 * rules (gate on), then the InPlaceOnly template rule. Expects mutating defaults applied.
 */
export async function validateStatefulSet(obj: StatefulSet, old: StatefulSet | undefined, ctx: StatefulSetValidationContext = {}): Promise<FieldError[]> {
  const errs = [...validateObjectName(obj.metadata?.name, FieldPath.root('metadata')), ...validateSpec(obj.spec ?? ({} as StatefulSetSpec))];
  if (!old) return errs;
  errs.push(...validateUpdate(obj, old));
  if (errs.length) return errs;
  if (ctx.autoResizePVC) {
    const vct = await validateVolumeClaimTemplateUpdate(obj, old, ctx.storageClasses);
    if (vct.length) return vct;
  }
  const ru = obj.spec?.updateStrategy?.rollingUpdate;
  if (ru?.podUpdatePolicy === 'InPlaceOnly') {
    for (const op of jsonPatchOps(toWire(old.spec?.template?.spec ?? {}), toWire(obj.spec?.template?.spec ?? {}))) {
      if (op.op !== 'replace' || !IN_PLACE_ONLY_PATCH_PATH.test(op.path)) {
        return [
          fieldErrors.forbidden(
            'spec.template.spec',
            `invalid template modified with InPlaceOnly strategy: ${op.op} ${op.path}, currently only image update is allowed for InPlaceOnly`,
          ),
        ];
      }
    }
  }
  return [];
}

function validateSpec(spec: StatefulSetSpec): FieldError[] {
  const path = FieldPath.root('spec');
  const errs: FieldError[] = [];

  // podManagementPolicy
  if (!spec.podManagementPolicy) errs.push(fieldErrors.required(path.child('podManagementPolicy').path, ''));
  else if (!POD_MANAGEMENT_POLICIES.includes(spec.podManagementPolicy)) {
    errs.push(fieldErrors.invalid(path.child('podManagementPolicy').path, spec.podManagementPolicy, "must be 'OrderedReady' or 'Parallel'"));
  }

  errs.push(...validateReserveOrdinals(spec.reserveOrdinals, path.child('reserveOrdinals')));

  if (spec.scaleStrategy?.maxUnavailable !== undefined) {
    errs.push(...validateMaxUnavailable(spec.scaleStrategy.maxUnavailable, spec, path.child('scaleStrategy', 'maxUnavailable')));
  }

  errs.push(...validateUpdateStrategy(spec, path));
  errs.push(...validateRetentionPolicy(spec.persistentVolumeClaimRetentionPolicy, path.child('persistentVolumeClaimRetentionPolicy')));
  errs.push(...nonNegative(spec.replicas ?? 1, path.child('replicas')));

  // selector and template labels (ValidatePodTemplateSpecForStatefulSet checks no more of the pod spec)
  if (!spec.selector) errs.push(fieldErrors.required(path.child('selector').path, ''));
  else {
    errs.push(...validateLabelSelector(spec.selector, path.child('selector')));
    if (Object.keys(spec.selector.matchLabels ?? {}).length + (spec.selector.matchExpressions ?? []).length === 0) {
      errs.push(fieldErrors.invalid(path.child('selector').path, spec.selector, 'empty selector is invalid for statefulset'));
    }
  }
  const selector = labelSelectorAsPredicate(spec.selector);
  if (!selector.ok) errs.push(fieldErrors.invalid(path.child('selector').path, spec.selector, selector.error));
  else {
    const labels = spec.template?.metadata?.labels ?? {};
    if (!selector.empty && !selector.matches(labels)) {
      errs.push(fieldErrors.invalid(path.child('template', 'metadata', 'labels').path, labels, '`selector` does not match template `labels`'));
    }
    errs.push(...validateLabels(spec.template?.metadata?.labels, path.child('template', 'labels')));
    errs.push(...validateAnnotations(spec.template?.metadata?.annotations, path.child('template', 'annotations')));
  }

  const podSpec = spec.template?.spec;
  if (podSpec?.restartPolicy && podSpec.restartPolicy !== 'Always') {
    errs.push(fieldErrors.notSupported(path.child('template', 'spec', 'restartPolicy').path, podSpec.restartPolicy, ['Always']));
  }
  if (podSpec?.activeDeadlineSeconds !== undefined && podSpec.activeDeadlineSeconds !== null) {
    errs.push(fieldErrors.forbidden(path.child('template', 'spec', 'activeDeadlineSeconds').path, 'activeDeadlineSeconds in StatefulSet is not Supported'));
  }
  return errs;
}

/** api.ParseRange: "a-b" with a <= b. */
export function parseOrdinalRange(s: string): { start: number; end: number } | { error: string } {
  const parts = s.split('-');
  if (parts.length !== 2) return { error: `invalid range ${s}` };
  const start = parseGoInt(parts[0] as string);
  if (start === undefined) return { error: `strconv.Atoi: parsing ${JSON.stringify(parts[0])}: invalid syntax` };
  const end = parseGoInt(parts[1] as string);
  if (end === undefined) return { error: `strconv.Atoi: parsing ${JSON.stringify(parts[1])}: invalid syntax` };
  if (start > end) return { error: `invalid range ${s}` };
  return { start, end };
}

function validateReserveOrdinals(list: readonly IntOrString[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  (list ?? []).forEach((elem, i) => {
    const p = path.index(i).path;
    if (typeof elem === 'string') {
      if (!RESERVE_ORDINAL_RANGE.test(elem)) errs.push(fieldErrors.invalid(p, elem, `${i} th reserve ordinal is not a valid range: ${elem}`));
      const r = parseOrdinalRange(elem);
      if ('error' in r) errs.push(fieldErrors.invalid(p, elem, `${i} th reserve ordinal is invalid: ${elem}, err = ${r.error}`));
    } else if (elem < 0) {
      errs.push(fieldErrors.invalid(p, elem, `${i} th reserve ordinal is negative: ${elem}`));
    }
  });
  return errs;
}

const PERCENT = /^[0-9]+%$/;

/** validateMaxUnavailableField: non-negative int or "<int>%", at least 1 of 1 replica, and only int 1 unless Parallel. */
function validateMaxUnavailable(v: IntOrString, spec: StatefulSetSpec, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (typeof v === 'string') {
    if (!PERCENT.test(v)) {
      errs.push(fieldErrors.invalid(path.path, v, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"));
    }
  } else errs.push(...nonNegative(v, path));
  const scaled = valueFromIntOrPercent(v, 1, true);
  if (!scaled.ok) errs.push(fieldErrors.invalid(path.path, v, `getValueFromIntOrPercent error: ${scaled.error}`));
  else if (scaled.value < 1) errs.push(fieldErrors.invalid(path.path, v, 'should not be less than 1'));
  if (spec.podManagementPolicy !== 'Parallel' && v !== 1) {
    errs.push(fieldErrors.invalid(path.path, v, 'can only work with Parallel PodManagementPolicyType'));
  }
  return errs;
}

function validateUpdateStrategy(spec: StatefulSetSpec, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const us = spec.updateStrategy ?? {};
  const usPath = path.child('updateStrategy');
  const ruPath = usPath.child('rollingUpdate');
  switch (us.type) {
    case undefined:
    case '' as never:
      errs.push(fieldErrors.required(usPath.path, ''));
      break;
    case 'OnDelete':
      if (us.rollingUpdate) errs.push(fieldErrors.invalid(ruPath.path, us.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'"));
      break;
    case 'RollingUpdate': {
      const ru = us.rollingUpdate;
      if (!ru) break;
      errs.push(...nonNegative(ru.partition ?? 0, ruPath.child('partition')));
      const minReady = ru.minReadySeconds ?? 0;
      errs.push(...nonNegative(minReady, ruPath.child('minReadySeconds')));
      if (minReady > MAX_MIN_READY_SECONDS) {
        errs.push(fieldErrors.invalid(ruPath.child('minReadySeconds').path, minReady, `must be no more than ${MAX_MIN_READY_SECONDS} seconds`));
      }
      if (ru.maxUnavailable === undefined) errs.push(fieldErrors.required(ruPath.child('maxUnavailable').path, ''));
      else errs.push(...validateMaxUnavailable(ru.maxUnavailable, spec, ruPath.child('maxUnavailable')));

      const policy = ru.podUpdatePolicy;
      if (!policy) errs.push(fieldErrors.required(ruPath.child('podUpdatePolicy').path, ''));
      else if (!POD_UPDATE_POLICIES.includes(policy)) {
        errs.push(fieldErrors.invalid(ruPath.child('podUpdatePolicy').path, policy, "must be 'ReCreate', InPlaceIfPossible or 'InPlaceOnly'"));
      } else if (policy !== 'ReCreate') {
        // Unlike CloneSet, the ASTS controller does not inject this gate: the user must declare it.
        const gates = spec.template?.spec?.readinessGates ?? [];
        if (!gates.some((g) => g.conditionType === CONDITION_INPLACE_UPDATE_READY)) {
          errs.push(fieldErrors.invalid(path.child('template', 'spec', 'readinessGates').path, gates, `must contains ${CONDITION_INPLACE_UPDATE_READY} when podUpdatePolicy is ${policy}`));
        }
      }

      if (ru.unorderedUpdate) {
        const uPath = ruPath.child('unorderedUpdate');
        if (spec.podManagementPolicy !== 'Parallel') errs.push(fieldErrors.required(uPath.path, 'unorderedUpdate can only work with Parallel PodManagementPolicyType'));
        const problem = priorityStrategyProblem(ru.unorderedUpdate.priorityStrategy);
        if (problem) errs.push(fieldErrors.required(uPath.child('priorityStrategy').path, problem));
      }
      break;
    }
    default:
      errs.push(fieldErrors.invalid(usPath.child('type').path, us.type, "must be 'RollingUpdate' or 'OnDelete'"));
  }
  return errs;
}

function validateRetentionPolicy(policy: StatefulSetPersistentVolumeClaimRetentionPolicy | undefined, path: FieldPath): FieldError[] {
  if (!policy) return [];
  const errs: FieldError[] = [];
  for (const key of ['whenDeleted', 'whenScaled'] as const) {
    const v = policy[key] ?? '';
    if (!PVC_RETENTION_POLICY_TYPES.includes(v as never)) errs.push(fieldErrors.notSupported(path.child(key).path, v, PVC_RETENTION_POLICY_TYPES));
  }
  return errs;
}

/** ValidateStatefulSetUpdate: selector, serviceName, podManagementPolicy (and any other field) are immutable. */
function validateUpdate(obj: StatefulSet, old: StatefulSet): FieldError[] {
  const strip = (spec: StatefulSetSpec | undefined): Record<string, unknown> => {
    const rest = { ...(toWire(spec ?? {}) as Record<string, unknown>) };
    for (const k of MUTABLE_SPEC_FIELDS) delete rest[k];
    return rest;
  };
  const errs: FieldError[] = [];
  if (!semanticEqual(strip(obj.spec), strip(old.spec))) {
    errs.push(
      fieldErrors.forbidden(
        'spec',
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'reserveOrdinals', 'lifecycle', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy', `volumeClaimTemplates`, `VolumeClaimUpdateStrategy` and 'updateStrategy' are forbidden",
      ),
    );
  }
  return errs;
}

function storageOf(pvc: V1PersistentVolumeClaim, kind: 'requests' | 'limits'): string | undefined {
  const v = pvc.spec?.resources?.[kind]?.storage as unknown;
  return v === undefined || v === null ? undefined : String(v);
}

/** IsClaimCompatibleWithoutSize: same storage class (when both set) and same access modes in the same order. */
function compatibleWithoutSize(claim: V1PersistentVolumeClaim, template: V1PersistentVolumeClaim): boolean {
  const a = claim.spec?.storageClassName;
  const b = template.spec?.storageClassName;
  if (a !== undefined && a !== null && b !== undefined && b !== null && a !== b) return false;
  const am = claim.spec?.accessModes ?? [];
  const bm = template.spec?.accessModes ?? [];
  return am.length === bm.length && am.every((m, i) => m === bm[i]);
}

function isResize(claim: V1PersistentVolumeClaim, template: V1PersistentVolumeClaim): boolean {
  return compareQuantities(storageOf(claim, 'requests'), storageOf(template, 'requests')) !== 0 || compareQuantities(storageOf(claim, 'limits'), storageOf(template, 'limits')) !== 0;
}

function creationMillis(sc: V1StorageClass): number {
  const t = sc.metadata?.creationTimestamp as unknown;
  if (t instanceof Date) return t.getTime();
  return typeof t === 'string' ? Date.parse(t) : 0;
}

/** The newest StorageClass annotated as default, or undefined. */
export function pickDefaultStorageClass(classes: readonly V1StorageClass[]): V1StorageClass | undefined {
  let best: V1StorageClass | undefined;
  for (const sc of classes) {
    if (sc.metadata?.annotations?.[ANNOTATION_DEFAULT_STORAGE_CLASS] !== 'true') continue;
    if (!best || creationMillis(best) < creationMillis(sc)) best = sc;
  }
  return best;
}

/**
 * ValidateVolumeClaimTemplateUpdate (gate StatefulSetAutoResizePVCGate, new strategy OnPodRollingUpdate):
 * no VCT added/removed/renamed, no storage class or access mode change, and a size change only on
 * a class that does not explicitly forbid expansion. Shrinking is not rejected. First error only.
 */
export async function validateVolumeClaimTemplateUpdate(obj: StatefulSet, old: StatefulSet, classes: StorageClassPort | undefined): Promise<FieldError[]> {
  if (obj.spec?.volumeClaimUpdateStrategy?.type !== 'OnPodRollingUpdate') return [];
  const vcts = obj.spec.volumeClaimTemplates ?? [];
  const oldVcts = old.spec?.volumeClaimTemplates ?? [];
  if (vcts.length !== oldVcts.length) {
    return [fieldErrors.invalid('spec.volumeClaimTemplates', vcts.map((v) => v.metadata?.name ?? ''), 'volumeClaimTemplate can not be added or deleted when OnRollingUpdate')];
  }
  const byName = new Map(oldVcts.map((v) => [v.metadata?.name ?? '', v]));
  for (const template of vcts) {
    const name = template.metadata?.name ?? '';
    const p = FieldPath.root('spec').child(`volumeClaimTemplates[${name}]`);
    const previous = byName.get(name);
    if (!previous) return [fieldErrors.forbidden(p.child('name').path, 'volumeClaimTemplate name can not be modified')];
    if (!compatibleWithoutSize(previous, template)) {
      return [fieldErrors.invalid(p.path, name, 'volumeClaimTemplate can not be modified when OnRollingUpdate')];
    }
    if (!isResize(previous, template)) continue;

    let sc: V1StorageClass | undefined;
    const scName = template.spec?.storageClassName;
    if (scName === undefined || scName === null) {
      // No class named: the default class decides; without one there is nothing to check.
      try {
        sc = pickDefaultStorageClass(classes ? await classes.list() : []);
      } catch {
        return [fieldErrors.invalid(p.child('spec', 'storageClassName').path, 'nil', 'can not list storage class')];
      }
      if (!sc) continue;
    } else {
      try {
        sc = classes ? await classes.get(scName) : undefined;
      } catch {
        sc = undefined;
      }
      if (!sc) return [fieldErrors.invalid(p.child('spec', 'storageClassName').path, scName, 'can not get sc')];
    }
    if (sc.allowVolumeExpansion === false) {
      return [fieldErrors.forbidden(p.child('spec', 'resources', 'requests', 'storage').path, `storage class ${sc.metadata?.name ?? ''} does not support volume expansion`)];
    }
  }
  return [];
}

