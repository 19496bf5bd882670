// Admission of WorkloadSpread objects (CREATE and UPDATE): the rules of
// impl/api/workloadspread-validation.ts over facts read from the cluster (the other
// WorkloadSpreads of the namespace, the target's pod template, the custom-workload whitelist).
// As in OpenKruise, a rejection is HTTP 400 with the aggregated field errors, and 403 while the
// WorkloadSpread gate is off.
import type { V1PodTemplateSpec, V1Volume } from '@kubernetes/client-node';
import { aggregateMessage } from '../../api/field-errors.ts';
import { PATCH_CHECKED_KINDS, parseGroup, validateWorkloadSpread, BUILTIN_TARGETS } from '../../api/workloadspread-validation.ts';
import type { TargetReference, WorkloadSpread } from '../../api/workloadspread.ts';
import type { Whitelist } from '../../controllers/workloadspread/whitelist.ts';
import { type AdmissionRequest, allow, deny, type Verdict } from '../admission.ts';

/** Cluster reads the WorkloadSpread validator needs. */
export interface WorkloadSpreadValidationReader {
  listWorkloadSpreads(namespace: string): Promise<WorkloadSpread[]>;
  /** The target workload as JSON, undefined when it does not exist. */
  getWorkload(ref: TargetReference, namespace: string): Promise<Record<string, unknown> | undefined>;
  whitelist(): Whitelist;
}

interface TemplateOwner {
  spec?: { template?: V1PodTemplateSpec; volumeClaimTemplates?: Array<{ metadata?: { name?: string } }> };
}

/** The target's pod template the subset patches are checked against (CloneSet claims mocked as volumes). */
export function templateOf(ref: TargetReference, workload: Record<string, unknown> | undefined): V1PodTemplateSpec | undefined {
  if (!workload || !(PATCH_CHECKED_KINDS as readonly string[]).includes(ref.kind)) return undefined;
  const g = parseGroup(ref.apiVersion);
  if (!g.ok || !BUILTIN_TARGETS[ref.kind]?.includes(g.group)) return undefined;
  const spec = (workload as TemplateOwner).spec;
  const template = structuredClone(spec?.template ?? {});
  if (ref.kind === 'CloneSet') {
    const claims: V1Volume[] = (spec?.volumeClaimTemplates ?? []).map((c) => ({ name: c.metadata?.name ?? '', persistentVolumeClaim: { claimName: c.metadata?.name ?? '' } }));
    if (claims.length) template.spec = { ...(template.spec ?? { containers: [] }), volumes: [...(template.spec?.volumes ?? []), ...claims] };
  }
  return template;
}

export async function admitWorkloadSpread(req: AdmissionRequest, reader: WorkloadSpreadValidationReader, gateOn: boolean): Promise<Verdict> {
  if (!gateOn) return deny(403, 'feature-gate WorkloadSpread is not enabled');
  if (req.operation !== 'CREATE' && req.operation !== 'UPDATE') return allow();
  const isObj = (v: unknown): v is WorkloadSpread => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObj(req.object)) return deny(400, 'request has no WorkloadSpread object');
  const ws = req.object;
  const old = req.operation === 'UPDATE' ? req.oldObject : undefined;
  if (req.operation === 'UPDATE' && !isObj(old)) return deny(400, 'update request has no old WorkloadSpread object');
  const namespace = ws.metadata?.namespace ?? req.namespace ?? '';
  const ref = ws.spec?.targetRef;
  const [others, workload] = await Promise.all([
    reader.listWorkloadSpreads(namespace),
    ref?.apiVersion && ref.kind && ref.name ? reader.getWorkload(ref, namespace) : Promise.resolve(undefined),
  ]);
  const whitelist = reader.whitelist().workloads.map((w) => ({ group: w.group, kind: w.kind }));
  const template = ref ? templateOf(ref, workload) : undefined;
  const errors = validateWorkloadSpread(ws, isObj(old) ? old : undefined, { whitelist, others, ...(template ? { workloadTemplate: template } : {}) });
  return errors.length ? deny(400, aggregateMessage(errors)) : allow();
}
