// What a SidecarSet records on a pod and reads back (OpenKruise pkg/control/sidecarcontrol):
// the per-SidecarSet hash entries, the injected-list, the working hot-upgrade containers and the
// in-place upgrade state; and which pods a SidecarSet reaches. Pure.
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import {
  ANNOTATION_SIDECARSET_HASH,
  ANNOTATION_SIDECARSET_HASH_WITHOUT_IMAGE,
  ANNOTATION_SIDECARSET_INJECTED_LIST,
  ANNOTATION_SIDECARSET_INPLACE_STATE,
  ANNOTATION_WORKING_HOT_CONTAINER,
  ENV_IS_INJECTED,
  type SidecarContainer,
  type SidecarSet,
} from '../../api/sidecarset.ts';
import { labelSelectorAsPredicate } from '../../api/validation-common.ts';

/** One entry of the pod's kruise.io/sidecarset-hash (or -without-image) map. */
export interface PodHashEntry {
  updateTimestamp: string;
  hash: string;
  sidecarSetName: string;
  sidecarList: string[];
  controllerRevision?: string;
}

/** Per SidecarSet, the image IDs of the containers it changed, recorded before the change. */
export interface SidecarInPlaceState {
  revision: string;
  updateTimestamp: string;
  lastContainerStatuses: Record<string, { imageID: string }>;
}

function parseMap<T>(raw: string | undefined): Record<string, T> {
  if (!raw) return {};
  try {
    const v = JSON.parse(raw) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, T>) : {};
  } catch {
    return {};
  }
}

const annotations = (pod: V1Pod): Record<string, string> => pod.metadata?.annotations ?? {};

/** The hash map of `key`; entries written by pre-1.0 kruise as bare strings read as hashes. */
export function podHashes(pod: V1Pod, key = ANNOTATION_SIDECARSET_HASH): Record<string, PodHashEntry> {
  const raw = parseMap<PodHashEntry | string>(annotations(pod)[key]);
  const out: Record<string, PodHashEntry> = {};
  for (const [k, v] of Object.entries(raw)) out[k] = typeof v === 'string' ? { hash: v, sidecarSetName: k, sidecarList: [], updateTimestamp: '' } : v;
  return out;
}

export const sidecarSetHash = (s: SidecarSet): string => s.metadata?.annotations?.[ANNOTATION_SIDECARSET_HASH] ?? '';
export const sidecarSetHashWithoutImage = (s: SidecarSet): string => s.metadata?.annotations?.[ANNOTATION_SIDECARSET_HASH_WITHOUT_IMAGE] ?? '';
export const podSidecarHash = (pod: V1Pod, name: string): string => podHashes(pod)[name]?.hash ?? '';
export const podSidecarHashWithoutImage = (pod: V1Pod, name: string): string => podHashes(pod, ANNOTATION_SIDECARSET_HASH_WITHOUT_IMAGE)[name]?.hash ?? '';
export const podControllerRevision = (pod: V1Pod, name: string): string => podHashes(pod)[name]?.controllerRevision ?? '';

/** The pod runs the SidecarSet's latest sidecar hash. */
export const isPodSidecarUpdated = (s: SidecarSet, pod: V1Pod): boolean => sidecarSetHash(s) === podSidecarHash(pod, s.metadata?.name ?? '');

export function injectedList(pod: V1Pod): string[] {
  const raw = annotations(pod)[ANNOTATION_SIDECARSET_INJECTED_LIST] ?? '';
  return raw ? raw.split(',') : [];
}

export const workingHotContainers = (pod: V1Pod): Record<string, string> => parseMap<string>(annotations(pod)[ANNOTATION_WORKING_HOT_CONTAINER]);
export const inPlaceStates = (pod: V1Pod): Record<string, SidecarInPlaceState> => parseMap<SidecarInPlaceState>(annotations(pod)[ANNOTATION_SIDECARSET_INPLACE_STATE]);

export const isHotUpgrade = (c: SidecarContainer): boolean => c.upgradeStrategy?.upgradeType === 'HotUpgrade';
export const hotNames = (name: string): [string, string] => [`${name}-1`, `${name}-2`];

/** [working, other] hot-upgrade container of a sidecar: `<name>-1` only when the annotation says so. */
export function hotContainersOf(sidecar: string, pod: V1Pod): [string, string] {
  const [one, two] = hotNames(sidecar);
  return workingHotContainers(pod)[sidecar] === one ? [one, two] : [two, one];
}

/** Names of the pod containers a SidecarSet's sidecars occupy. */
export function sidecarContainerNames(s: SidecarSet): Set<string> {
  const names = new Set<string>();
  for (const c of s.spec?.containers ?? []) for (const n of isHotUpgrade(c) ? hotNames(c.name) : [c.name]) names.add(n);
  return names;
}

export const containerIn = (pod: V1Pod, name: string): V1Container | undefined => pod.spec?.containers.find((c) => c.name === name);
export const isInjectedContainer = (c: V1Container): boolean => c.env?.some((e) => e.name === ENV_IS_INJECTED && e.value === 'true') ?? false;

/** kube's IsPodActive: not terminating and not finished. */
export const isActivePod = (pod: V1Pod): boolean => !pod.metadata?.deletionTimestamp && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';

/** Labels of a namespace from the caller's cache; undefined when unknown. */
export type NamespaceLabels = (name: string) => Record<string, string> | undefined;

/** PodMatchedSidecarSet: namespace, namespaceSelector and a non-empty selector that matches. */
export function podMatchesSidecarSet(pod: V1Pod, s: SidecarSet, nsLabels: NamespaceLabels): boolean {
  const ns = pod.metadata?.namespace || 'default';
  const spec = s.spec ?? {};
  if (spec.namespace && spec.namespace !== ns) return false;
  if (spec.namespaceSelector) {
    const labels = nsLabels(ns);
    const sel = labelSelectorAsPredicate(spec.namespaceSelector);
    if (!labels || !sel.ok || !sel.matches(labels)) return false;
  }
  const sel = labelSelectorAsPredicate(spec.selector);
  return sel.ok && !sel.empty && sel.matches(pod.metadata?.labels ?? {});
}

/** The pod lists the SidecarSet as injected and has every one of its containers. */
export function isPodConsistentWithSidecarSet(pod: V1Pod, s: SidecarSet): boolean {
  for (const c of s.spec?.containers ?? []) {
    if (isHotUpgrade(c)) {
      const [one, two] = hotNames(c.name);
      if (!(c.name in workingHotContainers(pod)) || !containerIn(pod, one) || !containerIn(pod, two)) return false;
    } else if (!containerIn(pod, c.name)) return false;
  }
  return true;
}
