/**
 * Strict JSON bodies, for the API, the relay and WebSocket messages (docs/api.md, "Errors"): the bytes must be UTF-8,
 * the text JSON, no object may have a `__proto__` key (or a `constructor` holding a `prototype`), and no string may
 * hold a lone surrogate — SQLite would store it as U+FFFD, so a text acknowledged as sent would read back changed.
 * Each failure names the field. Only texts with a `\u` escape or one of those words are walked, since a lone
 * surrogate can only come from an escape (valid UTF-8 cannot encode one).
 */
export class JsonBodyError extends Error {
  constructor(
    /** 'syntax': not UTF-8 or not JSON; 'content': parsed, but a field is not acceptable. */
    readonly kind: 'syntax' | 'content',
    message: string,
    readonly field?: string,
    readonly reason?: string,
  ) {
    super(message);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const LONE_SURROGATE = /\p{Surrogate}/u;
const SUSPECT = /\\u|__proto__|constructor/;

const fieldName = (path: string, key: string): string =>
  /^\d+$/.test(key) ? `${path}[${key}]` : path ? `${path}.${key}` : key;

/** The first unacceptable field of a parsed value, as [field, reason], or undefined. */
export function unsafeField(value: unknown, path: string): [string, string] | undefined {
  if (typeof value === 'string')
    return LONE_SURROGATE.test(value) ? [path, 'contains a lone surrogate (not valid Unicode)'] : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, v] of Object.entries(value)) {
    const field = fieldName(path, key);
    if (key === '__proto__') return [field, 'is not allowed'];
    if (key === 'constructor' && typeof v === 'object' && v !== null && 'prototype' in v)
      return [field, 'must not hold a prototype'];
    if (LONE_SURROGATE.test(key)) return [field, 'has a name with a lone surrogate (not valid Unicode)'];
    const inner = unsafeField(v, field);
    if (inner) return inner;
  }
  return undefined;
}

/**
 * Parses a text that is already a string (a WebSocket text frame), with the same checks on the result; fields are
 * named from `root` ('body' → body.items[0].text; '' → items[0].text).
 */
export function parseJsonText(text: string, root = 'body'): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new JsonBodyError('syntax', `the ${root || 'message'} is not valid JSON: ${(err as Error).message}`);
  }
  if (SUSPECT.test(text)) {
    const bad = unsafeField(value, root);
    if (bad) throw new JsonBodyError('content', `${bad[0]} ${bad[1]}`, bad[0], bad[1]);
  }
  return value;
}

/** Parses a request body: UTF-8 (decoded strictly), then parseJsonText. An empty body is `{}` when allowed. */
export function parseJsonBody(body: Buffer, opts: { emptyAs?: unknown } = {}): unknown {
  if (body.length === 0) {
    if ('emptyAs' in opts) return opts.emptyAs;
    throw new JsonBodyError('syntax', 'the body is empty; send a JSON object');
  }
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new JsonBodyError('syntax', 'the body is not valid UTF-8');
  }
  return parseJsonText(text);
}
