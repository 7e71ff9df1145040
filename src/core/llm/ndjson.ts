/** Newline-delimited JSON (Ollama's streaming format): one JSON value per line, blank lines ignored. */
import { decodeBody, LineDecoder, type ByteSource, type LineDecoderOptions } from './lines.js';
import { snippet, WireError } from './wire-error.js';

export class NdjsonDecoder {
  private readonly lines: LineDecoder;
  private lineNo = 0;
  private failed: WireError | undefined;

  constructor(opts: Pick<LineDecoderOptions, 'maxLineLength'> = {}) {
    this.lines = new LineDecoder({ ...opts, crIsNewline: false });
  }

  push(bytes: Uint8Array): unknown[] {
    return this.parse(this.lines.push(bytes));
  }

  end(): unknown[] {
    return this.parse(this.lines.end());
  }

  /** Values before a bad line are still returned; the error is thrown by the next call. */
  private parse(lines: string[]): unknown[] {
    if (this.failed) throw this.failed;
    const out: unknown[] = [];
    for (const line of lines) {
      this.lineNo++;
      if (line.trim() === '') continue;
      try {
        out.push(JSON.parse(line));
      } catch {
        this.failed = new WireError('bad_response', `line ${this.lineNo} of the stream is not JSON: ${snippet(line)}`);
        if (out.length === 0) throw this.failed;
        return out;
      }
    }
    return out;
  }
}

/** Decodes a body into JSON values as they arrive. */
export async function* ndjsonValues(
  body: ByteSource,
  opts: Pick<LineDecoderOptions, 'maxLineLength'> = {},
): AsyncGenerator<unknown> {
  yield* decodeBody(new NdjsonDecoder(opts), body);
}
