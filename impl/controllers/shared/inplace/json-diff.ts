// RFC 6902 operations between two JSON values, in the shape kruise's jsonpatch.CreatePatch
// produces, which is what decides whether a template change can go in place (diff.ts).

export interface PatchOp {
  readonly op: 'add' | 'remove' | 'replace';
  readonly path: string;
  readonly value?: unknown;
}

type JsonObject = Record<string, unknown>;

export const isJsonObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One JSON pointer segment (RFC 6901): '~' and '/' are escaped. */
const segment = (key: string): string => key.replaceAll('~', '~0').replaceAll('/', '~1');

/**
 * Operations turning `a` into `b`. Objects are compared key by key (undefined members count as
 * absent); arrays index by index, extra elements removed from the end or added after the common
 * part, then the common part recursed into; anything else is replaced when it differs.
 * (jsonpatch diffs arrays of scalars by edit distance; nothing here depends on that.)
 */
export function jsonDiff(a: unknown, b: unknown, path = ''): PatchOp[] {
  if (isJsonObject(a) && isJsonObject(b)) {
    const ops: PatchOp[] = [];
    for (const key of Object.keys(a)) {
      if (a[key] === undefined) continue;
      if (b[key] === undefined) ops.push({ op: 'remove', path: `${path}/${segment(key)}` });
      else ops.push(...jsonDiff(a[key], b[key], `${path}/${segment(key)}`));
    }
    for (const key of Object.keys(b)) {
      if (b[key] !== undefined && a[key] === undefined) ops.push({ op: 'add', path: `${path}/${segment(key)}`, value: b[key] });
    }
    return ops;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const ops: PatchOp[] = [];
    const common = Math.min(a.length, b.length);
    for (let i = a.length - 1; i >= common; i--) ops.push({ op: 'remove', path: `${path}/${i}` });
    for (let i = common; i < b.length; i++) ops.push({ op: 'add', path: `${path}/${i}`, value: b[i] });
    for (let i = 0; i < common; i++) ops.push(...jsonDiff(a[i], b[i], `${path}/${i}`));
    return ops;
  }
  // Two objects or two arrays were handled above, so a structure here never equals its counterpart.
  return a === b ? [] : [{ op: 'replace', path, value: b }];
}
