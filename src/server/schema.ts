/**
 * A small JSON-schema validator for the route schemas, used as fastify's validator compiler instead of Ajv: the
 * routes use a handful of keywords, and Ajv (with its compiled schemas) would add ≈ 10 MB to the idle server, an
 * eighth of its RSS budget. Supported: type, enum, minLength, maxLength, pattern, minimum, maximum, properties,
 * required, additionalProperties: false, minProperties, items, minItems, maxItems, anyOf, default. Query strings and
 * path parameters are coerced (strings to numbers/booleans, one value to a list); bodies are not. Errors have Ajv's
 * shape ({ instancePath, message, params }) so the error handler names the field and the reason.
 */
export interface Schema {
  type?: string;
  enum?: readonly unknown[];
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, Schema>;
  required?: readonly string[];
  additionalProperties?: boolean;
  minProperties?: number;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  anyOf?: readonly Schema[];
  default?: unknown;
}

export interface SchemaError {
  instancePath: string;
  message: string;
  params: Record<string, unknown>;
}

type Result = { ok: true; value: unknown } | { ok: false; error: SchemaError };

const fail = (path: string, message: string, params: Record<string, unknown> = {}): Result => ({
  ok: false,
  error: { instancePath: path, message, params },
});
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function coerceScalar(type: string | undefined, v: unknown): unknown {
  if (typeof v !== 'string') return v;
  if ((type === 'integer' || type === 'number') && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  if (type === 'boolean' && (v === 'true' || v === 'false')) return v === 'true';
  return v;
}

function checkType(type: string, v: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return Number.isInteger(v);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'null':
      return v === null;
    case 'array':
      return Array.isArray(v);
    case 'object':
      return isObj(v);
    default:
      return true;
  }
}

export function check(s: Schema, input: unknown, path: string, coerce: boolean, patterns: Map<string, RegExp>): Result {
  let v = input;
  if (s.anyOf) {
    for (const alt of s.anyOf) {
      const r = check(alt, v, path, coerce, patterns);
      if (r.ok) return r;
    }
    return fail(path, 'must match one of the allowed shapes');
  }
  if (coerce) {
    if (s.type === 'array' && !Array.isArray(v)) v = [v];
    else v = coerceScalar(s.type, v);
  }
  if (s.type && !checkType(s.type, v))
    return fail(
      path,
      `must be ${s.type === 'integer' ? 'an integer' : s.type === 'object' || s.type === 'array' ? `an ${s.type}` : `a ${s.type}`}`,
    );
  if (s.enum && !s.enum.includes(v))
    return fail(path, `must be one of ${s.enum.join(', ')}`, { allowedValues: s.enum });
  if (typeof v === 'string') {
    if (s.minLength !== undefined && v.length < s.minLength)
      return fail(path, `must have at least ${s.minLength} character(s)`);
    if (s.maxLength !== undefined && v.length > s.maxLength)
      return fail(path, `must have at most ${s.maxLength} characters`);
    if (s.pattern !== undefined) {
      let re = patterns.get(s.pattern);
      if (!re) patterns.set(s.pattern, (re = new RegExp(s.pattern, 'u')));
      if (!re.test(v)) return fail(path, s.pattern === '\\S' ? 'must not be blank' : `must match ${s.pattern}`);
    }
  }
  if (typeof v === 'number') {
    if (s.minimum !== undefined && v < s.minimum) return fail(path, `must be >= ${s.minimum}`);
    if (s.maximum !== undefined && v > s.maximum) return fail(path, `must be <= ${s.maximum}`);
  }
  if (Array.isArray(v)) {
    if (s.minItems !== undefined && v.length < s.minItems)
      return fail(path, `must have at least ${s.minItems} item(s)`);
    if (s.maxItems !== undefined && v.length > s.maxItems) return fail(path, `must have at most ${s.maxItems} items`);
    if (s.items) {
      const out: unknown[] = [];
      for (let i = 0; i < v.length; i++) {
        const r = check(s.items, v[i], `${path}/${i}`, coerce, patterns);
        if (!r.ok) return r;
        out.push(r.value);
      }
      v = out;
    }
  }
  if (isObj(v) && (s.properties || s.required || s.additionalProperties === false || s.minProperties !== undefined)) {
    const props = s.properties ?? {};
    const out: Record<string, unknown> = { ...v };
    for (const key of s.required ?? []) {
      if (v[key] === undefined) return fail(path, `must have required property '${key}'`, { missingProperty: key });
    }
    for (const key of Object.keys(v)) {
      const sub = Object.hasOwn(props, key) ? props[key] : undefined;
      if (!sub) {
        if (s.additionalProperties === false)
          return fail(path, `must NOT have additional property '${key}'`, { additionalProperty: key });
        continue;
      }
      const r = check(sub, v[key], `${path}/${key}`, coerce, patterns);
      if (!r.ok) return r;
      out[key] = r.value;
    }
    for (const [key, sub] of Object.entries(props))
      if (out[key] === undefined && sub.default !== undefined) out[key] = sub.default;
    if (s.minProperties !== undefined && Object.keys(out).length < s.minProperties)
      return fail(path, `must have at least ${s.minProperties} field(s)`);
    v = out;
  }
  return { ok: true, value: v };
}

type Validate = ((data: unknown) => { value: unknown } | false) & { errors?: SchemaError[] };

/** fastify's `compilersFactory.buildValidator`: one validate function per route schema part. */
export function buildValidator() {
  const patterns = new Map<string, RegExp>();
  return ({ schema, httpPart }: { schema: Schema; httpPart?: string }): Validate => {
    const coerce = httpPart === 'querystring' || httpPart === 'params' || httpPart === 'headers';
    const validate: Validate = (data) => {
      // A missing query string or body arrives as null; validate it as an empty object where an object is wanted.
      const input = data === null && schema.type === 'object' && httpPart !== 'body' ? {} : data;
      const r = check(schema, input, '', coerce, patterns);
      if (r.ok) return { value: r.value };
      validate.errors = [r.error];
      return false;
    };
    return validate;
  };
}

/** Routes declare no response schemas; replies are serialised with JSON.stringify. */
export function buildSerializer() {
  return () => (data: unknown) => JSON.stringify(data);
}
