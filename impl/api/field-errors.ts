// Field errors in the shape and wording of k8s.io/apimachinery's field.Error, so admission
// rejections read like apiserver ones ("spec.replicas: Invalid value: -1: must be greater than or
// equal to 0"). Every error names its field path.

export type FieldErrorType =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueForbidden'
  | 'FieldValueNotSupported'
  | 'FieldValueDuplicate'
  | 'FieldValueNotFound'
  | 'FieldValueTooLong';

export interface FieldError {
  /** Dotted path, e.g. `spec.updateStrategy.maxSurge` or `spec.template.spec.containers[0].image`. */
  readonly field: string;
  readonly type: FieldErrorType;
  /** The complete rendered message, starting with the field path. */
  readonly message: string;
  /** The bad value, when the error type carries one. */
  readonly value?: unknown;
  /** The explanation after the error type. */
  readonly detail?: string;
}

const TYPE_TEXT: Record<FieldErrorType, string> = {
  FieldValueRequired: 'Required value',
  FieldValueInvalid: 'Invalid value',
  FieldValueForbidden: 'Forbidden',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueNotFound: 'Not found',
  FieldValueTooLong: 'Too long',
};

/** Go's %q for a string: JSON quoting is close enough for the ASCII we produce. */
function quote(s: string): string {
  return JSON.stringify(s);
}

/** Renders a bad value like field.Error.ErrorBody: numbers/bools bare, strings quoted, objects as JSON, nil as null. */
export function renderValue(v: unknown): string {
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return quote(v);
  return JSON.stringify(v);
}

function make(type: FieldErrorType, field: string, value: unknown, detail: string, withValue: boolean): FieldError {
  let body = TYPE_TEXT[type];
  if (withValue) body += `: ${renderValue(value)}`;
  if (detail) body += `: ${detail}`;
  return { field, type, message: `${field}: ${body}`, ...(withValue ? { value } : {}), ...(detail ? { detail } : {}) };
}

export const fieldErrors = {
  required: (field: string, detail = ''): FieldError => make('FieldValueRequired', field, undefined, detail, false),
  invalid: (field: string, value: unknown, detail = ''): FieldError => make('FieldValueInvalid', field, value, detail, true),
  forbidden: (field: string, detail = ''): FieldError => make('FieldValueForbidden', field, undefined, detail, false),
  notSupported: (field: string, value: unknown, supported: readonly string[]): FieldError =>
    make('FieldValueNotSupported', field, value, supported.length ? `supported values: ${supported.map(quote).join(', ')}` : '', true),
  duplicate: (field: string, value: unknown): FieldError => make('FieldValueDuplicate', field, value, '', true),
  notFound: (field: string, value: unknown): FieldError => make('FieldValueNotFound', field, value, '', true),
  tooLong: (field: string, max: number): FieldError => make('FieldValueTooLong', field, undefined, `may not be more than ${max} bytes`, false),
};

/** field.ErrorList.ToAggregate().Error(): one message as is, several as "[a, b]" (duplicates dropped). */
export function aggregateMessage(errors: readonly FieldError[]): string {
  const msgs = [...new Set(errors.map((e) => e.message))];
  if (msgs.length === 1) return msgs[0] as string;
  return `[${msgs.join(', ')}]`;
}

/** The apiserver's invalid-object message: `CloneSet.apps.kruise.io "x" is invalid: <errors>`. */
export function invalidObjectMessage(kind: string, group: string, name: string, errors: readonly FieldError[]): string {
  return `${kind}.${group} ${quote(name)} is invalid: ${aggregateMessage(errors)}`;
}

/** Builds child paths the way field.Path does: `a.b`, `a[0]`, `a[key]`. */
export class FieldPath {
  constructor(readonly path: string) {}
  static root(name: string): FieldPath {
    return new FieldPath(name);
  }
  child(...names: string[]): FieldPath {
    return new FieldPath([this.path, ...names].filter((s) => s !== '').join('.'));
  }
  index(i: number): FieldPath {
    return new FieldPath(`${this.path}[${i}]`);
  }
  key(k: string): FieldPath {
    return new FieldPath(`${this.path}[${k}]`);
  }
  toString(): string {
    return this.path;
  }
}
