// A small builder for structural OpenAPI v3 schemas (apiextensions.k8s.io/v1 JSONSchemaProps), so
// each kind's CRD schema is written once in TypeScript next to its types.

/** The subset of JSONSchemaProps the CRDs use. */
export interface JSONSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  description?: string;
  properties?: Record<string, JSONSchema>;
  required?: string[];
  items?: JSONSchema;
  additionalProperties?: JSONSchema;
  enum?: string[];
  anyOf?: JSONSchema[];
  minimum?: number;
  maximum?: number;
  'x-kubernetes-int-or-string'?: true;
  'x-kubernetes-preserve-unknown-fields'?: true;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
}

interface Common {
  description?: string;
}

function withDescription(s: JSONSchema, o?: Common): JSONSchema {
  return o?.description ? { description: o.description, ...s } : s;
}

/** Field name → schema; names ending in `!` are required (the `!` is stripped). */
export type Properties = Record<string, JSONSchema>;

export const schema = {
  object(props: Properties, o?: Common & { extra?: Partial<JSONSchema> }): JSONSchema {
    const properties: Record<string, JSONSchema> = {};
    const required: string[] = [];
    for (const key of Object.keys(props).sort((a, b) => a.replace(/!$/, '').localeCompare(b.replace(/!$/, '')))) {
      const name = key.endsWith('!') ? key.slice(0, -1) : key;
      if (key.endsWith('!')) required.push(name);
      properties[name] = props[key] as JSONSchema;
    }
    return withDescription({ properties, ...(required.length ? { required: required.sort() } : {}), type: 'object', ...(o?.extra ?? {}) }, o);
  },
  string(o?: Common & { enum?: string[]; format?: string }): JSONSchema {
    return withDescription({ ...(o?.enum ? { enum: o.enum } : {}), ...(o?.format ? { format: o.format } : {}), type: 'string' }, o);
  },
  int32(o?: Common & { minimum?: number; maximum?: number }): JSONSchema {
    return withDescription({ format: 'int32', ...(o?.minimum !== undefined ? { minimum: o.minimum } : {}), ...(o?.maximum !== undefined ? { maximum: o.maximum } : {}), type: 'integer' }, o);
  },
  int64(o?: Common): JSONSchema {
    return withDescription({ format: 'int64', type: 'integer' }, o);
  },
  boolean(o?: Common): JSONSchema {
    return withDescription({ type: 'boolean' }, o);
  },
  array(items: JSONSchema, o?: Common & { listType?: 'atomic' | 'set' | 'map'; mapKeys?: string[] }): JSONSchema {
    return withDescription(
      {
        items,
        type: 'array',
        ...(o?.listType ? { 'x-kubernetes-list-type': o.listType } : {}),
        ...(o?.mapKeys ? { 'x-kubernetes-list-map-keys': o.mapKeys } : {}),
      },
      o,
    );
  },
  /** map[string]string */
  stringMap(o?: Common): JSONSchema {
    return withDescription({ additionalProperties: { type: 'string' }, type: 'object' }, o);
  },
  /** intstr.IntOrString */
  intOrString(o?: Common): JSONSchema {
    return withDescription({ anyOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true }, o);
  },
  /** An embedded object kept as is (pod template, PVC template): no pruning, validated by the webhook. */
  preserved(o?: Common): JSONSchema {
    return withDescription({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, o);
  },
  /** An array of embedded objects kept as is. */
  preservedArray(o?: Common): JSONSchema {
    return withDescription({ items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, type: 'array' }, o);
  },
  /** metav1.LabelSelector */
  labelSelector(o?: Common): JSONSchema {
    const s = schema.object(
      {
        matchExpressions: schema.array(
          schema.object({ 'key!': schema.string(), 'operator!': schema.string(), values: schema.array(schema.string(), { listType: 'atomic' }) }),
          { listType: 'atomic' },
        ),
        matchLabels: schema.stringMap(),
      },
      { extra: { 'x-kubernetes-map-type': 'atomic' } },
    );
    return withDescription(s, o);
  },
  /** A status condition (type, status, lastTransitionTime, reason, message). */
  condition(o?: Common): JSONSchema {
    return schema.object(
      {
        lastTransitionTime: schema.string({ format: 'date-time' }),
        message: schema.string(),
        reason: schema.string(),
        'status!': schema.string(),
        'type!': schema.string(),
      },
      o,
    );
  },
};

/**
 * Structural-schema check (the apiserver's rules, the ones our builder could break): every node
 * has a type unless it is int-or-string or preserves unknown fields; anyOf branches carry no
 * type-defining keywords beyond `type`. Returns the offending paths.
 */
export function structuralProblems(s: JSONSchema, path = '<root>'): string[] {
  const out: string[] = [];
  if (!s.type && !s['x-kubernetes-int-or-string'] && !s['x-kubernetes-preserve-unknown-fields']) out.push(`${path}: type is required`);
  if (s['x-kubernetes-int-or-string'] && s.type) out.push(`${path}: int-or-string must not set type`);
  if (s.type === 'array' && !s.items) out.push(`${path}: array needs items`);
  for (const [k, v] of Object.entries(s.properties ?? {})) out.push(...structuralProblems(v, `${path}.${k}`));
  if (s.items) out.push(...structuralProblems(s.items, `${path}[]`));
  if (s.additionalProperties) out.push(...structuralProblems(s.additionalProperties, `${path}{}`));
  for (const r of s.required ?? []) if (!s.properties?.[r]) out.push(`${path}: required field ${r} has no schema`);
  return out;
}
