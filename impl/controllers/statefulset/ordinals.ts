// Pod identity by ordinal (spec §3.4-3.5): pod and PVC names, the ordinal range that
// spec.replicas, spec.ordinals.start and spec.reserveOrdinals describe, and the split of the
// owned pods into slots (in range) and condemned pods (out of range or reserved).
import { parseGoInt } from '../shared/intstr.ts';
import type { IntOrString, PodView, StatefulSetGates, StatefulSetSpecView } from './types.ts';

const MAX_INT32 = 2 ** 31 - 1;

/** The trailing ordinal of a pod name ("web-12" -> 12); -1 without one or beyond int32 (Go's ParseInt(.., 32)). */
export function ordinalOf(podName: string): number {
  const m = /^(.*)-([0-9]+)$/.exec(podName);
  if (!m) return -1;
  const n = Number(m[2]);
  return Number.isSafeInteger(n) && n <= MAX_INT32 ? n : -1;
}

/** The parent name of a pod name ("web-12" -> "web"); '' without an ordinal. */
export function parentOf(podName: string): string {
  const m = /^(.*)-([0-9]+)$/.exec(podName);
  return m ? (m[1] as string) : '';
}

export function podName(setName: string, ordinal: number): string {
  return `${setName}-${ordinal}`;
}

export function claimName(templateName: string, setName: string, ordinal: number): string {
  return `${templateName}-${setName}-${ordinal}`;
}

/** "a-b" -> [a, b] as Go's ParseRange: exactly one '-', two Atoi-valid ints, a <= b. */
export function parseOrdinalRange(s: string): [number, number] | undefined {
  const parts = s.split('-');
  if (parts.length !== 2) return undefined;
  const start = parseGoInt(parts[0] as string);
  const end = parseGoInt(parts[1] as string);
  if (start === undefined || end === undefined || start > end) return undefined;
  return [start, end];
}

/**
 * The set of reserved ordinals (GetReserveOrdinalIntSet). One invalid string item makes the whole
 * set empty, as kruise does (it logs and returns nil); the webhook rejects such items anyway.
 */
export function reservedOrdinals(items: readonly IntOrString[] | undefined): ReadonlySet<number> {
  const out = new Set<number>();
  for (const item of items ?? []) {
    if (typeof item === 'number') {
      out.add(item);
      continue;
    }
    const range = parseOrdinalRange(item);
    if (!range) return new Set();
    // Bound the loop: a huge range is legal but only its ordinals near the replicas matter.
    for (let i = range[0]; i <= range[1] && i - range[0] <= 1_000_000; i++) out.add(i);
  }
  return out;
}

export interface OrdinalRange {
  /** First ordinal (inclusive): ordinals.start with the gate on, else 0. */
  readonly start: number;
  /** First ordinal after the last slot (exclusive). */
  readonly end: number;
  readonly reserved: ReadonlySet<number>;
}

export function startOrdinal(spec: Pick<StatefulSetSpecView, 'ordinalsStart'>, gates: Pick<StatefulSetGates, 'startOrdinal'>): number {
  return gates.startOrdinal ? (spec.ordinalsStart ?? 0) : 0;
}

/**
 * getStatefulSetReplicasRange: walk up from the start ordinal, skipping reserved ordinals, until
 * `replicas` slots are found. replicas 4, reserve [1,3], start 2 -> slots 2,4,5,6, end 7.
 */
export function replicasRange(
  spec: Pick<StatefulSetSpecView, 'replicas' | 'reserveOrdinals' | 'ordinalsStart'>,
  gates: Pick<StatefulSetGates, 'startOrdinal'>,
): OrdinalRange {
  const reserved = reservedOrdinals(spec.reserveOrdinals);
  const start = startOrdinal(spec, gates);
  let end = start;
  for (let found = 0; found < spec.replicas; end++) {
    if (!reserved.has(end)) found++;
  }
  return { start, end, reserved };
}

/** The ordinals that hold a replica, ascending. */
export function slotOrdinals(range: OrdinalRange): number[] {
  const out: number[] = [];
  for (let o = range.start; o < range.end; o++) if (!range.reserved.has(o)) out.push(o);
  return out;
}

export function inRange(ordinal: number, range: OrdinalRange): boolean {
  return ordinal >= range.start && ordinal < range.end && !range.reserved.has(ordinal);
}

export interface PodSlots<P extends Pick<PodView, 'ordinal'>> {
  /** Index = ordinal - start; undefined for empty and reserved slots. */
  readonly slots: readonly (P | undefined)[];
  /** Pods outside the range or on reserved ordinals, highest ordinal first. */
  readonly condemned: readonly P[];
}

/** Split pods into slots and condemned ones; pods without an ordinal are ignored. */
export function splitPods<P extends Pick<PodView, 'ordinal'>>(pods: readonly P[], range: OrdinalRange): PodSlots<P> {
  const slots: (P | undefined)[] = Array.from({ length: range.end - range.start }, () => undefined);
  const condemned: P[] = [];
  for (const pod of pods) {
    if (inRange(pod.ordinal, range)) slots[pod.ordinal - range.start] = pod;
    else if (pod.ordinal >= 0) condemned.push(pod);
  }
  condemned.sort((a, b) => b.ordinal - a.ordinal);
  return { slots, condemned };
}
