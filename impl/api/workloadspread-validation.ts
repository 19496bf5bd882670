// WorkloadSpread admission rules (OpenKruise 1.8 pkg/webhook/workloadspread/validating): the
// target reference, the subsets (node terms, tolerations, patch, maxReplicas), the schedule
// strategy, targetFilter, conflicts with other WorkloadSpreads and immutability of targetRef.
// Pure: the cluster facts it needs come in the context.
import type { V1NodeSelectorRequirement, V1NodeSelectorTerm, V1PodTemplateSpec, V1PreferredSchedulingTerm, V1Toleration } from '@kubernetes/client-node';
import { fieldErrors, type FieldError, FieldPath } from './field-errors.ts';
import { strategicMergePod } from './strategic-merge.ts';
import { labelSelectorAsPredicate, labelValueProblems, qualifiedNameProblems, validatePodTemplateSpec } from './validation-common.ts';
import { valueFromIntOrPercent } from '../controllers/shared/intstr.ts';
import type { TargetReference, WorkloadSpread, WorkloadSpreadSubset } from './workloadspread.ts';

/** MaxScheduledFailedDuration: how long a subset stays unschedulable (bounds rescheduleCriticalSeconds). */
export const MAX_SCHEDULED_FAILED_SECONDS = 300;
const MAX_INT32 = 2 ** 31 - 1;

export interface GroupKind {
  group: string;
  kind: string;
}

/** The built-in targets: kind → accepted API groups. */
export const BUILTIN_TARGETS: Readonly<Record<string, readonly string[]>> = {
  CloneSet: ['apps.kruise.io'],
  Deployment: ['apps'],
  ReplicaSet: ['apps'],
  Job: ['batch'],
  StatefulSet: ['apps', 'apps.kruise.io'],
};

export interface WorkloadSpreadValidationContext {
  /** Group/kind of every custom workload in the whitelist (kruise-configuration). */
  whitelist: readonly GroupKind[];
  /**
   * Pod template of the target when it exists and its kind is one whose patch is checked
   * (CloneSet, Deployment, ReplicaSet, Job), with volumeClaimTemplates added as volumes.
   */
  workloadTemplate?: V1PodTemplateSpec;
  /** The other WorkloadSpreads of the namespace. */
  others: readonly WorkloadSpread[];
}

/** schema.ParseGroupVersion: "" and "v1" have group "", "g/v" has group g, more slashes are an error. */
export function parseGroup(apiVersion: string): { ok: true; group: string } | { ok: false } {
  if (apiVersion === '' || apiVersion === 'v1') return { ok: true, group: '' };
  const parts = apiVersion.split('/');
  if (parts.length === 1) return { ok: true, group: '' };
  if (parts.length === 2) return { ok: true, group: parts[0] as string };
  return { ok: false };
}

function validateTargetRef(ref: TargetReference | undefined, ctx: WorkloadSpreadValidationContext, path: FieldPath): FieldError[] {
  const p = path.child('targetRef').path;
  if (!ref) return [fieldErrors.required(p, 'no targetRef defined in WorkloadSpread')];
  if (!ref.apiVersion || !ref.kind || !ref.name) return [fieldErrors.invalid(p, ref, 'empty TargetReference is not valid for WorkloadSpread.')];
  const gv = parseGroup(ref.apiVersion);
  const builtin = BUILTIN_TARGETS[ref.kind];
  if (builtin) {
    if (!gv.ok || !builtin.includes(gv.group)) return [fieldErrors.invalid(p, ref, `TargetReference is not valid for ${ref.kind}.`)];
    return [];
  }
  if (!gv.ok || !ctx.whitelist.some((w) => w.kind === ref.kind && w.group === gv.group)) return [fieldErrors.invalid(p, ref, "TargetReference's GroupKind is not permitted.")];
  return [];
}

