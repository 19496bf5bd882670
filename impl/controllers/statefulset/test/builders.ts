// Test builders with named options (no positional booleans).
import { claimName, ordinalOf } from '../ordinals.ts';
import type { ClaimLookup } from '../pvc.ts';
import type { ClaimTemplateView, ClaimView, PodView, StatefulSetGates, StatefulSetSpecView } from '../types.ts';
import { DEFAULT_GATES } from '../types.ts';

export const SET = 'web';
export const SET_UID = 'uid-web';
export const OLD = 'web-6f7d8b9c5';
export const NEW = 'web-84c9d7f6b';
/** A fixed clock: 2025-01-01T00:00:00Z. */
export const T0 = Date.UTC(2025, 0, 1);

export interface PodOptions extends Partial<Omit<PodView, 'name' | 'ordinal'>> {
  readonly set?: string;
}

/** A Running, Ready, Normal pod web-<ordinal> at OLD, ready since T0 - 1h, identity intact. */
export function pod(ordinal: number, o: PodOptions = {}): PodView {
  const { set = SET, ...rest } = o;
  const name = `${set}-${ordinal}`;
  const ready = o.ready ?? true;
  return {
    uid: `uid-${name}`,
    revision: OLD,
    phase: 'Running',
    readySince: ready ? T0 - 3_600_000 : undefined,
    terminating: false,
    lifecycleState: 'Normal',
    identityMatches: true,
    storageMatches: true,
    labels: {},
    ...rest,
    name,
    ordinal: ordinalOf(name),
    ready,
  };
}

export const notReady = (ordinal: number, o: PodOptions = {}): PodView => pod(ordinal, { ...o, ready: false });
export const pending = (ordinal: number, o: PodOptions = {}): PodView => pod(ordinal, { ...o, phase: 'Pending', ready: false });

/** Pods at the given ordinals, built from the same options. */
export function pods(ordinals: readonly number[], o: PodOptions = {}): PodView[] {
  return ordinals.map((i) => pod(i, o));
}

export function spec(replicas: number, o: Partial<StatefulSetSpecView> = {}): StatefulSetSpecView {
  return {
    replicas,
    podManagementPolicy: 'OrderedReady',
    updateStrategyType: 'RollingUpdate',
    rollingUpdate: { partition: 0, maxUnavailable: 1, podUpdatePolicy: 'ReCreate' },
    volumeClaimTemplates: [],
    ...o,
  };
}

export const gates = (o: Partial<StatefulSetGates> = {}): StatefulSetGates => ({ ...DEFAULT_GATES, ...o });

export function template(o: Partial<ClaimTemplateView> = {}): ClaimTemplateView {
  return { name: 'data', accessModes: ['ReadWriteOnce'], requestStorage: '1Gi', storageClassName: 'expandable', ...o };
}

export interface ClaimOptions extends Partial<Omit<ClaimView, 'name'>> {
  readonly template?: string;
  readonly set?: string;
}

/** A bound PVC <template>-web-<ordinal> of 1Gi on `expandable` with matching capacity. */
export function claim(ordinal: number, o: ClaimOptions = {}): ClaimView {
  const { template: t = 'data', set = SET, ...rest } = o;
  const requestStorage = o.requestStorage ?? '1Gi';
  return {
    storageClassName: 'expandable',
    accessModes: ['ReadWriteOnce'],
    requestStorage,
    capacityStorage: requestStorage,
    ...rest,
    name: claimName(t, set, ordinal),
  };
}

export function lookup(claims: readonly ClaimView[]): ClaimLookup {
  const byName = new Map(claims.map((c) => [c.name, c]));
  return (name) => byName.get(name);
}

/** allowVolumeExpansion: expandable true, fixed false, unset null. */
export const STORAGE_CLASSES: ReadonlyMap<string, boolean | null> = new Map([
  ['expandable', true],
  ['fixed', false],
  ['unset', null],
]);
