// PodProbeMarker validation (OpenKruise 1.8.3 pkg/webhook/podprobemarker/validating): the same
// checks, in the same order, with the same field paths and messages. OpenKruise's paths are not
// indexed ("spec.probes", "spec.probe.exec.command", "spec.markerPolicy.state"), and the probe
// loop stops at the first probe-level error; both are kept, since clients match the messages.
import type { V1LabelSelector, V1Probe } from '@kubernetes/client-node';
import { type FieldError, FieldPath, fieldErrors } from './field-errors.ts';
import { PROBE_STATES, PROBE_NAME_SEPARATOR, type PodContainerProbe, type PodProbeMarker, type ProbeMarkerPolicy } from './podprobemarker.ts';
import { labelSelectorAsPredicate, qualifiedNameProblems, validateAnnotations, validateLabelSelector, validateLabels } from './validation-common.ts';

/** Pod conditions the kubelet or a Kruise workload owns: no probe may be named like one. */
export const RESERVED_CONDITION_NAMES: readonly string[] = ['PodScheduled', 'Initialized', 'Ready', 'ContainersReady', 'KruisePodReady', 'InPlaceUpdateReady'];

const PORT_NAME_CHARSET = /^[-a-z0-9]+$/;

/** validation.IsValidPortName. */
export function portNameProblems(name: string): string[] {
  const out: string[] = [];
  if (name.length > 15) out.push('must be no more than 15 characters');
  if (!PORT_NAME_CHARSET.test(name)) out.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(name)) out.push('must contain at least one letter (a-z)');
  if (name.includes('--')) out.push('must not contain consecutive hyphens (-)');
  if (name.length > 0 && (name.startsWith('-') || name.endsWith('-'))) out.push('must not begin or end with a hyphen (-)');
  return out;
}

function validatePort(port: number | string | undefined, path: FieldPath): FieldError[] {
  if (typeof port === 'number') return Number.isInteger(port) && port >= 1 && port <= 65535 ? [] : [fieldErrors.invalid(path.path, port, 'must be between 1 and 65535, inclusive')];
  return portNameProblems(port ?? '').map((m) => fieldErrors.invalid(path.path, port ?? '', m));
}

/** Exactly one of exec / httpGet / tcpSocket (checked in that order); httpGet is refused in 1.8. */
function validateHandler(probe: V1Probe, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  let handlers = 0;
  if (probe.exec) {
    handlers++;
    if (!probe.exec.command?.length) errs.push(fieldErrors.required(path.child('exec', 'command').path));
  }
  if (probe.httpGet) {
    if (handlers > 0) errs.push(fieldErrors.forbidden(path.child('httpGet').path, 'may not specify more than 1 handler type'));
    else {
      handlers++;
      errs.push(fieldErrors.forbidden(path.child('probe').path, 'current no support http probe'));
    }
  }
  if (probe.tcpSocket) {
    if (handlers > 0) errs.push(fieldErrors.forbidden(path.child('tcpSocket').path, 'may not specify more than 1 handler type'));
    else {
      handlers++;
      const tcp = path.child('tcpSocket');
      if (probe.tcpSocket.host) errs.push(fieldErrors.invalid(tcp.child('host').path, probe.tcpSocket.host, 'host field in probes is not allowed'));
      errs.push(...validatePort(probe.tcpSocket.port as number | string | undefined, tcp.child('port')));
    }
  }
  if (handlers === 0) errs.push(fieldErrors.required(path.path, 'must specify a handler type'));
  return errs;
}

function validateProbe(probe: V1Probe | undefined, path: FieldPath): FieldError[] {
  if (!probe) return [fieldErrors.invalid(path.path, null, "probe can't be empty in podProbeMarker.")];
  const errs = validateHandler(probe, path);
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'] as const) {
    const v = probe[f] ?? 0;
    if (v < 0) errs.push(fieldErrors.invalid(path.child(f).path, v, 'must be greater than or equal to 0'));
  }
  return errs;
}

function validateMarkerPolicy(policy: ProbeMarkerPolicy, path: FieldPath): FieldError[] {
  if (!(PROBE_STATES as readonly string[]).includes(policy.state)) return [fieldErrors.required(path.child('state').path, "marker policy state must be 'True' or 'False'")];
  if (!Object.keys(policy.labels ?? {}).length && !Object.keys(policy.annotations ?? {}).length) return [fieldErrors.required(path.path, "marker policy annotations or labels can't be both empty")];
  // OpenKruise validates them as the metadata of a fake object.
  return [...validateLabels(policy.labels, path.child('labels')), ...validateAnnotations(policy.annotations, path.child('annotations'))];
}