function validateNodeSelectorRequirement(r: V1NodeSelectorRequirement, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) errs.push(fieldErrors.required(p.child('values').path, "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) errs.push(fieldErrors.forbidden(p.child('values').path, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    case 'Gt':
    case 'Lt':
      if (values.length !== 1) errs.push(fieldErrors.required(p.child('values').path, "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      break;
    default:
      errs.push(fieldErrors.invalid(p.child('operator').path, r.operator, 'not a valid selector operator'));
  }
  for (const m of qualifiedNameProblems(r.key ?? '')) errs.push(fieldErrors.invalid(p.child('key').path, r.key, m));
  return errs;
}

function validateNodeFieldRequirement(r: V1NodeSelectorRequirement, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (r.operator === 'In' || r.operator === 'NotIn') {
    if ((r.values ?? []).length !== 1) errs.push(fieldErrors.required(p.child('values').path, "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
  } else {
    errs.push(fieldErrors.invalid(p.child('operator').path, r.operator, 'not a valid selector operator'));
  }
  if (r.key !== 'metadata.name') errs.push(fieldErrors.notSupported(p.child('key').path, r.key, ['metadata.name']));
  return errs;
}

/** core ValidateNodeSelectorTerm. */
export function validateNodeSelectorTerm(term: V1NodeSelectorTerm, p: FieldPath): FieldError[] {
  return [
    ...(term.matchExpressions ?? []).flatMap((r, j) => validateNodeSelectorRequirement(r, p.child('matchExpressions').index(j))),
    ...(term.matchFields ?? []).flatMap((r, j) => validateNodeFieldRequirement(r, p.child('matchFields').index(j))),
  ];
}

function validatePreferredTerms(terms: readonly V1PreferredSchedulingTerm[], p: FieldPath): FieldError[] {
  return terms.flatMap((t, i) => [
    ...(t.weight <= 0 || t.weight > 100 ? [fieldErrors.invalid(p.index(i).child('weight').path, t.weight, 'must be in the range 1-100')] : []),
    ...validateNodeSelectorTerm(t.preference ?? {}, p.index(i).child('preference')),
  ]);
}

const EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/** core ValidateTolerations. */
export function validateTolerations(tolerations: readonly V1Toleration[], p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  tolerations.forEach((t, i) => {
    const tp = p.index(i);
    if (t.key) for (const m of qualifiedNameProblems(t.key)) errs.push(fieldErrors.invalid(tp.child('key').path, t.key, m));
    if (!t.key && t.operator !== 'Exists') {
      errs.push(fieldErrors.invalid(tp.child('operator').path, t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') {
      errs.push(fieldErrors.invalid(tp.child('effect').path, t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    switch (t.operator ?? '') {
      case '':
      case 'Equal':
        for (const m of labelValueProblems(t.value ?? '')) errs.push(fieldErrors.invalid(tp.child('operator').path, t.value, m));
        break;
      case 'Exists':
        if (t.value) errs.push(fieldErrors.invalid(tp.child('operator').path, t.value, "value must be empty when `operator` is 'Exists'"));
        break;
      default:
        errs.push(fieldErrors.notSupported(tp.child('operator').path, t.operator, ['Equal', 'Exists']));
    }
    if (t.effect && !EFFECTS.includes(t.effect)) errs.push(fieldErrors.notSupported(tp.child('effect').path, t.effect, EFFECTS));
  });
  return errs;
}

function validatePatch(subset: WorkloadSpreadSubset, template: V1PodTemplateSpec, p: FieldPath): FieldError[] {
  let patched: V1PodTemplateSpec;
  try {
    patched = strategicMergePod(template, subset.patch);
  } catch (err) {
    return [fieldErrors.invalid(p.path, JSON.stringify(subset.patch), `failed to merge patch: ${(err as Error).message}`)];
  }
  return validatePodTemplateSpec(patched, p);
}

function validateSubsets(ws: WorkloadSpread, ctx: WorkloadSpreadValidationContext, path: FieldPath): FieldError[] {
  const subsets = ws.spec?.subsets ?? [];
  if (subsets.length === 0) return [fieldErrors.required(path.path, 'subsets number must >= 1 in WorkloadSpread')];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  let percentSum = 0;
  let firstType: 'int' | 'string' | undefined;
  for (const [i, subset] of subsets.entries()) {
    const sp = path.index(i);
    if (!subset.name) errs.push(fieldErrors.invalid(sp.child('name').path, subset.name ?? '', ''));
    else {
      if (names.has(subset.name)) errs.push(fieldErrors.invalid(sp.child('name').path, subset.name, `duplicated subset name ${subset.name}`));
      names.add(subset.name);
    }
    if (subset.requiredNodeSelectorTerm) errs.push(...validateNodeSelectorTerm(subset.requiredNodeSelectorTerm, sp.child('requiredNodeSelectorTerm')));
    // OpenKruise reports these under "preferredSchedulingTerms".
    if (subset.preferredNodeSelectorTerms) errs.push(...validatePreferredTerms(subset.preferredNodeSelectorTerms, sp.child('preferredSchedulingTerms')));
    if (subset.tolerations) errs.push(...validateTolerations(subset.tolerations, sp.child('tolerations')));
    if (subset.patch !== undefined && subset.patch !== null && ctx.workloadTemplate) errs.push(...validatePatch(subset, ctx.workloadTemplate, sp.child('patch')));

    if (subset.maxReplicas === undefined || subset.maxReplicas === null) continue;
    const mp = sp.child('maxReplicas').path;
    const type = typeof subset.maxReplicas === 'number' ? 'int' : 'string';
    if (firstType === undefined) firstType = type;
    else if (type !== firstType) return [...errs, fieldErrors.invalid(mp, subset.maxReplicas, 'the maxReplicas type of all subsets must be the same')];
    if (ws.spec.targetRef?.kind === 'StatefulSet' && type !== 'int') return [...errs, fieldErrors.invalid(mp, subset.maxReplicas, 'the maxReplicas type must be Int for StatefulSet')];
    const value = valueFromIntOrPercent(subset.maxReplicas, 100, true);
    if (!value.ok || value.value < 0) return [...errs, fieldErrors.invalid(mp, subset.maxReplicas, 'maxReplicas is not valid for subset')];
    if (type === 'string') {
      percentSum += value.value;
      if (percentSum > 100) return [...errs, fieldErrors.invalid(mp, subset.maxReplicas, "the sum of all subset's maxReplicas exceeds 100% is no permitted")];
    }
  }
  const last = subsets[subsets.length - 1] as WorkloadSpreadSubset;
  if (firstType === 'string' && percentSum < 100 && last.maxReplicas !== undefined && last.maxReplicas !== null) {
    errs.push(fieldErrors.invalid(path.index(0).child('maxReplicas').path, subsets[0]?.maxReplicas, 'maxReplicas sum of all subsets must equal 100% when type is specified as percent'));
  }
  return errs;
}

function validateScheduleStrategy(ws: WorkloadSpread, path: FieldPath): FieldError[] {
  const strategy = ws.spec.scheduleStrategy ?? {};
  const subsets = ws.spec.subsets ?? [];
  const p = path.child('scheduleStrategy');
  const errs: FieldError[] = [];
  const type = strategy.type ?? '';
  if (type !== '' && type !== 'Fixed' && type !== 'Adaptive') errs.push(fieldErrors.invalid(p.child('type').path, type, "ScheduleStrategy's type is not valid"));
  const adaptive = strategy.adaptive;
  if (!adaptive) return errs;
  const seconds = adaptive.rescheduleCriticalSeconds;
  if (type !== 'Adaptive') errs.push(fieldErrors.invalid(p.child('type').path, seconds ?? null, "the scheduleStrategy's type must be adaptive when using adaptive scheduleStrategy"));
  const last = subsets[subsets.length - 1];
  if (subsets.length > 1 && last?.maxReplicas !== undefined && last.maxReplicas !== null) {
    errs.push(fieldErrors.invalid(p.child('adaptive').path, seconds ?? null, "the last subset's maxReplicas must be not specified when using adaptive scheduleStrategy"));
  }
  const allowed = subsets.length > 1 ? Math.trunc((MAX_SCHEDULED_FAILED_SECONDS - 5) / (subsets.length - 1)) : MAX_INT32;
  if (seconds !== undefined && seconds !== null && (seconds < 0 || seconds > allowed)) {
    errs.push(fieldErrors.invalid(p.child('adaptive', 'rescheduleCriticalSeconds').path, seconds, `rescheduleCriticalSeconds < 0 or rescheduleCriticalSeconds > ${allowed} is not permitted`));
  }
  return errs;
}

function validateConflict(ws: WorkloadSpread, others: readonly WorkloadSpread[], path: FieldPath): FieldError[] {
  const ref = ws.spec.targetRef;
  if (!ref) return [];
  const group = parseGroup(ref.apiVersion ?? '');
  for (const other of others) {
    if (other.metadata?.name === ws.metadata?.name) continue;
    const o = other.spec?.targetRef;
    if (!o) continue;
    const og = parseGroup(o.apiVersion ?? '');
    const g1 = group.ok ? group.group : '';
    const g2 = og.ok ? og.group : '';
    if (g1 === g2 && o.kind === ref.kind && o.name === ref.name) {
      return [fieldErrors.invalid(path.child('targetRef').path, ref, `ws.spec.targetRef is in conflict with other WorkloadSpread ${other.metadata?.name}`)];
    }
  }
  return [];
}

function validateTargetRefUpdate(ws: WorkloadSpread, old: WorkloadSpread, path: FieldPath): FieldError[] {
  const a = ws.spec.targetRef;
  const b = old.spec?.targetRef;
  if (!a || !b) return [];
  const ga = parseGroup(a.apiVersion ?? '');
  const gb = parseGroup(b.apiVersion ?? '');
  const groupA = ga.ok ? ga.group : '';
  const groupB = gb.ok ? gb.group : '';
  if (groupA !== groupB || a.kind !== b.kind || a.name !== b.name) return [fieldErrors.invalid(path.child('targetRef').path, a, 'change TargetReference is not permitted for WorkloadSpread')];
  return [];
}

/** Every rule, in OpenKruise's order; `old` is set on UPDATE. An empty list means valid. */
export function validateWorkloadSpread(input: WorkloadSpread, old: WorkloadSpread | undefined, ctx: WorkloadSpreadValidationContext): FieldError[] {
  const ws: WorkloadSpread = { ...input, spec: input.spec ?? ({} as WorkloadSpread['spec']) };
  const spec = FieldPath.root('spec');
  const errs: FieldError[] = [
    ...validateTargetRef(ws.spec?.targetRef, ctx, spec),
    ...validateSubsets(ws, ctx, spec.child('subsets')),
    ...validateScheduleStrategy(ws, spec),
  ];
  const filter = ws.spec.targetFilter;
  if (filter?.selector) {
    const compiled = labelSelectorAsPredicate(filter.selector);
    if (!compiled.ok) errs.push(fieldErrors.invalid(spec.child('targetFilter').path, filter, compiled.error));
  }
  errs.push(...validateConflict(ws, ctx.others, spec));
  if (old) errs.push(...validateTargetRefUpdate(ws, old, spec));
  return errs;
}

/** Kinds whose pod template the patch is validated against (the StatefulSet branch never loads one in 1.8). */
export const PATCH_CHECKED_KINDS = ['CloneSet', 'Deployment', 'ReplicaSet', 'Job'] as const;
