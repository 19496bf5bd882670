// AdmissionReview v1 wire types and response builders, and the RFC 6902 patch a mutating
// webhook returns.
import type { FieldError } from '../api/field-errors.ts';

export interface GroupVersionResource {
  group: string;
  version: string;
  resource: string;
}

export interface AdmissionRequest {
  uid: string;
  kind: { group: string; version: string; kind: string };
  resource: GroupVersionResource;
  subResource?: string;
  name?: string;
  namespace?: string;
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  userInfo?: { username?: string; uid?: string; groups?: string[] };
  object?: unknown;
  oldObject?: unknown;
  dryRun?: boolean;
}

export interface StatusCause {
  reason: string;
  message: string;
  field: string;
}

export interface ResponseStatus {
  status?: 'Success' | 'Failure';
  code: number;
  reason?: string;
  message: string;
  details?: { name?: string; group?: string; kind?: string; causes?: StatusCause[] };
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: ResponseStatus;
  patchType?: 'JSONPatch';
  /** base64 of the JSON patch. */
  patch?: string;
  warnings?: string[];
}

export interface AdmissionReview {
  apiVersion: 'admission.k8s.io/v1';
  kind: 'AdmissionReview';
  request?: AdmissionRequest;
  response?: AdmissionResponse;
}

/** What a handler decides; the server wraps it with the request uid. */
export type Verdict =
  | { allowed: true; patch?: JsonPatchOp[] }
  | { allowed: false; status: ResponseStatus };

export const allow = (patch?: JsonPatchOp[]): Verdict => (patch && patch.length ? { allowed: true, patch } : { allowed: true });

export function deny(code: number, message: string, extra: Partial<ResponseStatus> = {}): Verdict {
  return { allowed: false, status: { status: 'Failure', code, message, ...extra } };
}

/** A 422 Invalid rejection whose message and causes list every field error. */
export function denyInvalid(kind: string, group: string, name: string, message: string, errors: readonly FieldError[]): Verdict {
  return deny(422, message, {
    reason: 'Invalid',
    // As in apiserver Invalid errors, a cause's message is the text after "<field>: ".
    details: { name, group, kind, causes: errors.map((e) => ({ reason: e.type, message: e.message.startsWith(`${e.field}: `) ? e.message.slice(e.field.length + 2) : e.message, field: e.field })) },
  });
}

export function toResponse(uid: string, verdict: Verdict): AdmissionResponse {
  if (!verdict.allowed) return { uid, allowed: false, status: verdict.status };
  if (!verdict.patch) return { uid, allowed: true };
  return { uid, allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(verdict.patch)).toString('base64') };
}

// ---- JSON patch ----

export type JsonPatchOp =
  | { op: 'add'; path: string; value: unknown }
  | { op: 'replace'; path: string; value: unknown }
  | { op: 'remove'; path: string };

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function pointer(token: string): string {
  return token.replaceAll('~', '~0').replaceAll('/', '~1');
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * A patch that turns `from` into `to` (both plain JSON). Objects are diffed key by key, arrays of
 * equal length element by element; an array whose length changes is replaced whole, which keeps
 * the patch valid without index bookkeeping.
 */
export function createJsonPatch(from: unknown, to: unknown, path = ''): JsonPatchOp[] {
  if (sameJson(from, to)) return [];
  if (isPlainObject(from) && isPlainObject(to)) {
    const ops: JsonPatchOp[] = [];
    for (const k of Object.keys(from)) if (!(k in to) || to[k] === undefined) if (from[k] !== undefined) ops.push({ op: 'remove', path: `${path}/${pointer(k)}` });
    for (const k of Object.keys(to)) {
      if (to[k] === undefined) continue;
      const p = `${path}/${pointer(k)}`;
      if (!(k in from) || from[k] === undefined) ops.push({ op: 'add', path: p, value: to[k] });
      else ops.push(...createJsonPatch(from[k], to[k], p));
    }
    return ops;
  }
  if (Array.isArray(from) && Array.isArray(to) && from.length === to.length) {
    return from.flatMap((v, i) => createJsonPatch(v, to[i], `${path}/${i}`));
  }
  return [{ op: 'replace', path, value: to }];
}

/** Applies a patch made by createJsonPatch (add/replace/remove on objects and array indexes). For tests and the probe. */
export function applyJsonPatch<T>(doc: T, ops: readonly JsonPatchOp[]): T {
  let root: unknown = structuredClone(doc);
  for (const op of ops) {
    if (op.path === '') {
      if (op.op === 'remove') throw new Error('cannot remove the document root');
      root = structuredClone(op.value);
      continue;
    }
    const tokens = op.path.slice(1).split('/').map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
    const last = tokens.pop() as string;
    let parent: unknown = root;
    for (const t of tokens) {
      parent = Array.isArray(parent) ? parent[Number(t)] : (parent as Record<string, unknown>)[t];
      if (parent === undefined || parent === null) throw new Error(`path ${op.path} does not exist`);
    }
    if (Array.isArray(parent)) {
      const i = last === '-' ? parent.length : Number(last);
      if (op.op === 'add') parent.splice(i, 0, structuredClone(op.value));
      else if (op.op === 'replace') parent[i] = structuredClone(op.value);
      else parent.splice(i, 1);
    } else {
      const rec = parent as Record<string, unknown>;
      if (op.op === 'remove') delete rec[last];
      else rec[last] = structuredClone(op.value);
    }
  }
  return root as T;
}
