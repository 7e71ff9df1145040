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

const STATUS_PREFIX = Buffer.from('HTTP/1.');
const CONTENT_LENGTH = Buffer.from('content-length');
const TRANSFER_ENCODING = Buffer.from('transfer-encoding');
const CONNECTION = Buffer.from('connection');

const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x39;

/** Case-insensitive match of a header name against a lower-case one (letters and '-' only, so `| 0x20` folds case). */
function nameIs(b: Buffer, start: number, end: number, lower: Buffer): boolean {
  if (end - start !== lower.length) return false;
  for (let k = 0; k < lower.length; k++) if ((b[start + k]! | 0x20) !== lower[k]) return false;
  return true;
}

/** The decimal number in b[start, end), or -1 unless it is 1–15 digits. */
function digits(b: Buffer, start: number, end: number): number {
  if (end <= start || end - start > 15) return -1;
  let n = 0;
  for (let k = start; k < end; k++) {
    if (!isDigit(b[k])) return -1;
    n = n * 10 + (b[k]! - 0x30);
  }
  return n;
}

const State = { Head: 0, Length: 1, ChunkSize: 2, ChunkData: 3, ChunkEnd: 4, Trailers: 5, UntilClose: 6 } as const;
type State = (typeof State)[keyof typeof State];

export class ResponseParser {
  private state: State = State.Head;
  /** Bytes of an unfinished head or line carried over from the previous piece (copied). */
  private carry: Buffer | null = null;
  private remaining = 0;
  private current: ParsedResponse = { status: 0, keepAlive: true };

  /** `head`: every request on this connection is a HEAD, so responses have no body whatever their headers say. */
  constructor(
    private readonly onResponse: (r: ParsedResponse) => void,
    private readonly head = false,
  ) {}

  /** True between responses: nothing of a next response has arrived yet. */
  get idle(): boolean {
    return this.state === State.Head && this.carry === null;
  }

  /**
   * Feeds one piece as read from the socket: `buf[0, end)`. The caller may reuse `buf` after this returns (the raw
   * pool passes its static read buffer and the byte count, so a read allocates nothing).
   */
  push(buf: Buffer, end = buf.length): void {
    let i = 0;
    while (i < end) {
      switch (this.state) {
        case State.Head: {
          const head = this.until(buf, i, end, HEAD_END, MAX_HEAD, 'response head');
          if (head === null) return;
          i = head.next;
          this.parseHead(head.bytes);
          break;
        }
        case State.Length:
        case State.ChunkData: {
          const n = Math.min(this.remaining, end - i);
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
          const line = this.until(buf, i, end, CRLF, MAX_LINE, 'chunk size line');
          if (line === null) return;
          i = line.next;
          const hex = line.bytes
            .toString('latin1', 0, line.bytes.length - 2)
            .split(';')[0]!
            .trim();
          if (!/^[0-9a-fA-F]{1,12}$/.test(hex)) throw new HttpParseError(`bad chunk size "${hex.slice(0, 20)}"`);
          const size = parseInt(hex, 16);
          this.state = size === 0 ? State.Trailers : State.ChunkData;
          this.remaining = size;
          break;
        }
        case State.Trailers: {
          const line = this.until(buf, i, end, CRLF, MAX_HEAD, 'trailer');
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
  private until(
    buf: Buffer,
    i: number,
    end: number,
    delim: Buffer,
    max: number,
    what: string,
  ): { bytes: Buffer; next: number } | null {
    if (this.carry === null) {
      const at = buf.indexOf(delim, i);
      // Past `end` lie stale bytes of an earlier read: a match there is no match.
      if (at >= 0 && at + delim.length <= end)
        return { bytes: buf.subarray(i, at + delim.length), next: at + delim.length };
      if (end - i > max) throw new HttpParseError(`${what} longer than ${max} bytes`);
      this.carry = Buffer.from(buf.subarray(i, end));
      return null;
    }
    const joined = Buffer.concat([this.carry, buf.subarray(i, end)]);
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

  /** Reads the head byte by byte: no string is built for a well-formed head but a Connection value. */
  private parseHead(bytes: Buffer): void {
    const statusEnd = bytes.indexOf(CRLF);
    if (
      !STATUS_PREFIX.equals(bytes.subarray(0, 7)) ||
      (bytes[7] !== 0x30 && bytes[7] !== 0x31) ||
      bytes[8] !== 0x20 ||
      !isDigit(bytes[9]) ||
      !isDigit(bytes[10]) ||
      !isDigit(bytes[11]) ||
      (bytes[12] !== 0x20 && statusEnd !== 12)
    ) {
      throw new HttpParseError(`bad status line "${bytes.toString('latin1', 0, Math.min(statusEnd, 40))}"`);
    }
    const status = (bytes[9]! - 0x30) * 100 + (bytes[10]! - 0x30) * 10 + (bytes[11]! - 0x30);
    let keepAlive = bytes[7] === 0x31;
    let length = -1;
    let chunked = false;
    for (let start = statusEnd + 2; start < bytes.length - 2;) {
      const end = bytes.indexOf(CRLF, start);
      const colon = bytes.indexOf(0x3a, start);
      if (colon <= start || colon > end)
        throw new HttpParseError(`bad header line "${bytes.toString('latin1', start, Math.min(end, start + 40))}"`);
      let vs = colon + 1;
      let ve = end;
      while (vs < ve && (bytes[vs] === 0x20 || bytes[vs] === 0x09)) vs++;
      while (ve > vs && (bytes[ve - 1] === 0x20 || bytes[ve - 1] === 0x09)) ve--;
      if (nameIs(bytes, start, colon, CONTENT_LENGTH)) {
        const n = digits(bytes, vs, ve);
        if (n < 0 || (length >= 0 && length !== n))
          throw new HttpParseError(`bad content-length "${bytes.toString('latin1', vs, Math.min(ve, vs + 20))}"`);
        length = n;
      } else if (nameIs(bytes, start, colon, TRANSFER_ENCODING)) {
        chunked = bytes.toString('latin1', vs, ve).toLowerCase().split(',').at(-1)!.trim() === 'chunked';
      } else if (nameIs(bytes, start, colon, CONNECTION)) {
        const value = bytes.toString('latin1', vs, ve).toLowerCase();
        if (value.includes('close')) keepAlive = false;
        else if (value.includes('keep-alive')) keepAlive = true;
      }
      start = end + 2;
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
