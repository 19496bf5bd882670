// IntOrString scaling, in the three dialects OpenKruise 1.8 mixes:
//  - valueFromIntOrPercent: k8s' deprecated GetValueFromIntOrPercent. Every string is a percent
//    (all '%' are stripped, the rest must be an integer), so "5" means 5%. CloneSet uses it for
//    maxSurge / maxUnavailable / scaleStrategy.maxUnavailable.
//  - scaledValueFromIntOrPercent: k8s' GetScaledValueFromIntOrPercent: "<int>%" only.
//  - kruiseScaledValueFromIntOrPercent: kruise's own helper: "<float>%" (so "12.5%" works); used
//    for CloneSet and SidecarSet partition.
// All three compute ceil/floor(v * total / 100) in float64, exactly like Go.

/** A spec value that is either an integer or a string such as "20%". */
export type IntOrString = number | string;

/** The result of scaling an IntOrString: a value, or the reason it could not be parsed. */
export type IntOrPercentResult =
  | { readonly ok: true; readonly value: number }
  | { readonly ok: false; readonly error: string };

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** math.MinInt64 as the nearest double; Go's amd64 float-to-int conversion yields it for NaN/Inf/overflow. */
const GO_MIN_INT64 = Number(INT64_MIN);

const ok = (value: number): IntOrPercentResult => ({ ok: true, value });
const fail = (error: string): IntOrPercentResult => ({ ok: false, error });

/** Go's strconv.Atoi: optional sign, ASCII digits, int64 range; anything else is undefined. */
export function parseGoInt(s: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const big = BigInt(s);
  if (big < INT64_MIN || big > INT64_MAX) return undefined;
  return Number(big);
}

/**
 * Go's strconv.ParseFloat(s, 64) for decimal syntax and the special values inf, infinity, nan
 * (case-insensitive; only inf/infinity take a sign). Overflow to ±Inf is an error, as in Go.
 * Not supported: hexadecimal floats and underscores (Go accepts those only with a 0x prefix).
 */
export function parseGoFloat(s: string): number | undefined {
  const special = /^([+-]?)(inf|infinity)$/i.exec(s);
  if (special) return special[1] === '-' ? -Infinity : Infinity;
  if (/^nan$/i.test(s)) return Number.NaN;
  if (!/^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(s)) return undefined;
  const v = Number(s);
  return Number.isFinite(v) ? v : undefined;
}

/** Go's int(float64) on amd64: truncation; NaN, ±Inf and out-of-range values become MinInt64. */
export function goFloatToInt(x: number): number {
  if (!Number.isFinite(x) || x >= 2 ** 63 || x < -(2 ** 63)) return GO_MIN_INT64;
  return Math.trunc(x);
}

function round(percent: number, total: number, roundUp: boolean): number {
  const scaled = (percent * total) / 100;
  return goFloatToInt(roundUp ? Math.ceil(scaled) : Math.floor(scaled));
}

function intValue(v: number): IntOrPercentResult {
  return Number.isInteger(v) ? ok(v) : fail(`invalid value ${v}: not an integer`);
}

/** k8s' deprecated GetValueFromIntOrPercent: any string is a percentage once every '%' is removed. */
export function valueFromIntOrPercent(v: IntOrString | undefined, total: number, roundUp: boolean): IntOrPercentResult {
  if (v === undefined) return fail('nil value for IntOrString');
  if (typeof v === 'number') return intValue(v);
  const n = parseGoInt(v.replaceAll('%', ''));
  if (n === undefined) return fail(`invalid value for IntOrString: invalid value "${v}"`);
  return ok(round(n, total, roundUp));
}

/** k8s' GetScaledValueFromIntOrPercent: a string must be "<int>%". */
export function scaledValueFromIntOrPercent(v: IntOrString | undefined, total: number, roundUp: boolean): IntOrPercentResult {
  if (v === undefined) return fail('nil value for IntOrString');
  if (typeof v === 'number') return intValue(v);
  if (!v.endsWith('%')) return fail(`invalid value for IntOrString: invalid type: string is not a percentage`);
  const n = parseGoInt(v.slice(0, -1));
  if (n === undefined) return fail(`invalid value for IntOrString: invalid value "${v}"`);
  return ok(round(n, total, roundUp));
}

/** kruise's util.GetScaledValueFromIntOrPercent: a string must be "<float>%" (one trailing '%'). */
export function kruiseScaledValueFromIntOrPercent(
  v: IntOrString | undefined,
  total: number,
  roundUp: boolean,
): IntOrPercentResult {
  if (v === undefined) return fail('nil value for IntOrString');
  if (typeof v === 'number') return intValue(v);
  if (!v.endsWith('%')) return fail('invalid type: string is not a percentage');
  const f = parseGoFloat(v.slice(0, -1));
  if (f === undefined) return fail(`invalid syntax: "${v}"`);
  return ok(round(f, total, roundUp));
}

/**
 * kruise's CalculatePartitionReplicas: how many pods stay at the old revision.
 * Percent rounds up (any percent > 0 keeps one old pod), a percent string other than the
 * literal "100%" that rounds to all replicas keeps replicas-1 (so something updates when
 * replicas > 1), and the result is clamped to [0, replicas]. Unset partition is 0; unset
 * replicas counts as 1.
 */
export function calculatePartitionReplicas(partition: IntOrString | undefined, replicas: number | undefined): IntOrPercentResult {
  if (partition === undefined) return ok(0);
  const total = replicas ?? 1;
  const scaled = kruiseScaledValueFromIntOrPercent(partition, total, true);
  if (!scaled.ok) return scaled;
  let value = scaled.value;
  if (total > 1 && value === total && typeof partition === 'string' && partition !== '100%') value = total - 1;
  return ok(Math.max(Math.min(value, total), 0));
}
