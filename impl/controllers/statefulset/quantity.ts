// Kubernetes resource quantities ("10Gi", "500m", "1.5", "2e3"), compared exactly. Only what the
// planners need: parse to an exact rational and compare. Formatting is never needed because the
// controller copies the template's own strings.

/** An exact non-negative or negative rational: num / den with den > 0. */
export interface Quantity {
  readonly num: bigint;
  readonly den: bigint;
}

const BINARY: Readonly<Record<string, bigint>> = {
  Ki: 2n ** 10n, Mi: 2n ** 20n, Gi: 2n ** 30n, Ti: 2n ** 40n, Pi: 2n ** 50n, Ei: 2n ** 60n,
};
const DECIMAL_EXP: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

const QUANTITY = /^([+-]?)([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:([eE][+-]?[0-9]+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]))?$/;

/** Parse a quantity string; undefined when it is not valid Kubernetes quantity syntax. */
export function parseQuantity(s: string): Quantity | undefined {
  const m = QUANTITY.exec(s.trim());
  if (!m) return undefined;
  const [, sign, number, exponent, suffix] = m as unknown as [string, string, string, string | undefined, string | undefined];
  const [whole, fraction = ''] = number.split('.');
  let num = BigInt(`${whole || '0'}${fraction}`);
  let den = 10n ** BigInt(fraction.length);
  if (sign === '-') num = -num;
  let exp10 = 0;
  if (exponent !== undefined) exp10 = Number(exponent.slice(1));
  else if (suffix !== undefined && suffix in BINARY) num *= BINARY[suffix] as bigint;
  else exp10 = DECIMAL_EXP[suffix ?? ''] ?? 0;
  if (Math.abs(exp10) > 400) return undefined;
  if (exp10 > 0) num *= 10n ** BigInt(exp10);
  if (exp10 < 0) den *= 10n ** BigInt(-exp10);
  return { num, den };
}

/** Parse, treating undefined as zero (Go's ResourceList.Storage() of a missing key) and garbage as zero. */
export function quantityOrZero(s: string | undefined): Quantity {
  return (s === undefined ? undefined : parseQuantity(s)) ?? { num: 0n, den: 1n };
}

/** Quantity.Cmp: -1, 0 or 1. */
export function compareQuantity(a: Quantity, b: Quantity): -1 | 0 | 1 {
  const l = a.num * b.den;
  const r = b.num * a.den;
  return l < r ? -1 : l > r ? 1 : 0;
}

/** Compare two quantity strings; a missing value is zero. */
export function compareQuantityStrings(a: string | undefined, b: string | undefined): -1 | 0 | 1 {
  return compareQuantity(quantityOrZero(a), quantityOrZero(b));
}

export function isZeroQuantity(s: string | undefined): boolean {
  return quantityOrZero(s).num === 0n;
}
