// Strategic-merge patch of a Pod (or a pod template), as the apiserver applies one with
// Content-Type application/strategic-merge-patch+json: maps merge key by key, `null` deletes a
// key, lists of objects with a patch merge key (containers by name, env by name, ports by
// containerPort, ...) merge element by element, other lists are replaced, and the directives
// `$patch: replace` / `$patch: delete` are honoured. Written for the Pod schema only: a path
// that is not in the table below is treated as a plain replaced list.

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

const CONTAINER_LISTS: Record<string, string> = {
  env: 'name',
  ports: 'containerPort',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  resizePolicy: 'resourceName',
};

/** Patch merge key of the list at `path` (dot path without indexes), or undefined to replace it. */
function mergeKeyOf(path: string): string | undefined {
  const table: Record<string, string> = {
    'spec.containers': 'name',
    'spec.initContainers': 'name',
    'spec.ephemeralContainers': 'name',
    'spec.volumes': 'name',
    'spec.imagePullSecrets': 'name',
    'spec.hostAliases': 'ip',
    'spec.schedulingGates': 'name',
    'spec.resourceClaims': 'name',
    'spec.topologySpreadConstraints': 'topologyKey',
    'metadata.ownerReferences': 'uid',
    'status.conditions': 'type',
  };
  if (table[path]) return table[path];
  const m = /^spec\.(containers|initContainers|ephemeralContainers)\.(\w+)$/.exec(path);
  return m ? CONTAINER_LISTS[m[2] as string] : undefined;
}

/** Primitive lists whose patch strategy is merge (a union), e.g. metadata.finalizers. */
const PRIMITIVE_MERGE_LISTS = new Set(['metadata.finalizers']);

function clone<T>(v: T): T {
  return structuredClone(v);
}

function stripDirectives(v: Json): Json {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) if (!k.startsWith('$')) out[k] = stripDirectives(x);
  return out;
}

function mergeList(original: Json[], patch: Json[], path: string): Json[] {
  const key = mergeKeyOf(path);
  if (PRIMITIVE_MERGE_LISTS.has(path)) {
    const out = [...original];
    for (const p of patch) if (!out.some((o) => JSON.stringify(o) === JSON.stringify(p))) out.push(p);
    return out;
  }
  if (!key || !patch.every(isObject)) return patch.filter((p) => !(isObject(p) && p.$patch === 'delete')).map(stripDirectives);
  if (patch.some((p) => isObject(p) && p.$patch === 'replace')) return patch.filter((p) => !(isObject(p) && p.$patch === 'replace')).map(stripDirectives);
  const out = original.map(clone);
  for (const p of patch as JsonObject[]) {
    const id = JSON.stringify(p[key] ?? null);
    const at = out.findIndex((o) => isObject(o) && JSON.stringify(o[key] ?? null) === id);
    if (p.$patch === 'delete') {
      if (at >= 0) out.splice(at, 1);
      continue;
    }
    if (at >= 0) out[at] = mergeObject(out[at] as JsonObject, p, path);
    else out.push(stripDirectives(p));
  }
  return out;
}

function mergeObject(original: JsonObject, patch: JsonObject, path: string): JsonObject {
  if (patch.$patch === 'replace') return stripDirectives(patch) as JsonObject;
  const out: JsonObject = clone(original);
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue;
    const childPath = path ? `${path}.${k}` : k;
    if (v === null) {
      delete out[k];
    } else if (isObject(v)) {
      if (v.$patch === 'delete') delete out[k];
      else out[k] = isObject(out[k]) ? mergeObject(out[k] as JsonObject, v, childPath) : (stripDirectives(v) as JsonObject);
    } else if (Array.isArray(v)) {
      out[k] = Array.isArray(out[k]) ? mergeList(out[k] as Json[], v, childPath) : mergeList([], v, childPath);
    } else {
      out[k] = v;
    }
  }
  return out;
}

/**
 * Applies a strategic-merge patch to a Pod-shaped object (metadata / spec / status) and returns
 * the result; neither input is modified. A non-object patch is an error.
 */
export function strategicMergePod<T extends object>(pod: T, patch: unknown): T {
  if (!isObject(patch)) throw new Error(`strategic merge patch must be a JSON object, got ${JSON.stringify(patch)}`);
  const original = JSON.parse(JSON.stringify(pod)) as JsonObject;
  return mergeObject(original, patch, '') as unknown as T;
}
