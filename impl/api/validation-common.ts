// Validation helpers shared by the CloneSet and Advanced StatefulSet rules: Kubernetes name and
// label syntax, label selectors, update priority / scatter strategies, a subset of the core
// PodTemplateSpec validation, and the JSON-patch diff the InPlaceOnly rules are defined over.
import type { V1Container, V1LabelSelector, V1PodTemplateSpec } from '@kubernetes/client-node';
import { fieldErrors, type FieldError, FieldPath } from './field-errors.ts';
import type { UpdatePriorityStrategy } from './pub.ts';

// ---- Names and labels ----

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const IANA_SVC_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** Problems with s as an RFC 1123 label (empty list when valid). */
export function dns1123LabelProblems(s: string): string[] {
  const out: string[] = [];
  if (s.length > 63) out.push('must be no more than 63 characters');
  if (!DNS1123_LABEL.test(s)) {
    out.push("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character");
  }
  return out;
}

/** Problems with s as an RFC 1123 subdomain. */
export function dns1123SubdomainProblems(s: string): string[] {
  const out: string[] = [];
  if (s.length > 253) out.push('must be no more than 253 characters');
  if (!DNS1123_SUBDOMAIN.test(s)) {
    out.push("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character");
  }
  return out;
}

/** Problems with s as a qualified name (`[prefix/]name`), as label and annotation keys must be. */
export function qualifiedNameProblems(s: string): string[] {
  const parts = s.split('/');
  let name: string;
  if (parts.length === 1) name = parts[0] as string;
  else if (parts.length === 2) {
    const prefix = parts[0] as string;
    name = parts[1] as string;
    if (prefix.length === 0) return ['prefix part must be non-empty'];
    const p = dns1123SubdomainProblems(prefix);
    if (p.length) return p.map((m) => `prefix part ${m}`);
  } else {
    return ["a qualified name must consist of alphanumeric characters, '-', '_' or '.', with an optional DNS subdomain prefix and '/'"];
  }
  if (name.length === 0) return ['name part must be non-empty'];
  const out: string[] = [];
  if (name.length > 63) out.push('name part must be no more than 63 characters');
  if (!QUALIFIED_NAME_PART.test(name)) {
    out.push("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character");
  }
  return out;
}

export function labelValueProblems(v: string): string[] {
  const out: string[] = [];
  if (v.length > 63) out.push('must be no more than 63 characters');
  if (!LABEL_VALUE.test(v)) {
    out.push("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character");
  }
  return out;
}

export function validateObjectName(name: string | undefined, path: FieldPath, rule: 'subdomain' | 'label' = 'subdomain'): FieldError[] {
  if (!name) return [fieldErrors.required(path.child('name').path, 'name or generateName is required')];
  const problems = rule === 'label' ? dns1123LabelProblems(name) : dns1123SubdomainProblems(name);
  return problems.map((p) => fieldErrors.invalid(path.child('name').path, name, p));
}

export function validateLabels(labels: Record<string, string> | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    for (const p of qualifiedNameProblems(k)) errs.push(fieldErrors.invalid(path.path, k, p));
    if (typeof v !== 'string') errs.push(fieldErrors.invalid(path.key(k).path, v, 'must be a string'));
    else for (const p of labelValueProblems(v)) errs.push(fieldErrors.invalid(path.path, v, p));
  }
  return errs;
}

const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

