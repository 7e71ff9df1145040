import { describe, expect, it } from 'vitest';
import { LocatedJsonError, parseLocatedJson } from './located-json.js';

describe('parseLocatedJson', () => {
  it('parses what JSON.parse parses, to the same values', () => {
    for (const text of [
      '{"a": [1, -2.5e3, true, false, null, "x\\"y\\u00e9"], "b": {}, "c": []}',
      '[]',
      '"just a string"',
      '\ufeff{"bom": 1}',
      '{"__proto__": {"polluted": 1}}',
    ]) {
      expect(parseLocatedJson(text).value).toEqual(JSON.parse(text.replace(/^\ufeff/, '')));
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('knows the line where each value starts, and falls back to the nearest ancestor', () => {
    const doc = parseLocatedJson('{\n "a": [\n  {"b": 1},\n  {\n   "b": 2\n  }\n ]\n}');
    expect(doc.lineOf('a')).toBe(2);
    expect(doc.lineOf('a[0].b')).toBe(3);
    expect(doc.lineOf('a[1]')).toBe(4);
    expect(doc.lineOf('a[1].b')).toBe(5);
    expect(doc.lineOf('a[1].missing')).toBe(4);
    expect(doc.lineOf('')).toBe(1);
  });

  it('names the line and column of a syntax error', () => {
    const cases: [string, number, number][] = [
      ['{\n "a": 1,\n "b": }', 3, 7],
      ['{"a": 1}\n  x', 2, 3],
      ['[1, 2', 1, 6],
      ['{"a": "line\nbreak"}', 1, 12],
      ['{"a": tru}', 1, 7],
    ];
    for (const [text, line, column] of cases) {
      const err = (() => {
        try {
          parseLocatedJson(text);
        } catch (e) {
          return e;
        }
      })();
      expect(err, text).toBeInstanceOf(LocatedJsonError);
      expect([(err as LocatedJsonError).line, (err as LocatedJsonError).column], text).toEqual([line, column]);
    }
  });

  it('refuses absurd nesting instead of overflowing the stack', () => {
    expect(() => parseLocatedJson('['.repeat(100_000))).toThrow(/nested more than 64 levels/);
  });
});
