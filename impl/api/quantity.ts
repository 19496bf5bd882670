// Exact comparison of Kubernetes resource quantities ("1Gi" == "1024Mi"), for the VCT resize rule.

const BINARY_SHIFT: Readonly<Record<string, bigint>> = { Ki: 10n, Mi: 20n, Gi: 30n, Ti: 40n, Pi: 50n, Ei: 60n };
const DECIMAL_POWER: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const SYNTAX = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

/** A quantity as the fraction numerator / 10^scale. */
interface Exact {
  numerator: bigint;
  scale: number;
}

function parse(s: string): Exact | undefined {
  const m = SYNTAX.exec(s.trim());
  if (!m) return undefined;
  const sign = m[1] === '-' ? -1n : 1n;
  const [intPart = '', fracPart = ''] = (m[2] as string).split('.');
  let numerator = sign * BigInt(`${intPart}${fracPart}` || '0');
  let scale = fracPart.length;
  const suffix = m[3] ?? '';
  if (suffix in BINARY_SHIFT) numerator <<= BINARY_SHIFT[suffix] as bigint;
  else if (suffix in DECIMAL_POWER) scale -= DECIMAL_POWER[suffix] as number;
  else if (suffix) scale -= Number(suffix.slice(1));
  if (Math.abs(scale) > 1000) return undefined;
  return { numerator, scale };
}

/** True when s is valid quantity syntax. */
export function isQuantity(s: string): boolean {
  return parse(s) !== undefined;
}

/** Sign of a − b. Missing or unparsable values count as zero, like Go's ResourceList.Storage() on a missing key. */
export function compareQuantities(a: string | undefined, b: string | undefined): number {
  const x = (a === undefined ? undefined : parse(a)) ?? { numerator: 0n, scale: 0 };
  const y = (b === undefined ? undefined : parse(b)) ?? { numerator: 0n, scale: 0 };
  const scale = Math.max(x.scale, y.scale);
  const xs = x.numerator * 10n ** BigInt(scale - x.scale);
  const ys = y.numerator * 10n ** BigInt(scale - y.scale);
  return xs === ys ? 0 : xs < ys ? -1 : 1;
}
