// Test builders with named options (no positional booleans).
import type { CloneSetSpecView, LifecycleState, PodView } from '../types.ts';

export const OLD = 'demo-6f7d8b9c5';
export const NEW = 'demo-84c9d7f6b';
/** A fixed clock: 2025-01-01T00:00:00Z. */
export const T0 = Date.UTC(2025, 0, 1);

export interface PodOptions extends Partial<Omit<PodView, 'lifecycleState'>> {
  /** null: no lifecycle label at all. Default Normal. */
  readonly lifecycleState?: LifecycleState | null;
  /** Extra labels, merged over the revision / hash / instance-id labels. */
  readonly extraLabels?: Readonly<Record<string, string>>;
}

let seq = 0;

/** A Running, Ready, Normal pod at OLD, ready since T0 - 1h, on its own node. */
export function pod(o: PodOptions = {}): PodView {
  seq++;
  const name = o.name ?? `demo-p${seq}`;
  const revision = o.revision ?? OLD;
  const instanceId = o.instanceId ?? name.replace(/^demo-/, '');
  const { lifecycleState, extraLabels, ...rest } = o;
  const state = lifecycleState === null ? undefined : (lifecycleState ?? 'Normal');
  const ready = o.ready ?? true;
  return {
    phase: 'Running',
    nodeName: `node-${instanceId}`,
    readySince: ready ? T0 - 3_600_000 : undefined,
    creationTime: T0 - 7_200_000,
    inPlaceUpdateReady: true,
    ...rest,
    name,
    revision,
    instanceId,
    ready,
    ...(state !== undefined && { lifecycleState: state }),
    labels: {
      'controller-revision-hash': revision,
      'pod-template-hash': revision.slice(revision.lastIndexOf('-') + 1),
      'apps.kruise.io/cloneset-instance-id': instanceId,
      ...o.labels,
      ...extraLabels,
    },
  };
}

/** n pods built from the same options (names get a running suffix). */
export function pods(n: number, o: PodOptions = {}): PodView[] {
  return Array.from({ length: n }, () => pod(o));
}

/** A not-ready pod (Running, Ready=False). */
export function notReady(o: PodOptions = {}): PodView {
  return pod({ ...o, ready: false });
}

export function cloneSet(replicas: number, strategy: CloneSetSpecView['updateStrategy'] = {}, rest: Partial<CloneSetSpecView> = {}): CloneSetSpecView {
  return { replicas, updateStrategy: strategy, ...rest };
}