export function validateAnnotations(annotations: Record<string, string> | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    for (const p of qualifiedNameProblems(k.toLowerCase())) errs.push(fieldErrors.invalid(path.path, k, p));
    size += k.length + (typeof v === 'string' ? v.length : 0);
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(fieldErrors.tooLong(path.path, TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

// ---- Label selectors ----

const SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;

/** unversionedvalidation.ValidateLabelSelector: syntax of keys, values and operators. */
export function validateLabelSelector(selector: V1LabelSelector | undefined, path: FieldPath): FieldError[] {
  if (!selector) return [];
  const errs: FieldError[] = [];
  (selector.matchExpressions ?? []).forEach((r, i) => {
    const p = path.child('matchExpressions').index(i);
    const values = r.values ?? [];
    switch (r.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(fieldErrors.required(p.child('values').path, 'must be specified when `operator` is \'In\' or \'NotIn\''));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push(fieldErrors.forbidden(p.child('values').path, 'may not be specified when `operator` is \'Exists\' or \'DoesNotExist\''));
        break;
      default:
        errs.push(fieldErrors.invalid(p.child('operator').path, r.operator, 'not a valid selector operator'));
    }
    for (const m of qualifiedNameProblems(r.key ?? '')) errs.push(fieldErrors.invalid(p.child('key').path, r.key, m));
  });
  errs.push(...validateLabels(selector.matchLabels, path.child('matchLabels')));
  return errs;
}

export type LabelPredicate = (labels: Record<string, string>) => boolean;

/**
 * metav1.LabelSelectorAsSelector: a predicate, or an error for a selector that cannot be built
 * (bad operator, value count, key or value syntax). undefined selector = matches nothing (labels.Nothing).
 */
export function labelSelectorAsPredicate(selector: V1LabelSelector | undefined): { ok: true; matches: LabelPredicate; empty: boolean } | { ok: false; error: string } {
  if (!selector) return { ok: true, matches: () => false, empty: false };
  const preds: LabelPredicate[] = [];
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    const bad = [...qualifiedNameProblems(k), ...labelValueProblems(String(v))];
    if (bad.length) return { ok: false, error: `invalid label ${k}=${v}: ${bad.join('; ')}` };
    preds.push((l) => Object.hasOwn(l, k) && l[k] === v);
  }
  for (const r of selector.matchExpressions ?? []) {
    const key = r.key ?? '';
    const values = r.values ?? [];
    const keyBad = qualifiedNameProblems(key);
    if (keyBad.length) return { ok: false, error: `invalid label key "${key}": ${keyBad.join('; ')}` };
    if (!(SELECTOR_OPERATORS as readonly string[]).includes(r.operator)) return { ok: false, error: `"${r.operator}" is not a valid label selector operator` };
    if ((r.operator === 'In' || r.operator === 'NotIn') && values.length === 0) return { ok: false, error: 'for \'in\', \'notin\' operators, values set can\'t be empty' };
    if ((r.operator === 'Exists' || r.operator === 'DoesNotExist') && values.length > 0) return { ok: false, error: 'values set must be empty for exists and does not exist' };
    for (const v of values) {
      const vb = labelValueProblems(v);
      if (vb.length) return { ok: false, error: `invalid label value: "${v}": ${vb.join('; ')}` };
    }
    switch (r.operator) {
      case 'In':
        preds.push((l) => Object.hasOwn(l, key) && values.includes(l[key] as string));
        break;
      case 'NotIn':
        preds.push((l) => !Object.hasOwn(l, key) || !values.includes(l[key] as string));
        break;
      case 'Exists':
        preds.push((l) => Object.hasOwn(l, key));
        break;
      default:
        preds.push((l) => !Object.hasOwn(l, key));
    }
  }
  return { ok: true, matches: (l) => preds.every((p) => p(l)), empty: preds.length === 0 };
}

/** The selector string kubectl and status.labelSelector use ("a=b,c in (d,e)"). */
export function selectorString(selector: V1LabelSelector | undefined): string {
  if (!selector) return '';
  const parts: string[] = [];
  for (const k of Object.keys(selector.matchLabels ?? {}).sort()) parts.push(`${k}=${selector.matchLabels?.[k]}`);
  for (const r of selector.matchExpressions ?? []) {
    const vs = [...(r.values ?? [])].sort().join(',');
    if (r.operator === 'In') parts.push(`${r.key} in (${vs})`);
    else if (r.operator === 'NotIn') parts.push(`${r.key} notin (${vs})`);
    else if (r.operator === 'Exists') parts.push(`${r.key}`);
    else if (r.operator === 'DoesNotExist') parts.push(`!${r.key}`);
  }
  return parts.join(',');
}

// ---- Update priority and scatter strategies ----

/** apis/apps/pub UpdatePriorityStrategy.FieldsValidation: the first problem, or undefined. */
export function priorityStrategyProblem(strategy: UpdatePriorityStrategy | undefined): string | undefined {
  if (!strategy) return undefined;
  const weights = strategy.weightPriority ?? [];
  const orders = strategy.orderPriority ?? [];
  if (weights.length > 0 && orders.length > 0) return 'only one of weightPriority and orderPriority can be used';
  for (const w of weights) {
    if (typeof w.weight !== 'number' || w.weight < 0 || w.weight > 100) return 'weight must be valid number in the range 1-100';
    const sel = w.matchSelector ?? {};
    if (Object.keys(sel.matchLabels ?? {}).length + (sel.matchExpressions ?? []).length === 0) return 'selector can not be empty';
    const compiled = labelSelectorAsPredicate(sel);
    if (!compiled.ok) return `invalid selector ${compiled.error}`;
  }
  for (const o of orders) {
    if (!o.orderedKey) return 'order key can not be empty';
  }
  return undefined;
}

/** apis/apps/v1alpha1 UpdateScatterStrategy.FieldsValidation. */
export function scatterStrategyProblem(terms: readonly { key: string; value: string }[] | undefined): string | undefined {
  const seen = new Set<string>();
  for (const t of terms ?? []) {
    if (!t.key) return 'key should not be empty';
    const id = `${t.key}:${t.value}`;
    if (seen.has(id)) return `duplicated key=${t.key} value=${t.value}`;
    seen.add(id);
  }
  return undefined;
}

// ---- Pod template (a subset of core ValidatePodTemplateSpec) ----

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];

/**
 * The core checks on a pod template that an apiserver would make on a Pod: labels/annotations,
 * containers present, unique DNS-label names, images, ports, env names, volumes and the mounts
 * that reference them, restart/DNS policies. `extraVolumeNames` are treated as declared volumes
 * (CloneSet mocks each volumeClaimTemplate as a PVC volume).
 */
export function validatePodTemplateSpec(template: V1PodTemplateSpec | undefined, path: FieldPath, extraVolumeNames: readonly string[] = []): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validateLabels(template?.metadata?.labels, path.child('labels')));
  errs.push(...validateAnnotations(template?.metadata?.annotations, path.child('annotations')));
  const spec = template?.spec;
  const specPath = path.child('spec');
  if (!spec) return [...errs, fieldErrors.required(specPath.child('containers').path, '')];

  const volumeNames = new Set<string>();
  (spec.volumes ?? []).forEach((v, i) => {
    const p = specPath.child('volumes').index(i).child('name');
    if (!v.name) errs.push(fieldErrors.required(p.path, ''));
    else {
      for (const m of dns1123LabelProblems(v.name)) errs.push(fieldErrors.invalid(p.path, v.name, m));
      if (volumeNames.has(v.name)) errs.push(fieldErrors.duplicate(p.path, v.name));
      volumeNames.add(v.name);
    }
  });
  for (const n of extraVolumeNames) volumeNames.add(n);

  const containerNames = new Set<string>();
  const checkContainers = (list: V1Container[] | undefined, kind: 'containers' | 'initContainers') => {
    (list ?? []).forEach((c, i) => {
      const cp = specPath.child(kind).index(i);
      if (!c.name) errs.push(fieldErrors.required(cp.child('name').path, ''));
      else {
        for (const m of dns1123LabelProblems(c.name)) errs.push(fieldErrors.invalid(cp.child('name').path, c.name, m));
        if (containerNames.has(c.name)) errs.push(fieldErrors.duplicate(cp.child('name').path, c.name));
        containerNames.add(c.name);
      }
      if (!c.image) errs.push(fieldErrors.required(cp.child('image').path, ''));
      if (c.imagePullPolicy && !PULL_POLICIES.includes(c.imagePullPolicy)) {
        errs.push(fieldErrors.notSupported(cp.child('imagePullPolicy').path, c.imagePullPolicy, PULL_POLICIES));
      }
      const portNames = new Set<string>();
      (c.ports ?? []).forEach((port, j) => {
        const pp = cp.child('ports').index(j);
        if (!Number.isInteger(port.containerPort) || port.containerPort < 1 || port.containerPort > 65535) {
          errs.push(fieldErrors.invalid(pp.child('containerPort').path, port.containerPort, 'must be between 1 and 65535, inclusive'));
        }
        if (port.hostPort !== undefined && port.hostPort !== 0 && (port.hostPort < 1 || port.hostPort > 65535)) {
          errs.push(fieldErrors.invalid(pp.child('hostPort').path, port.hostPort, 'must be between 1 and 65535, inclusive'));
        }
        if (port.protocol && !PROTOCOLS.includes(port.protocol)) errs.push(fieldErrors.notSupported(pp.child('protocol').path, port.protocol, PROTOCOLS));
        if (port.name) {
          if (port.name.length > 15 || !IANA_SVC_NAME.test(port.name) || !/[a-z]/.test(port.name) || port.name.includes('--')) {
            errs.push(fieldErrors.invalid(pp.child('name').path, port.name, 'must be an IANA_SVC_NAME (at most 15 characters, lower case alphanumerics and \'-\', at least one letter)'));
          }
          if (portNames.has(port.name)) errs.push(fieldErrors.duplicate(pp.child('name').path, port.name));
          portNames.add(port.name);
        }
      });
      (c.env ?? []).forEach((e, j) => {
        const ep = cp.child('env').index(j).child('name');
        if (!e.name) errs.push(fieldErrors.required(ep.path, ''));
        else if (!ENV_VAR_NAME.test(e.name)) {
          errs.push(fieldErrors.invalid(ep.path, e.name, "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit"));
        }
      });
      const mountPaths = new Set<string>();
      (c.volumeMounts ?? []).forEach((m, j) => {
        const mp = cp.child('volumeMounts').index(j);
        if (!m.name) errs.push(fieldErrors.required(mp.child('name').path, ''));
        else if (!volumeNames.has(m.name)) errs.push(fieldErrors.notFound(mp.child('name').path, m.name));
        if (!m.mountPath) errs.push(fieldErrors.required(mp.child('mountPath').path, ''));
        else {
          if (mountPaths.has(m.mountPath)) errs.push(fieldErrors.invalid(mp.child('mountPath').path, m.mountPath, 'must be unique'));
          mountPaths.add(m.mountPath);
        }
      });
    });
  };
  checkContainers(spec.initContainers, 'initContainers');
  if (!spec.containers || spec.containers.length === 0) errs.push(fieldErrors.required(specPath.child('containers').path, ''));
  checkContainers(spec.containers, 'containers');

  if (spec.restartPolicy && !RESTART_POLICIES.includes(spec.restartPolicy)) {
    errs.push(fieldErrors.notSupported(specPath.child('restartPolicy').path, spec.restartPolicy, RESTART_POLICIES));
  }
  if (spec.dnsPolicy && !DNS_POLICIES.includes(spec.dnsPolicy)) errs.push(fieldErrors.notSupported(specPath.child('dnsPolicy').path, spec.dnsPolicy, DNS_POLICIES));
  if (spec.terminationGracePeriodSeconds !== undefined && spec.terminationGracePeriodSeconds < 0) {
    errs.push(fieldErrors.invalid(specPath.child('terminationGracePeriodSeconds').path, spec.terminationGracePeriodSeconds, 'must be greater than or equal to 0'));
  }
  (spec.readinessGates ?? []).forEach((g, i) => {
    for (const m of qualifiedNameProblems(g.conditionType ?? '')) {
      errs.push(fieldErrors.invalid(specPath.child('readinessGates').index(i).child('conditionType').path, g.conditionType, m));
    }
  });
  if ((spec.ephemeralContainers ?? []).length > 0) errs.push(fieldErrors.forbidden(specPath.child('ephemeralContainers').path, 'ephemeral containers not allowed in pod template'));
  return errs;
}

