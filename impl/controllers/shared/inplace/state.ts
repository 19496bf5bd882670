// The two annotations an in-place update leaves on a pod: apps.kruise.io/inplace-update-state
// (what was updated, when, and the imageIDs it started from) and apps.kruise.io/inplace-update-grace
// (an update parked for inPlaceUpdateStrategy.gracePeriodSeconds). Reading and writing them; pure.
import type { V1Pod } from '@kubernetes/client-node';
import { ANNOTATION_INPLACE_UPDATE_GRACE, ANNOTATION_INPLACE_UPDATE_STATE } from '../../../api/constants.ts';
import type { ResourceChange } from './diff.ts';
import { isJsonObject } from './json-diff.ts';

/** apps.kruise.io/inplace-update-state (apis/apps/pub InPlaceUpdateState; the fields used here). */
export interface InPlaceUpdateState {
  revision: string;
  updateTimestamp: string;
  lastContainerStatuses?: Record<string, { imageID: string }>;
  updateImages?: boolean;
  updateResources?: boolean;
  updateEnvFromMetadata?: boolean;
  nextContainerImages?: Record<string, string>;
  nextContainerRefMetadata?: Record<string, unknown>;
  nextContainerResources?: Record<string, unknown>;
  containerBatchesRecord?: { timestamp: string; containers: string[] }[];
}

/** The state annotation; undefined when absent, empty, or not a JSON object (kruise cannot unmarshal it either). */
export function readInPlaceState(pod: V1Pod): InPlaceUpdateState | undefined {
  const parsed = parseAnnotation(pod, ANNOTATION_INPLACE_UPDATE_STATE);
  return isJsonObject(parsed) ? (parsed as unknown as InPlaceUpdateState) : undefined;
}

/** The update parked in apps.kruise.io/inplace-update-grace (the parts of kruise's UpdateSpec used here). */
export interface GraceSpec {
  /** The revision it was parked for; older annotations written here lack it. */
  readonly revision?: string;
  readonly containerImages: Readonly<Record<string, string>>;
  readonly containerResources: Readonly<Record<string, ResourceChange>>;
  readonly graceSeconds: number;
}

/** The grace annotation; undefined when absent, empty or unparsable. */
export function readGraceSpec(pod: V1Pod): GraceSpec | undefined {
  const parsed = parseAnnotation(pod, ANNOTATION_INPLACE_UPDATE_GRACE);
  if (parsed === undefined || parsed === null) return undefined;
  // Any other JSON value reads as an empty update, so finishing it just drops the annotation.
  const o = (isJsonObject(parsed) ? parsed : {}) as Partial<GraceSpec>;
  return {
    ...(typeof o.revision === 'string' && { revision: o.revision }),
    containerImages: o.containerImages ?? {},
    containerResources: o.containerResources ?? {},
    graceSeconds: o.graceSeconds ?? 0,
  };
}

/** The grace annotation is present and non-empty: the update is not applied yet. */
export const inGracePeriod = (pod: V1Pod): boolean => (pod.metadata?.annotations?.[ANNOTATION_INPLACE_UPDATE_GRACE] ?? '') !== '';

function parseAnnotation(pod: V1Pod, key: string): unknown {
  const raw = pod.metadata?.annotations?.[key];
  if (raw === undefined || raw === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

/** RFC 3339 with whole seconds, as Go's metav1.Time marshals. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
