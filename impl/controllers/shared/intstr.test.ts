import { describe, expect, it } from 'vitest';
import {
  calculatePartitionReplicas,
  goFloatToInt,
  kruiseScaledValueFromIntOrPercent,
  parseGoFloat,
  parseGoInt,
  scaledValueFromIntOrPercent,
  valueFromIntOrPercent,
  type IntOrString,
} from './intstr.ts';

const value = (r: { ok: boolean; value?: number }) => (r.ok ? r.value : 'error');

describe('parseGoInt (strconv.Atoi)', () => {
  it.each<[string, number | undefined]>([
    ['0', 0], ['42', 42], ['+7', 7], ['-3', -3], ['007', 7], ['9223372036854775807', 9223372036854775807],
    ['9223372036854775808', undefined], ['', undefined], [' 1', undefined], ['1 ', undefined], ['1.5', undefined],
    ['1e3', undefined], ['0x10', undefined], ['1_000', undefined], ['+', undefined], ['--1', undefined],
  ])('%j -> %j', (s, want) => expect(parseGoInt(s)).toBe(want));
});

describe('parseGoFloat (strconv.ParseFloat)', () => {
  it.each<[string, number | undefined]>([
    ['12.5', 12.5], ['1.', 1], ['.5', 0.5], ['-2', -2], ['+2', 2], ['1e2', 100], ['1E-2', 0.01], ['Inf', Infinity],
    ['-inf', -Infinity], ['+Infinity', Infinity], ['1e400', undefined], ['', undefined], ['.', undefined], ['1.2.3', undefined],
    ['abc', undefined], ['+nan', undefined], [' 1', undefined],
  ])('%j -> %j', (s, want) => expect(parseGoFloat(s)).toBe(want));

  it('accepts NaN case-insensitively', () => expect(parseGoFloat('nAn')).toBeNaN());
});

describe('goFloatToInt (amd64 semantics)', () => {
  it.each<[number, number]>([
    [2.9, 2], [-2.9, -2], [0, 0], [Number.NaN, -(2 ** 63)], [Infinity, -(2 ** 63)], [-Infinity, -(2 ** 63)], [2 ** 63, -(2 ** 63)],
  ])('%d -> %d', (x, want) => expect(goFloatToInt(x)).toBe(want));
});

describe('valueFromIntOrPercent (k8s legacy: every string is a percent)', () => {
  it.each<[IntOrString | undefined, number, boolean, number | 'error']>([
    [3, 10, true, 3],
    [0, 10, true, 0],
    [-2, 10, true, -2],
    ['20%', 5, true, 1],
    ['20%', 3, true, 1], // ceil(0.6)
    ['20%', 3, false, 0], // floor(0.6)
    ['50%', 5, true, 3], // ceil(2.5)
    ['50%', 5, false, 2],
    ['100%', 7, false, 7],
    ['0%', 7, true, 0],
    ['20%', 0, true, 0], // percent of 0 replicas
    ['150%', 4, true, 6],
    ['5', 100, true, 5], // no '%' still means percent
    ['5', 10, true, 1],
    ['%5', 100, true, 5], // every '%' is stripped
    ['5%%', 100, true, 5],
    ['-10%', 10, true, -1],
    ['12.5%', 8, true, 'error'], // integer percents only
    ['abc', 10, true, 'error'],
    ['', 10, true, 'error'],
    [undefined, 10, true, 'error'],
    [1.5, 10, true, 'error'],
  ])('%j of %d (roundUp %s) -> %j', (v, total, up, want) => expect(value(valueFromIntOrPercent(v, total, up))).toBe(want));
});

describe('scaledValueFromIntOrPercent (k8s strict)', () => {
  it.each<[IntOrString, number, boolean, number | 'error']>([
    [4, 10, true, 4],
    ['25%', 10, true, 3],
    ['25%', 10, false, 2],
    ['5', 10, true, 'error'], // a string must be a percent
    ['12.5%', 8, true, 'error'],
    ['%5', 10, true, 'error'],
  ])('%j of %d (roundUp %s) -> %j', (v, total, up, want) => expect(value(scaledValueFromIntOrPercent(v, total, up))).toBe(want));
});

describe('kruiseScaledValueFromIntOrPercent (kruise: float percents)', () => {
  it.each<[IntOrString, number, boolean, number | 'error']>([
    [4, 10, true, 4],
    ['12.5%', 8, true, 1],
    ['12.5%', 10, true, 2], // ceil(1.25)
    ['12.5%', 10, false, 1],
    ['99%', 4, true, 4], // ceil(3.96)
    ['0.1%', 10, true, 1],
    ['1e1%', 10, true, 1],
    ['5', 10, true, 'error'],
    ['5%%', 10, true, 'error'], // only one trailing '%' is removed
    ['x%', 10, true, 'error'],
  ])('%j of %d (roundUp %s) -> %j', (v, total, up, want) => expect(value(kruiseScaledValueFromIntOrPercent(v, total, up))).toBe(want));
});

describe('calculatePartitionReplicas', () => {
  it.each<[string, IntOrString | undefined, number | undefined, number | 'error']>([
    ['unset partition is 0', undefined, 5, 0],
    ['int partition as is', 3, 5, 3],
    ['int partition above replicas is clamped', 10, 4, 4],
    ['negative int partition is clamped to 0', -1, 4, 0],
    ['int partition equal to replicas keeps everything', 4, 4, 4],
    ['"0%" updates everything', '0%', 4, 0],
    ['"1%" of 4 rounds up to keep one old pod', '1%', 4, 1],
    ['"50%" of 3 rounds up', '50%', 3, 2],
    ['"99%" of 4 keeps 3 so one pod updates', '99%', 4, 3],
    ['"100%" of 4 keeps all', '100%', 4, 4],
    ['"100.0%" is not the literal "100%": one pod updates', '100.0%', 4, 3],
    ['"150%" of 4 is clamped to 4 (not equal before clamping)', '150%', 4, 4],
    ['"99%" of 1 keeps the only pod', '99%', 1, 1],
    ['"50%" of 0 replicas is 0', '50%', 0, 0],
    ['"12.5%" of 8 is 1', '12.5%', 8, 1],
    ['unset replicas count as 1', '50%', undefined, 1],
    ['"inf%" becomes MinInt64 and clamps to 0 (amd64)', 'inf%', 4, 0],
    ['non-percent string is an error', '50', 4, 'error'],
    ['garbage is an error', 'abc%', 4, 'error'],
  ])('%s', (_name, partition, replicas, want) => expect(value(calculatePartitionReplicas(partition, replicas))).toBe(want));
});