function validateSelector(selector: V1LabelSelector, path: FieldPath): FieldError[] {
  const errs = validateLabelSelector(selector, path);
  if (Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions ?? []).length === 0) errs.push(fieldErrors.invalid(path.path, selector, 'empty selector is not valid for podProbeMarker.'));
  if (!labelSelectorAsPredicate(selector).ok) errs.push(fieldErrors.invalid(path.child('selector').path, selector, ''));
  return errs;
}

/** One probe's own errors, and whether the loop stops here (OpenKruise returns at the first of these). */
function validateProbeEntry(p: PodContainerProbe, path: FieldPath, names: Set<string>, conditions: Set<string>): { errs: FieldError[]; stop: boolean } {
  const probes = path.child('probes');
  const stop = (e: FieldError) => ({ errs: [e], stop: true });
  if (p.name.includes(PROBE_NAME_SEPARATOR)) return stop(fieldErrors.invalid(probes.path, p.name, "probe name can't contains '#'."));
  if (p.name === '') return stop(fieldErrors.invalid(probes.path, p.name, "probe name can't be empty in PodProbeMarker."));
  if (p.containerName === '') return stop(fieldErrors.invalid(probes.path, p.containerName, "probe containerName can't be empty in PodProbeMarker."));
  if (RESERVED_CONDITION_NAMES.includes(p.name)) return stop(fieldErrors.invalid(probes.path, p.name, `probe name can't be ${p.name}`));
  if (names.has(p.name)) return stop(fieldErrors.invalid(probes.path, p.name, 'probe name must be unique in PodProbeMarker.'));
  names.add(p.name);
  const errs = validateProbe(p.probe, path.child('probe'));
  const cond = p.podConditionType ?? '';
  if (cond === '' && !(p.markerPolicy ?? []).length) return { errs: [...errs, fieldErrors.invalid(probes.path, p, 'podConditionType and markerPolicy cannot be empty at the same time')], stop: true };
  if (cond !== '' && conditions.has(cond)) return { errs: [...errs, fieldErrors.invalid(probes.path, cond, `podConditionType ${cond} must be unique in podProbeMarker`)], stop: true };
  if (cond !== '') {
    conditions.add(cond);
    errs.push(...qualifiedNameProblems(cond).map((m) => fieldErrors.invalid(path.path, cond, m)));
  }
  const states = new Set<string>();
  for (const policy of p.markerPolicy ?? []) {
    if (states.has(policy.state)) return { errs: [...errs, fieldErrors.invalid(path.child('markerPolicy').path, policy.state, 'marker policy state must be unique.')], stop: true };
    states.add(policy.state);
    errs.push(...validateMarkerPolicy(policy, path.child('markerPolicy')));
  }
  return { errs, stop: false };
}

export function validatePodProbeMarkerSpec(obj: PodProbeMarker): FieldError[] {
  const path = FieldPath.root('spec');
  const spec = obj.spec ?? {};
  const errs: FieldError[] = [];
  if (!spec.selector) errs.push(fieldErrors.invalid(path.child('selector').path, null, 'empty Selector is not valid for PodProbeMarker.'));
  else errs.push(...validateSelector(spec.selector, path.child('selector')));
  if (!spec.probes?.length) return [...errs, fieldErrors.invalid(path.child('probes').path, spec.probes ?? null, 'empty probes is not valid for PodProbeMarker.')];
  const names = new Set<string>();
  const conditions = new Set<string>();
  for (const p of spec.probes) {
    const r = validateProbeEntry({ ...p, name: p.name ?? '', containerName: p.containerName ?? '' }, path, names, conditions);
    errs.push(...r.errs);
    if (r.stop) break;
  }
  return errs;
}

/** Selector equality as reflect.DeepEqual sees it (map key order does not matter). */
function sameSelector(a: V1LabelSelector | null | undefined, b: V1LabelSelector | null | undefined): boolean {
  const canon = (s: V1LabelSelector | null | undefined) =>
    s ? JSON.stringify({ l: Object.entries(s.matchLabels ?? {}).sort(([x], [y]) => (x < y ? -1 : 1)), e: s.matchExpressions ?? [], nl: s.matchLabels === undefined, ne: s.matchExpressions === undefined }) : 'nil';
  return canon(a) === canon(b);
}

/** Create (old undefined) and update: the spec rules, and on update an unchanged selector. */
export function validatePodProbeMarker(obj: PodProbeMarker, old?: PodProbeMarker): FieldError[] {
  const errs = validatePodProbeMarkerSpec(obj);
  if (old && !sameSelector(old.spec?.selector, obj.spec?.selector)) errs.push(fieldErrors.invalid('selector', obj.spec?.selector ?? null, 'selector must be immutable'));
  return errs;
}
