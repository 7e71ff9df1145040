/**
 * Splits a byte stream into text lines. Chunks may end anywhere: inside a UTF-8 sequence (the streaming TextDecoder
 * keeps the partial bytes), between \r and \n, or mid-line. Lines are bounded so a server that never sends a newline
 * cannot make us buffer without limit.
 */
import { WireError } from './wire-error.js';

export interface LineDecoderOptions {
  /** Longest accepted line in characters (UTF-16 units, roughly bytes for JSON). */
  maxLineLength?: number;
  /** Also end a line at a lone \r (Server-Sent Events allow CR, LF or CRLF); otherwise \r is only stripped before \n. */
  crIsNewline?: boolean;
}

export const DEFAULT_MAX_LINE = 1 << 20;

export class LineDecoder {
  private readonly text = new TextDecoder('utf-8', { fatal: true });
  private readonly max: number;
  private readonly crIsNewline: boolean;
  private partial = '';
  /** The previous chunk ended with \r, so a leading \n in the next one belongs to it. */
  private skipLf = false;
  private failed: WireError | undefined;

  constructor(opts: LineDecoderOptions = {}) {
    this.max = opts.maxLineLength ?? DEFAULT_MAX_LINE;
    this.crIsNewline = opts.crIsNewline ?? false;
  }

  push(bytes: Uint8Array): string[] {
    if (this.failed) throw this.failed;
    return this.split(this.decode(bytes, true));
  }

  /** Flushes the last line (one without a trailing newline) and checks no UTF-8 sequence was left open. */
  end(): string[] {
    if (this.failed) throw this.failed;
    const lines = this.split(this.decode(new Uint8Array(0), false));
    if (this.partial !== '') lines.push(this.partial);
    this.partial = '';
    return lines;
  }

  private decode(bytes: Uint8Array, stream: boolean): string {
    try {
      return this.text.decode(bytes, { stream });
    } catch {
      throw new WireError('bad_response', 'the reply is not valid UTF-8');
    }
  }

  private split(chunk: string): string[] {
    const lines: string[] = [];
    let start = 0;
    if (this.skipLf && chunk.length > 0) {
      if (chunk[0] === '\n') start = 1;
      this.skipLf = false;
    }
    for (let i = start; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (c !== 10 && !(c === 13 && this.crIsNewline)) continue;
      let line = this.partial + chunk.slice(start, i);
      this.partial = '';
      if (c === 10 && line.endsWith('\r')) line = line.slice(0, -1);
      if (c === 13) {
        if (i + 1 < chunk.length) {
          if (chunk[i + 1] === '\n') i++;
        } else this.skipLf = true;
      }
      if (line.length > this.max) return this.fail(lines);
      lines.push(line);
      start = i + 1;
    }
    this.partial += chunk.slice(start);
    return this.partial.length > this.max ? this.fail(lines) : lines;
  }

  /** Lines before an over-long one are still returned; the error is thrown by the next call. */
  private fail(lines: string[]): string[] {
    this.failed = new WireError('bad_response', `a line of the reply is longer than ${this.max} characters`);
    if (lines.length === 0) throw this.failed;
    return lines;
  }
}

/** A body as it arrives (a socket) or at once (a file read into memory). */
export type ByteSource = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/** Feeds a body to a chunk decoder (NDJSON, SSE) and yields what it decodes as the bytes arrive, then what `end` flushes. */
export async function* decodeBody<T>(
  decoder: { push(bytes: Uint8Array): T[]; end(): T[] },
  body: ByteSource,
): AsyncGenerator<T> {
  for await (const chunk of body) yield* decoder.push(chunk);
  yield* decoder.end();
}