export function nonNegative(value: number, path: FieldPath): FieldError[] {
  return value < 0 ? [fieldErrors.invalid(path.path, value, 'must be greater than or equal to 0')] : [];
}

// ---- JSON patch diff ----

export interface PatchOp {
  readonly op: 'add' | 'remove' | 'replace';
  readonly path: string;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isSimpleArray(a: readonly unknown[]): boolean {
  return a.every((v) => typeof v !== 'object' || v === null);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

function escapeToken(k: string): string {
  return k.replaceAll('~', '~0').replaceAll('/', '~1');
}

/**
 * The operations of an RFC 6902 patch from a to b, with the array rules of the jsonpatch library
 * OpenKruise uses: arrays of scalars are diffed as sets (remove/add), other arrays index by index.
 */
export function jsonPatchOps(a: unknown, b: unknown, path = ''): PatchOp[] {
  if (deepEqual(a, b)) return [];
  if (isObject(a) && isObject(b)) {
    const ops: PatchOp[] = [];
    for (const k of Object.keys(a)) {
      if (a[k] === undefined) continue;
      if (b[k] === undefined) ops.push({ op: 'remove', path: `${path}/${escapeToken(k)}` });
    }
    for (const k of Object.keys(b)) {
      if (b[k] === undefined) continue;
      const p = `${path}/${escapeToken(k)}`;
      if (a[k] === undefined) ops.push({ op: 'add', path: p });
      else ops.push(...jsonPatchOps(a[k], b[k], p));
    }
    return ops;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const ops: PatchOp[] = [];
    if (isSimpleArray(a) && isSimpleArray(b)) {
      a.forEach((v, i) => {
        if (!b.some((w) => deepEqual(v, w))) ops.push({ op: 'remove', path: `${path}/${i}` });
      });
      b.forEach((v, i) => {
        if (!a.some((w) => deepEqual(v, w))) ops.push({ op: 'add', path: `${path}/${i}` });
      });
      return ops;
    }
    const n = Math.min(a.length, b.length);
    for (let i = a.length - 1; i >= n; i--) ops.push({ op: 'remove', path: `${path}/${i}` });
    for (let i = n; i < b.length; i++) ops.push({ op: 'add', path: `${path}/${i}` });
    for (let i = 0; i < n; i++) ops.push(...jsonPatchOps(a[i], b[i], `${path}/${i}`));
    return ops;
  }
  return [{ op: 'replace', path }];
}

/** JSON round trip: drops undefined and turns Dates into strings, like the wire form. */
export function toWire<T>(v: T): unknown {
  return v === undefined ? undefined : JSON.parse(JSON.stringify(v));
}

export { FieldPath };
