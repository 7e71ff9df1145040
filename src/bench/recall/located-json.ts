/**
 * A JSON parser that remembers where each value starts, so a malformed evaluation file can name the line of the
 * field that is wrong (JSON.parse gives neither lines nor paths). Values are exactly JSON.parse's; syntax errors
 * throw LocatedJsonError with the line and column.
 */

export class LocatedJsonError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

export interface LocatedJson {
  value: unknown;
  /** The 1-based line where the value at a path starts (`a.b[2].c`); the nearest known ancestor's if unknown. */
  lineOf(path: string): number;
}

const WS = new Set([' ', '\t', '\n', '\r']);
/** Deeper nesting is no evaluation file, and unbounded recursion would overflow the stack. */
const MAX_DEPTH = 64;

export function parseLocatedJson(text: string): LocatedJson {
  const lines = new Map<string, number>();
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const fail = (what: string): never => {
    throw new LocatedJsonError(what, line, i - lineStart + 1);
  };
  const skip = (): void => {
    while (i < text.length && WS.has(text[i] as string)) {
      if (text[i] === '\n') {
        line++;
        lineStart = i + 1;
      }
      i++;
    }
  };
  const literal = (word: string, v: unknown): unknown =>
    text.startsWith(word, i) ? ((i += word.length), v) : fail(`unexpected ${JSON.stringify(text[i])}`);
  const string = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') i++;
      else if (text[i] === '\n') fail('a line break inside a string');
      i++;
    }
    if (i >= text.length) fail('a string that never ends');
    i++;
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      return fail('an invalid escape in a string');
    }
  };
  const number = (): number => {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 64));
    if (!m) fail(`unexpected ${JSON.stringify(text[i])}`);
    i += (m as RegExpExecArray)[0].length;
    return Number((m as RegExpExecArray)[0]);
  };
  let depth = 0;
  const value = (path: string): unknown => {
    skip();
    if (depth >= MAX_DEPTH) fail(`nested more than ${MAX_DEPTH} levels deep`);
    lines.set(path, line);
    const c = text[i];
    if (c === '{' || c === '[') {
      depth++;
      const v = c === '{' ? object(path) : array(path);
      depth--;
      return v;
    }
    if (c === '"') return string();
    if (c === 't') return literal('true', true);
    if (c === 'f') return literal('false', false);
    if (c === 'n') return literal('null', null);
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return number();
    return fail(c === undefined ? 'the file ends too early' : `unexpected ${JSON.stringify(c)}`);
  };
  const object = (path: string): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    i++;
    skip();
    if (text[i] === '}') return (i++, out);
    for (;;) {
      skip();
      if (text[i] !== '"') fail('expected a "key" in an object');
      const key = string();
      skip();
      if (text[i] !== ':') fail(`expected ':' after "${key}"`);
      i++;
      Object.defineProperty(out, key, {
        value: value(path ? `${path}.${key}` : key),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      skip();
      if (text[i] === ',') i++;
      else if (text[i] === '}') return (i++, out);
      else fail("expected ',' or '}' in an object");
    }
  };
  const array = (path: string): unknown[] => {
    const out: unknown[] = [];
    i++;
    skip();
    if (text[i] === ']') return (i++, out);
    for (;;) {
      out.push(value(`${path}[${out.length}]`));
      skip();
      if (text[i] === ',') i++;
      else if (text[i] === ']') return (i++, out);
      else fail("expected ',' or ']' in an array");
    }
  };
  // A byte-order mark is not JSON, but editors write one.
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  const v = value('');
  skip();
  if (i < text.length) fail('unexpected text after the end of the document');
  return {
    value: v,
    lineOf(path: string): number {
      for (let p = path; ;) {
        const l = lines.get(p);
        if (l !== undefined) return l;
        if (!p) return 1;
        const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
        p = cut > 0 ? p.slice(0, cut) : '';
      }
    },
  };
}
