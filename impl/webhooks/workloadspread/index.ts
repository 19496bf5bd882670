// WorkloadSpread's part of the webhook server: the WorkloadSpread validating handler, and the
// pod hooks the shared pod webhooks call (injection at CREATE, bookkeeping at DELETE/eviction).
// Registered in server.ts (routes) and handlers.ts (the pod handlers call the hooks).
import type { V1Pod } from '@kubernetes/client-node';
import type { AdmissionRequest, Verdict } from '../admission.ts';
import { admitWorkloadSpread, type WorkloadSpreadValidationReader } from './validate.ts';

/** Pod-side hooks; absent when the manager runs without WorkloadSpread support. */
export interface WorkloadSpreadPodHooks {
  /** Pod CREATE: the pod with its subset injected, or undefined to leave it unchanged. */
  mutateCreate(req: AdmissionRequest, pod: V1Pod): Promise<V1Pod | undefined>;
  /** Pod DELETE and pods/eviction CREATE: records the pod in its subset's deletingPods. Never denies. */
  recordDeletion(req: AdmissionRequest): Promise<void>;
}

export interface WorkloadSpreadDeps {
  validation: WorkloadSpreadValidationReader;
  pods?: WorkloadSpreadPodHooks;
}

interface Deps {
  gates: { enabled(name: 'WorkloadSpread'): boolean };
  workloadSpread?: WorkloadSpreadDeps;
}

export async function validateWorkloadSpreadHandler(req: AdmissionRequest, deps: Deps): Promise<Verdict> {
  if (!deps.workloadSpread) return { allowed: false, status: { status: 'Failure', code: 500, message: 'WorkloadSpread admission is not configured in this server' } };
  return admitWorkloadSpread(req, deps.workloadSpread.validation, deps.gates.enabled('WorkloadSpread'));
}

export type { WorkloadSpreadValidationReader } from './validate.ts';
export { liveValidationReader } from './live-reader.ts';
