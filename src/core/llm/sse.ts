/**
 * Server-Sent Events (the OpenAI streaming format), after the WHATWG event-stream rules: `field: value` lines, `data`
 * lines joined with \n, an empty line dispatches, `:` starts a comment, CR, LF and CRLF all end lines. One leniency:
 * an event left without its blank line at the end of the stream is still dispatched.
 */
import { decodeBody, LineDecoder, DEFAULT_MAX_LINE, type ByteSource, type LineDecoderOptions } from './lines.js';
import { WireError } from './wire-error.js';

export interface SseEvent {
  /** The `event:` field, or "message". */
  event: string;
  data: string;
  id?: string;
}

export class SseDecoder {
  private readonly lines: LineDecoder;
  private readonly max: number;
  private data: string[] = [];
  private dataLength = 0;
  private event = '';
  private id: string | undefined;
  private failed: WireError | undefined;

  constructor(opts: Pick<LineDecoderOptions, 'maxLineLength'> = {}) {
    this.max = opts.maxLineLength ?? DEFAULT_MAX_LINE;
    this.lines = new LineDecoder({ maxLineLength: this.max, crIsNewline: true });
  }

  push(bytes: Uint8Array): SseEvent[] {
    return this.feed(this.lines.push(bytes));
  }

  end(): SseEvent[] {
    if (this.failed) throw this.failed;
    const events = this.feed(this.lines.end());
    const last = this.dispatch();
    if (last) events.push(last);
    return events;
  }

  /** Events before an over-long one are still returned; the error is thrown by the next call. */
  private feed(lines: string[]): SseEvent[] {
    if (this.failed) throw this.failed;
    const events: SseEvent[] = [];
    for (const line of lines) {
      if (line === '') {
        const ev = this.dispatch();
        if (ev) events.push(ev);
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      try {
        this.field(field, value);
      } catch (err) {
        if (events.length === 0) throw err;
        this.failed = err as WireError;
        return events;
      }
    }
    return events;
  }

  private field(name: string, value: string): void {
    if (name === 'data') {
      this.dataLength += value.length + 1;
      if (this.dataLength > this.max) {
        throw new WireError('bad_response', `an event of the stream is longer than ${this.max} characters`);
      }
      this.data.push(value);
    } else if (name === 'event') this.event = value;
    else if (name === 'id' && !value.includes('\0')) this.id = value;
    // `retry` and unknown fields are ignored, as the standard says.
  }

  private dispatch(): SseEvent | undefined {
    const hasData = this.data.length > 0;
    const ev: SseEvent = { event: this.event || 'message', data: this.data.join('\n') };
    if (this.id !== undefined) ev.id = this.id;
    this.data = [];
    this.dataLength = 0;
    this.event = '';
    return hasData ? ev : undefined;
  }
}

export async function* sseEvents(
  body: ByteSource,
  opts: Pick<LineDecoderOptions, 'maxLineLength'> = {},
): AsyncGenerator<SseEvent> {
  yield* decodeBody(new SseDecoder(opts), body);
}
