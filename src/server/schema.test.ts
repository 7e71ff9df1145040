import { describe, expect, it } from 'vitest';
import { buildValidator, check, type Schema } from './schema.js';

const v = (schema: Schema, httpPart = 'body') => buildValidator()({ schema, httpPart });
const obj: Schema = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 5, pattern: '\\S' },
    n: { type: 'integer', minimum: 1, maximum: 10, default: 3 },
    tags: { type: 'array', maxItems: 2, items: { type: 'string', enum: ['a', 'b'] } },
    any: { anyOf: [{ type: 'string' }, { type: 'null' }] },
  },
};

describe('schema validator', () => {
  it('accepts valid input and fills defaults', () => {
    expect(v(obj)({ name: 'x' })).toEqual({ value: { name: 'x', n: 3 } });
    expect(v(obj)({ name: 'x', any: null, tags: ['a'] })).toEqual({
      value: { name: 'x', any: null, tags: ['a'], n: 3 },
    });
  });

  it('reports the first problem in Ajv shape (path, message, params)', () => {
    const cases: [unknown, string, string][] = [
      [{}, '', "must have required property 'name'"],
      [{ name: 'x', zz: 1 }, '', "must NOT have additional property 'zz'"],
      [{ name: '' }, '/name', 'must have at least 1 character(s)'],
      [{ name: 'toolong' }, '/name', 'must have at most 5 characters'],
      [{ name: '   ' }, '/name', 'must not be blank'],
      [{ name: 'x', n: 1.5 }, '/n', 'must be an integer'],
      [{ name: 'x', n: 11 }, '/n', 'must be <= 10'],
      [{ name: 'x', tags: ['c'] }, '/tags/0', 'must be one of a, b'],
      [{ name: 'x', tags: ['a', 'a', 'a'] }, '/tags', 'must have at most 2 items'],
      [{ name: 'x', any: 3 }, '/any', 'must match one of the allowed shapes'],
      [[], '', 'must be an object'],
      [null, '', 'must be an object'],
    ];
    for (const [input, path, message] of cases) {
      const fn = v(obj);
      expect(fn(input), JSON.stringify(input)).toBe(false);
      expect(fn.errors?.[0]).toMatchObject({ instancePath: path, message });
    }
  });

  it('does not coerce bodies, but coerces query strings and treats a missing query as empty', () => {
    expect(v(obj)({ name: 'x', n: '4' })).toBe(false);
    expect(v(obj, 'querystring')({ name: 'x', n: '4', tags: 'a' })).toEqual({
      value: { name: 'x', n: 4, tags: ['a'] },
    });
    expect(v({ type: 'object', properties: { limit: { type: 'integer', default: 5 } } }, 'querystring')(null)).toEqual({
      value: { limit: 5 },
    });
    expect(v(obj, 'querystring')({ name: 'x', n: 'abc' })).toBe(false);
  });

  it('ignores inherited property names (no prototype tricks)', () => {
    const r = check(
      { type: 'object', additionalProperties: false, properties: {} },
      JSON.parse('{"constructor": 1}'),
      '',
      false,
      new Map(),
    );
    expect(r.ok).toBe(false);
  });
});
