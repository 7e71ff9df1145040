/**
 * A minimal incremental HTTP/1.1 response parser for the open-model load generator: it frames responses (status
 * line, headers, a Content-Length, chunked or read-until-close body) out of whatever pieces the socket delivers, and
 * reports each response's status and whether the connection may be reused. Bodies are skipped, never kept. Bytes are
 * copied only when a piece ends mid-head or mid-chunk-line, so a response that arrives in one read costs no copy —
 * which is why it exists instead of node:http's client, whose per-request overhead would cap the generator.
 * Malformed input throws HttpParseError; the caller drops the connection.
 */

export class HttpParseError extends Error {
  override name = 'HttpParseError';
}

export interface ParsedResponse {
  status: number;
  /** False when the server said `Connection: close` (or HTTP/1.0 without keep-alive), or the body ran until close. */
  keepAlive: boolean;
}

const MAX_HEAD = 64 * 1024;
const MAX_LINE = 4 * 1024;
const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');

const State = { Head: 0, Length: 1, ChunkSize: 2, ChunkData: 3, ChunkEnd: 4, Trailers: 5, UntilClose: 6 } as const;
type State = (typeof State)[keyof typeof State];

export class ResponseParser {
  private state: State = State.Head;
  /** Bytes of an unfinished head or line carried over from the previous piece (copied). */
  private carry: Buffer | null = null;
  private remaining = 0;
  private current: ParsedResponse = { status: 0, keepAlive: true };

  /** `head`: every request on this connection is a HEAD, so responses have no body whatever their headers say. */
  constructor(private readonly onResponse: (r: ParsedResponse) => void, private readonly head = false) {}

  /** True between responses: nothing of a next response has arrived yet. */
  get idle(): boolean {
    return this.state === State.Head && this.carry === null;
  }

  /** Feeds one piece as read from the socket. The piece may be reused by the caller after this returns. */
  push(buf: Buffer): void {
    let i = 0;
    while (i < buf.length) {
      switch (this.state) {
        case State.Head: {
          const end = this.until(buf, i, HEAD_END, MAX_HEAD, 'response head');
          if (end === null) return;
          i = end.next;
          this.parseHead(end.bytes);
          break;
        }
        case State.Length:
        case State.ChunkData: {
          const n = Math.min(this.remaining, buf.length - i);
          this.remaining -= n;
          i += n;
          if (this.remaining === 0) {
            if (this.state === State.Length) this.complete();
            else {
              this.state = State.ChunkEnd;
              this.remaining = 2;
            }
          }
          break;
        }
        case State.ChunkEnd: {
          // The CRLF after a chunk's data, possibly split across pieces.
          const expect = this.remaining === 2 ? 0x0d : 0x0a;
          if (buf[i] !== expect) throw new HttpParseError('chunk data not followed by CRLF');
          i += 1;
          if (--this.remaining === 0) this.state = State.ChunkSize;
          break;
        }
        case State.ChunkSize: {
          const line = this.until(buf, i, CRLF, MAX_LINE, 'chunk size line');
          if (line === null) return;
          i = line.next;
          const hex = line.bytes.toString('latin1', 0, line.bytes.length - 2).split(';')[0]!.trim();
          if (!/^[0-9a-fA-F]{1,12}$/.test(hex)) throw new HttpParseError(`bad chunk size "${hex.slice(0, 20)}"`);
          const size = parseInt(hex, 16);
          this.state = size === 0 ? State.Trailers : State.ChunkData;
          this.remaining = size;
          break;
        }
        case State.Trailers: {
          const line = this.until(buf, i, CRLF, MAX_HEAD, 'trailer');
          if (line === null) return;
          i = line.next;
          if (line.bytes.length === 2) this.complete(); // the empty line ends the trailers and the response
          break;
        }
        case State.UntilClose:
          return; // everything up to the close is body
      }
    }
  }

  /** The socket ended: completes a body that runs until close; throws if a response was cut short. */
  end(): void {
    if (this.state === State.UntilClose) {
      this.state = State.Head;
      this.onResponse(this.current);
      return;
    }
    if (!this.idle) throw new HttpParseError('the connection closed in the middle of a response');
  }

  private complete(): void {
    this.state = State.Head;
    this.onResponse(this.current);
  }

  /**
   * Finds `delim` from `i`, joining any carried bytes: returns the bytes up to and including it and where the rest
   * of `buf` starts, or null after carrying the unfinished part (a copy) to the next piece.
   */
  private until(buf: Buffer, i: number, delim: Buffer, max: number, what: string): { bytes: Buffer; next: number } | null {
    if (this.carry === null) {
      const at = buf.indexOf(delim, i);
      if (at >= 0) return { bytes: buf.subarray(i, at + delim.length), next: at + delim.length };
      if (buf.length - i > max) throw new HttpParseError(`${what} longer than ${max} bytes`);
      this.carry = Buffer.from(buf.subarray(i));
      return null;
    }
    const joined = Buffer.concat([this.carry, buf.subarray(i)]);
    const at = joined.indexOf(delim, Math.max(0, this.carry.length - delim.length + 1));
    if (at < 0) {
      if (joined.length > max) throw new HttpParseError(`${what} longer than ${max} bytes`);
      this.carry = joined;
      return null;
    }
    const used = at + delim.length - this.carry.length;
    this.carry = null;
    return { bytes: joined.subarray(0, at + delim.length), next: i + used };
  }

  private parseHead(bytes: Buffer): void {
    const lines = bytes.toString('latin1', 0, bytes.length - 4).split('\r\n');
    const m = /^HTTP\/1\.([01]) (\d{3})(?: |$)/.exec(lines[0]!);
    if (!m) throw new HttpParseError(`bad status line "${lines[0]!.slice(0, 40)}"`);
    const status = Number(m[2]);
    let keepAlive = m[1] === '1';
    let length = -1;
    let chunked = false;
    for (let k = 1; k < lines.length; k++) {
      const line = lines[k]!;
      const colon = line.indexOf(':');
      if (colon <= 0) throw new HttpParseError(`bad header line "${line.slice(0, 40)}"`);
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim().toLowerCase();
      if (name === 'content-length') {
        if (!/^\d{1,15}$/.test(value) || (length >= 0 && length !== Number(value))) throw new HttpParseError(`bad content-length "${value.slice(0, 20)}"`);
        length = Number(value);
      } else if (name === 'transfer-encoding') {
        chunked = value.split(',').at(-1)!.trim() === 'chunked';
      } else if (name === 'connection') {
        if (value.includes('close')) keepAlive = false;
        else if (value.includes('keep-alive')) keepAlive = true;
      }
    }
    if (status < 200) return; // 1xx interim response: the real one follows
    this.current = { status, keepAlive };
    if (this.head || status === 204 || status === 304) return this.complete();
    if (chunked) this.state = State.ChunkSize;
    else if (length === 0) this.complete();
    else if (length > 0) {
      this.state = State.Length;
      this.remaining = length;
    } else {
      this.state = State.UntilClose;
      this.current.keepAlive = false;
    }
  }
}
