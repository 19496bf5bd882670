// Whether a pod's sidecars are consistent, ready and upgradable for a SidecarSet (OpenKruise
// pkg/control/sidecarcontrol/sidecarset_control.go: IsPodStateConsistent, IsPodReady,
// IsSidecarSetUpgradable, IsSidecarContainerUpdateCompleted). Pure.
import type { V1Pod } from '@kubernetes/client-node';
import { ANNOTATION_SIDECARSET_INPLACE_STATE, type SidecarSet } from '../../api/sidecarset.ts';
import { containerIn, hotContainersOf, inPlaceStates, isHotUpgrade, podSidecarHashWithoutImage, sidecarContainerNames, sidecarSetHashWithoutImage } from './pod-records.ts';

export const isRunningAndReady = (pod: V1Pod): boolean =>
  pod.status?.phase === 'Running' && (pod.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

const digestOf = (image: string): string | undefined => (image.includes('@') ? image.slice(image.indexOf('@') + 1) : undefined);

/**
 * Since the last in-place upgrade by any of `sets`, every listed container whose spec image differs
 * from its status image has a new imageID (a kubelet restarted it). No recorded state = complete.
 */
export function sidecarUpdateCompleted(pod: V1Pod, sets: readonly string[], containers: ReadonlySet<string>): boolean {
  const raw = pod.metadata?.annotations?.[ANNOTATION_SIDECARSET_INPLACE_STATE];
  if (raw === undefined) return true;
  try {
    JSON.parse(raw);
  } catch {
    return false;
  }
  const states = inPlaceStates(pod);
  const last: Record<string, string> = {};
  for (const s of sets) for (const [c, st] of Object.entries(states[s]?.lastContainerStatuses ?? {})) last[c] = st.imageID;
  for (const cs of pod.status?.containerStatuses ?? []) {
    if (!containers.has(cs.name) || !(cs.name in last)) continue;
    if (last[cs.name] === cs.imageID && containerIn(pod, cs.name)?.image !== cs.image) return false;
  }
  return true;
}

/** The listed sidecar containers (default: all of the SidecarSet's) run what their spec says. */
export function isPodStateConsistent(s: SidecarSet, pod: V1Pod, only?: ReadonlySet<string>): boolean {
  if ((pod.spec?.containers.length ?? 0) !== (pod.status?.containerStatuses?.length ?? 0)) return false;
  const names = only && only.size ? only : sidecarContainerNames(s);
  const imageIDs = new Map((pod.status?.containerStatuses ?? []).map((c) => [c.name, c.imageID]));
  let allDigest = true;
  for (const c of pod.spec?.containers ?? []) {
    if (!names.has(c.name)) continue;
    const digest = digestOf(c.image ?? '');
    if (!digest) {
      allDigest = false;
      break;
    }
    const id = imageIDs.get(c.name);
    if (id === undefined || !id.endsWith(digest)) return false;
  }
  if (allDigest) return true;
  return sidecarUpdateCompleted(pod, [s.metadata?.name ?? ''], names);
}

/** Running and Ready, and every idle hot-upgrade container runs the empty image. */
export function isPodReadyForSidecarSet(s: SidecarSet, pod: V1Pod): boolean {
  for (const c of s.spec?.containers ?? []) {
    if (!isHotUpgrade(c)) continue;
    const empty = c.upgradeStrategy?.hotUpgradeEmptyImage ?? '';
    const [, idle] = hotContainersOf(c.name, pod);
    if (empty && containerIn(pod, idle)?.image !== empty) return false;
  }
  return isRunningAndReady(pod);
}

/**
 * canUpgrade: only the images changed since the pod's injection (equal hash without image).
 * consistent: no sidecar is ready yet still finishing an earlier upgrade.
 */
export function sidecarSetUpgradable(s: SidecarSet, pod: V1Pod): { canUpgrade: boolean; consistent: boolean } {
  if (podSidecarHashWithoutImage(pod, s.metadata?.name ?? '') !== sidecarSetHashWithoutImage(s)) return { canUpgrade: false, consistent: false };
  const ready = new Map((pod.status?.containerStatuses ?? []).map((c) => [c.name, c.ready]));
  for (const name of [...sidecarContainerNames(s)].sort()) {
    if (ready.get(name) && !isPodStateConsistent(s, pod, new Set([name]))) return { canUpgrade: true, consistent: false };
  }
  return { canUpgrade: true, consistent: true };
}
