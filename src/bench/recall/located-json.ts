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

/** A scanner over the text that knows its line and column, for errors and for each value's line. */
class Scanner {
  i = 0;
  line = 1;
  private lineStart = 0;
  constructor(readonly text: string) {}

  fail(what: string): never {
    throw new LocatedJsonError(what, this.line, this.i - this.lineStart + 1);
  }

  skip(): void {
    const { text } = this;
    while (this.i < text.length && WS.has(text[this.i] as string)) {
      if (text[this.i] === '\n') {
        this.line++;
        this.lineStart = this.i + 1;
      }
      this.i++;
    }
  }

  literal(word: string, v: unknown): unknown {
    if (!this.text.startsWith(word, this.i)) this.fail(`unexpected ${JSON.stringify(this.text[this.i])}`);
    this.i += word.length;
    return v;
  }

  string(): string {
    const { text } = this;
    const start = this.i;
    this.i++;
    while (this.i < text.length && text[this.i] !== '"') {
      if (text[this.i] === '\\') this.i++;
      else if (text[this.i] === '\n') this.fail('a line break inside a string');
      this.i++;
    }
    if (this.i >= text.length) this.fail('a string that never ends');
    this.i++;
    try {
      return JSON.parse(text.slice(start, this.i)) as string;
    } catch {
      return this.fail('an invalid escape in a string');
    }
  }

  number(): number {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.text.slice(this.i, this.i + 64));
    if (!m) return this.fail(`unexpected ${JSON.stringify(this.text[this.i])}`);
    this.i += m[0].length;
    return Number(m[0]);
  }

  /** Steps over `c` when it is next and says whether it was. */
  eat(c: string): boolean {
    if (this.text[this.i] !== c) return false;
    this.i++;
    return true;
  }
}

/** The recursive descent over values, recording the line each path starts on. */
class LocatedParser extends Scanner {
  readonly lines = new Map<string, number>();
  private depth = 0;

  value(path: string): unknown {
    this.skip();
    if (this.depth >= MAX_DEPTH) this.fail(`nested more than ${MAX_DEPTH} levels deep`);
    this.lines.set(path, this.line);
    const c = this.text[this.i];
    if (c === '{' || c === '[') {
      this.depth++;
      const v = c === '{' ? this.object(path) : this.array(path);
      this.depth--;
      return v;
    }
    if (c === '"') return this.string();
    if (c === 't') return this.literal('true', true);
    if (c === 'f') return this.literal('false', false);
    if (c === 'n') return this.literal('null', null);
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    return this.fail(c === undefined ? 'the file ends too early' : `unexpected ${JSON.stringify(c)}`);
  }

  private object(path: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.i++;
    this.skip();
    if (this.eat('}')) return out;
    for (;;) {
      this.skip();
      if (this.text[this.i] !== '"') this.fail('expected a "key" in an object');
      const key = this.string();
      this.skip();
      if (!this.eat(':')) this.fail(`expected ':' after "${key}"`);
      // defineProperty, not assignment: a "__proto__" key in the file is data, not the object's prototype.
      Object.defineProperty(out, key, {
        value: this.value(path ? `${path}.${key}` : key),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      this.skip();
      if (this.eat('}')) return out;
      if (!this.eat(',')) this.fail("expected ',' or '}' in an object");
    }
  }

  private array(path: string): unknown[] {
    const out: unknown[] = [];
    this.i++;
    this.skip();
    if (this.eat(']')) return out;
    for (;;) {
      out.push(this.value(`${path}[${out.length}]`));
      this.skip();
      if (this.eat(']')) return out;
      if (!this.eat(',')) this.fail("expected ',' or ']' in an array");
    }
  }
}

export function parseLocatedJson(text: string): LocatedJson {
  const p = new LocatedParser(text);
  // A byte-order mark is not JSON, but editors write one.
  if (text.charCodeAt(0) === 0xfeff) p.i = 1;
  const v = p.value('');
  p.skip();
  if (p.i < text.length) p.fail('unexpected text after the end of the document');
  return {
    value: v,
    lineOf(path: string): number {
      for (let q = path; ;) {
        const l = p.lines.get(q);
        if (l !== undefined) return l;
        if (!q) return 1;
        const cut = Math.max(q.lastIndexOf('.'), q.lastIndexOf('['));
        q = cut > 0 ? q.slice(0, cut) : '';
      }
    },
  };
}
