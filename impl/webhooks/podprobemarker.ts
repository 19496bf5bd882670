// PodProbeMarker admission: its validating webhook (OpenKruise pkg/webhook/podprobemarker: 403 while
// PodProbeMarkerGate or KruiseDaemon is off, 400 with the field errors), and its part of the pod
// mutating webhook: the serverless protocol's probe annotations at CREATE, with gate
// EnablePodProbeMarkerOnServerless. Markers come from the manager's informer cache.
import type { V1Pod } from '@kubernetes/client-node';
import { aggregateMessage } from '../api/field-errors.ts';
import type { PodProbeMarker } from '../api/podprobemarker.ts';
import { validatePodProbeMarker } from '../api/podprobemarker-validation.ts';
import { podWithProbeAnnotations } from '../controllers/podprobemarker/serverless.ts';
import { type AdmissionRequest, allow, deny, type Verdict } from './admission.ts';

export interface PodProbeMarkerAdmissionDeps {
  /** The cached markers of a namespace. */
  markers(namespace: string): PodProbeMarker[];
  /** Resolves once the cache has listed. */
  synced(): Promise<void>;
}

type Enabled = { enabled(name: 'PodProbeMarkerGate' | 'KruiseDaemon' | 'EnablePodProbeMarkerOnServerless'): boolean };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export async function validatePodProbeMarkerRequest(req: AdmissionRequest, gates: Enabled): Promise<Verdict> {
  if (req.operation !== 'CREATE' && req.operation !== 'UPDATE') return allow();
  if (!isObject(req.object)) return deny(400, 'request has no PodProbeMarker object');
  for (const gate of ['PodProbeMarkerGate', 'KruiseDaemon'] as const) if (!gates.enabled(gate)) return deny(403, `feature-gate ${gate} is not enabled`);
  const old = req.operation === 'UPDATE' ? req.oldObject : undefined;
  if (req.operation === 'UPDATE' && !isObject(old)) return deny(400, 'update request has no old PodProbeMarker object');
  const errors = validatePodProbeMarker(req.object as PodProbeMarker, old as PodProbeMarker | undefined);
  return errors.length ? deny(400, aggregateMessage(errors)) : allow();
}

/** The pod with the serverless probe annotations; undefined when none applies (or not a CREATE). Markers in name order. */
export async function annotateProbesAtCreate(req: AdmissionRequest, pod: V1Pod, deps: PodProbeMarkerAdmissionDeps): Promise<V1Pod | undefined> {
  if (req.operation !== 'CREATE' || req.subResource) return undefined;
  await deps.synced();
  const namespace = pod.metadata?.namespace || req.namespace || 'default';
  const markers = [...deps.markers(namespace)].sort((a, b) => ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1));
  const annotated = podWithProbeAnnotations({ ...pod, metadata: { ...pod.metadata, namespace } }, markers);
  if (!annotated) return undefined;
  // Keep the namespace as the request had it: the patch must not add one.
  return { ...annotated, metadata: { ...annotated.metadata, namespace: pod.metadata?.namespace } };
}
