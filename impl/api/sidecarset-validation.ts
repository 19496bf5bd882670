// SidecarSet validation (OpenKruise pkg/webhook/sidecarset/validating): metadata, selectors and
// scope, injection and update strategies, the containers and volumes (checked as a pod would be),
// patchPodMetadata and its whitelist, immutable fields on update, and conflicts with the other
// SidecarSets that reach the same pods. Cluster reads go through SidecarSetValidationContext.
import type { V1LabelSelector, V1ObjectFieldSelector, V1PodTemplateSpec } from '@kubernetes/client-node';
import { type FieldError, fieldErrors, FieldPath } from './field-errors.ts';
import type { IntOrString } from './pub.ts';
import { isNativeSidecar } from './sidecarset-defaults.ts';
import {
  INJECT_REVISION_POLICIES,
  POD_INJECT_POLICIES,
  SHARE_VOLUME_POLICY_TYPES,
  type SidecarContainer,
  type SidecarSet,
  type SidecarSetInjectRevision,
  type SidecarSetUpdateStrategy,
  type TransferEnvVar,
} from './sidecarset.ts';
import { canonicalJson } from './sidecarset-defaults.ts';
import { isSelectorOverlapping } from './selector-overlap.ts';
import {
  labelSelectorAsPredicate,
  priorityStrategyProblem,
  qualifiedNameProblems,
  scatterStrategyProblem,
  validateAnnotations,
  validateLabelSelector,
  validatePodTemplateSpec,
} from './validation-common.ts';

/** One rule of the patchPodMetadata whitelist (ConfigMap kruise-configuration). */
export interface PatchMetadataWhitelistRule {
  selector?: V1LabelSelector;
  allowedAnnotationKeyExprs?: string[];
}

export interface SidecarSetValidationContext {
  /** Every SidecarSet in the cluster (the one validated may be among them). */
  sidecarSets(): SidecarSet[];
  /** Whether injectionStrategy.revision names a ControllerRevision of this SidecarSet. */
  revisionExists(set: SidecarSet, revision: SidecarSetInjectRevision): boolean;
  /** The whitelist rules; undefined when the ConfigMap or its key is missing. */
  patchMetadataWhitelist(): PatchMetadataWhitelistRule[] | undefined;
  /** Labels of a namespace; undefined when it does not exist. */
  namespaceLabels(name: string): Record<string, string> | undefined;
  /** Gate SidecarSetPatchPodMetadataDefaultsAllowed. */
  patchMetadataDefaultsAllowed: boolean;
}

const NAME_RE = /^[a-zA-Z0-9-]+$/;
const INT_PERCENT = /^[0-9]+%$/;

function validateName(name: string | undefined): FieldError[] {
  const p = 'metadata.name';
  if (!name) return [fieldErrors.required(p, 'name or generateName is required')];
  const errs: FieldError[] = [];
  if (!NAME_RE.test(name)) errs.push(fieldErrors.invalid(p, name, "sidecarset name must consist of alphanumeric characters or '-' (e.g. 'example-com', regex used for validation is '^[a-zA-Z0-9\\-]+$')"));
  if (name.length > 63) errs.push(fieldErrors.invalid(p, name, 'must be no more than 63 characters'));
  return errs;
}

function validateSelector(selector: V1LabelSelector, path: FieldPath): FieldError[] {
  const errs = validateLabelSelector(selector, path);
  if (Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions ?? []).length === 0) {
    errs.push(fieldErrors.invalid(path.path, selector, 'empty selector is not valid for sidecarset.'));
  }
  return errs;
}

/** apps ValidatePositiveIntOrPercent: a non-negative integer, or an integer percent. */
function positiveIntOrPercent(v: IntOrString, path: FieldPath): FieldError[] {
  if (typeof v === 'number') return v < 0 ? [fieldErrors.invalid(path.path, v, 'must be greater than or equal to 0')] : [];
  if (!INT_PERCENT.test(v)) return [fieldErrors.invalid(path.path, v, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')")];
  return [];
}

function validateUpdateStrategy(u: SidecarSetUpdateStrategy, path: FieldPath): FieldError[] {
  if (u.type !== 'RollingUpdate') return [];
  const errs: FieldError[] = [];
  const partitionSet = u.partition !== undefined && u.partition !== null && (typeof u.partition === 'string' || u.partition !== 0);
  if (partitionSet && u.selector) errs.push(fieldErrors.invalid(path.path, { partition: u.partition, selector: u.selector }, 'Partition and Selector cannot be used together'));
  if (u.selector) errs.push(...validateSelector(u.selector, path.child('selector')));
  if (u.partition !== undefined && u.partition !== null) errs.push(...positiveIntOrPercent(u.partition, path.child('partition')));
  if (u.maxUnavailable !== undefined) errs.push(...positiveIntOrPercent(u.maxUnavailable, path.child('maxUnavailable')));
  const priority = priorityStrategyProblem(u.priorityStrategy);
  if (priority) errs.push(fieldErrors.required(path.child('priorityStrategy').path, priority));
  const scatter = scatterStrategyProblem(u.scatterStrategy);
  if (scatter) errs.push(fieldErrors.required(path.child('scatterStrategy').path, scatter));
  return errs;
}

/** A transferEnv fieldRef may name a pod label or annotation (apiVersion v1) only. */
function validateTransferEnvRef(ref: V1ObjectFieldSelector, path: FieldPath): FieldError[] {
  if (!ref.apiVersion) return [fieldErrors.required(path.child('apiVersion').path, '')];
  if (!ref.fieldPath) return [fieldErrors.required(path.child('fieldPath').path, '')];
  const fp = path.child('fieldPath').path;
  if (ref.apiVersion !== 'v1') return [fieldErrors.invalid(fp, ref.fieldPath, `error converting fieldPath: unsupported pod version: ${ref.apiVersion}`)];
  const m = /^(metadata\.(?:labels|annotations))\['(.*)'\]$/.exec(ref.fieldPath);
  if (!m) {
    const sub = /^([^[]+)\[/.exec(ref.fieldPath);
    return [fieldErrors.invalid(fp, ref.fieldPath, sub ? `error converting fieldPath: field path not supported: ${sub[1]}` : `error converting fieldPath: field label not supported: ${ref.fieldPath}`)];
  }
  const key = m[1] === 'metadata.annotations' ? (m[2] as string).toLowerCase() : (m[2] as string);
  return qualifiedNameProblems(key).map((msg) => fieldErrors.invalid(path.path, m[2], msg));
}

function validateContainers(spec: NonNullable<SidecarSet['spec']>, root: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  (spec.containers ?? []).forEach((c, i) => {
    const p = root.child('containers').index(i);
    if (!POD_INJECT_POLICIES.includes(c.podInjectPolicy as never)) errs.push(fieldErrors.notSupported(p.child('podInjectPolicy').path, c.podInjectPolicy ?? '', POD_INJECT_POLICIES));
    if (!SHARE_VOLUME_POLICY_TYPES.includes(c.shareVolumePolicy?.type as never)) {
      errs.push(fieldErrors.notSupported(p.child('shareVolumePolicy', 'type').path, c.shareVolumePolicy?.type ?? '', SHARE_VOLUME_POLICY_TYPES));
    }
    (c.transferEnv ?? []).forEach((t: TransferEnvVar, j) => {
      const ref = t.sourceContainerNameFrom?.fieldRef;
      if (ref) errs.push(...validateTransferEnvRef(ref, p.child('transferEnv').index(j).child('sourceContainerNameFrom', 'fieldRef')));
    });
  });
  // As a pod would be validated; without containers a placeholder app container stands in.
  const strip = (c: SidecarContainer) => {
    const { podInjectPolicy: _a, upgradeStrategy: _b, shareVolumePolicy: _c, transferEnv: _d, ...core } = c;
    return core;
  };
  const containers = (spec.containers ?? []).map(strip);
  const template: V1PodTemplateSpec = {
    spec: {
      initContainers: (spec.initContainers ?? []).map(strip),
      containers: containers.length ? containers : [{ name: 'test', image: 'busybox' }],
      volumes: spec.volumes ?? [],
    },
  };
  errs.push(...validatePodTemplateSpec(template, FieldPath.root('')));
  return errs;
}

function validatePatchMetadata(set: SidecarSet, ctx: SidecarSetValidationContext, path: FieldPath): FieldError[] {
  const patches = set.spec?.patchPodMetadata ?? [];
  if (!patches.length) return [];
  const errs: FieldError[] = [];
  const whitelistProblem = (): string | undefined => {
    const rules = ctx.patchMetadataWhitelist();
    if (!rules) return ctx.patchMetadataDefaultsAllowed ? undefined : 'SidecarSet patch metadata whitelist not found';
    const allowed: RegExp[] = [];
    for (const r of rules) {
      if (r.selector) {
        const sel = labelSelectorAsPredicate(r.selector);
        if (!sel.ok) return sel.error;
        if (!sel.matches(set.metadata?.labels ?? {})) continue;
      }
      for (const expr of r.allowedAnnotationKeyExprs ?? []) {
        try {
          allowed.push(new RegExp(expr));
        } catch (err) {
          return `invalid whitelist expression ${expr}: ${(err as Error).message}`;
        }
      }
    }
    if (!allowed.length) return ctx.patchMetadataDefaultsAllowed ? undefined : 'sidecarSet patch metadata annotation is not allowed';
    for (const p of patches) for (const key of Object.keys(p.annotations ?? {})) if (!allowed.some((re) => re.test(key))) return `sidecarSet patch metadata annotation(${key}) is not allowed`;
    return undefined;
  };
  const problem = whitelistProblem();
  if (problem) errs.push(fieldErrors.required(path.path, problem));
  const seen = new Set<string>();
  patches.forEach((p, i) => {
    const keys = Object.keys(p.annotations ?? {});
    if (!keys.length) errs.push(fieldErrors.required(path.index(i).child('annotations').path, 'no annotations defined for SidecarSet'));
    else errs.push(...validateAnnotations(p.annotations, path.index(i).child('annotations')));
    if (!p.patchPolicy) errs.push(fieldErrors.required(path.index(i).child('patchPolicy').path, 'no patchPolicy defined for patchPodMetadata'));
    for (const k of keys) {
      if (seen.has(k)) errs.push(fieldErrors.required(path.path, `patch annotation[${k}] already exist`));
      seen.add(k);
    }
  });
  return errs;
}

function validateRevision(set: SidecarSet, ctx: SidecarSetValidationContext, path: FieldPath): FieldError[] {
  const rev = set.spec?.injectionStrategy?.revision;
  if (!rev) return [];
  const errs: FieldError[] = [];
  if (rev.revisionName === undefined && rev.customVersion === undefined) {
    errs.push(fieldErrors.invalid(path.path, rev, 'revisionName and customVersion cannot be empty simultaneously'));
  } else if (!ctx.revisionExists(set, rev)) {
    errs.push(fieldErrors.invalid(path.path, rev, 'Cannot find specific ControllerRevision'));
  }
  if (rev.policy && !INJECT_REVISION_POLICIES.includes(rev.policy as never)) errs.push(fieldErrors.notSupported(path.child('policy').path, rev.policy, INJECT_REVISION_POLICIES));
  return errs;
}

/** On update: no container may be added or renamed, and upgradeType is immutable. */
function validateContainerChanges(next: SidecarContainer[], prev: SidecarContainer[], path: FieldPath): FieldError[] {
  const before = new Map(prev.map((c) => [c.name, c.upgradeStrategy?.upgradeType]));
  const errs: FieldError[] = [];
  for (const c of next) {
    if (!before.has(c.name)) errs.push(fieldErrors.invalid(path.child('name').path, c.name, `container ${c.name} is not found`));
    else {
      const t = before.get(c.name);
      if (t && t !== c.upgradeStrategy?.upgradeType) errs.push(fieldErrors.invalid(path.child('upgradeStrategy', 'upgradeType').path, c.name, `container ${c.name} upgradeType is immutable`));
    }
  }
  return errs;
}

/** Whether two SidecarSets can reach pods of a common namespace. */
function namespacesOverlap(a: SidecarSet, b: SidecarSet, ctx: SidecarSetValidationContext): boolean {
  const [na, nb] = [a.spec?.namespace ?? '', b.spec?.namespace ?? ''];
  if (na && nb && na !== nb) return false;
  const [sa, sb] = [a.spec?.namespaceSelector, b.spec?.namespaceSelector];
  if (sa && sb && !isSelectorOverlapping(sa, sb)) return false;
  const selects = (ns: string, sel: V1LabelSelector) => {
    const labels = ctx.namespaceLabels(ns);
    const p = labelSelectorAsPredicate(sel);
    return labels !== undefined && p.ok && p.matches(labels);
  };
  if (na && sb && !selects(na, sb)) return false;
  if (nb && sa && !selects(nb, sa)) return false;
  return true;
}

function validateConflicts(set: SidecarSet, ctx: SidecarSetValidationContext, path: FieldPath): FieldError[] {
  const others = ctx
    .sidecarSets()
    .filter((o) => o.metadata?.name !== set.metadata?.name && namespacesOverlap(set, o, ctx) && isSelectorOverlapping(set.spec?.selector ?? {}, o.spec?.selector ?? {}));
  const errs: FieldError[] = [];
  const owner = (pick: (o: SidecarSet) => readonly { name: string }[]) => {
    const m = new Map<string, SidecarSet>();
    for (const o of others) for (const x of pick(o)) m.set(x.name, o);
    return m;
  };
  const inits = owner((o) => o.spec?.initContainers ?? []);
  const containers = owner((o) => o.spec?.containers ?? []);
  const volumes = owner((o) => o.spec?.volumes ?? []);
  for (const c of set.spec?.initContainers ?? []) {
    const o = inits.get(c.name);
    if (o) errs.push(fieldErrors.invalid(path.child('initContainers').path, c.name, `container ${c.name} already exist in ${o.metadata?.name}`));
  }
  for (const c of set.spec?.containers ?? []) {
    const o = containers.get(c.name);
    if (o) errs.push(fieldErrors.invalid(path.child('containers').path, c.name, `container ${c.name} already exist in ${o.metadata?.name}`));
  }
  for (const v of set.spec?.volumes ?? []) {
    const o = volumes.get(v.name);
    const theirs = o?.spec?.volumes?.find((x) => x.name === v.name);
    if (o && canonicalJson(theirs) !== canonicalJson(v)) errs.push(fieldErrors.invalid(path.child('volumes').path, v.name, `volume ${v.name} is in conflict with sidecarset ${o.metadata?.name}`));
  }
  const overwriting = new Map<string, { set: string; policy: string }>();
  for (const o of others) {
    for (const p of o.spec?.patchPodMetadata ?? []) {
      if (p.patchPolicy === 'Retain') continue;
      for (const k of Object.keys(p.annotations ?? {})) overwriting.set(k, { set: o.metadata?.name ?? '', policy: p.patchPolicy ?? '' });
    }
  }
  for (const p of set.spec?.patchPodMetadata ?? []) {
    if (p.patchPolicy === 'Retain') continue;
    for (const k of Object.keys(p.annotations ?? {})) {
      const o = overwriting.get(k);
      if (o && (p.patchPolicy === 'Overwrite' || o.policy === 'Overwrite')) errs.push(fieldErrors.invalid(path.child('patchPodMetadata').path, k, `annotation ${k} is in conflict with sidecarset ${o.set}`));
    }
  }
  return errs;
}

/** Every problem of a defaulted SidecarSet; `old` is the stored object on update. */
export function validateSidecarSet(set: SidecarSet, old: SidecarSet | undefined, ctx: SidecarSetValidationContext): FieldError[] {
  const spec = set.spec ?? {};
  const root = FieldPath.root('spec');
  const errs: FieldError[] = [...validateName(set.metadata?.name)];
  if ((spec.initContainers ?? []).some(isNativeSidecar) && spec.updateStrategy?.type === 'RollingUpdate') {
    errs.push(fieldErrors.required(root.child('updateStrategy').path, 'The initContainer in-place upgrade is not currently supported.'));
  }
  if (!spec.selector) errs.push(fieldErrors.required(root.child('selector').path, 'no selector defined for SidecarSet'));
  else errs.push(...validateSelector(spec.selector, root.child('selector')));
  if (spec.namespace && spec.namespaceSelector) errs.push(fieldErrors.required(root.child('namespace, namespaceSelector').path, 'namespace and namespaceSelector are mutually exclusive'));
  else if (spec.namespaceSelector) errs.push(...validateSelector(spec.namespaceSelector, root.child('namespaceSelector')));
  errs.push(...validateRevision(set, ctx, root.child('injectionStrategy', 'revision')));
  errs.push(...validateUpdateStrategy(spec.updateStrategy ?? {}, root.child('updateStrategy')));
  if (!(spec.initContainers ?? []).length && !(spec.containers ?? []).length) errs.push(fieldErrors.required(root.child('containers').path, 'no initContainer or container defined for SidecarSet'));
  else errs.push(...validateContainers(spec, root));
  errs.push(...validatePatchMetadata(set, ctx, root.child('patchPodMetadata')));
  if (old) errs.push(...validateContainerChanges(spec.containers ?? [], old.spec?.containers ?? [], root.child('containers')));
  if (errs.length) return errs;
  return validateConflicts(set, ctx, root);
}
