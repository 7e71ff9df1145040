import { describe, expect, it } from 'vitest';
import { HttpParseError, ResponseParser, type ParsedResponse } from './response-parser.js';

function parser(head = false): { p: ResponseParser; got: ParsedResponse[] } {
  const got: ParsedResponse[] = [];
  return { p: new ResponseParser((r) => got.push({ ...r }), head), got };
}

/** Feeds `text` in pieces of `size` bytes (1 = every possible split point). */
function feed(p: ResponseParser, text: string, size: number): void {
  const b = Buffer.from(text, 'latin1');
  for (let i = 0; i < b.length; i += size) p.push(b.subarray(i, i + size));
}

const OK = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{"trust":0.5}';
const CHUNKED =
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-Trailer: t\r\n\r\n';

describe('ResponseParser', () => {
  it('frames a Content-Length response whole and split at every byte', () => {
    for (const size of [1, 2, 3, 7, 1000]) {
      const { p, got } = parser();
      feed(p, OK, size);
      expect(got, `pieces of ${size}`).toEqual([{ status: 200, keepAlive: true }]);
      expect(p.idle).toBe(true);
    }
  });

  it('frames chunked bodies with extensions and trailers at every split point', () => {
    for (const size of [1, 2, 5, 1000]) {
      const { p, got } = parser();
      feed(p, CHUNKED + CHUNKED, size);
      expect(got, `pieces of ${size}`).toHaveLength(2);
      expect(p.idle).toBe(true);
    }
  });

  it('does not complete a response before its last body byte', () => {
    const { p, got } = parser();
    feed(p, OK.slice(0, -1), 1000);
    expect(got).toHaveLength(0);
    expect(p.idle).toBe(false);
    feed(p, OK.slice(-1), 1000);
    expect(got).toHaveLength(1);
  });

  it('splits pipelined responses read together, with a partial one at the end', () => {
    const { p, got } = parser();
    const notFound = 'HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n';
    feed(p, OK + notFound + CHUNKED + OK.slice(0, 20), 10_000);
    expect(got.map((r) => r.status)).toEqual([200, 404, 200]);
    feed(p, OK.slice(20), 10_000);
    expect(got.map((r) => r.status)).toEqual([200, 404, 200, 200]);
  });

  it('reads connection reuse from the version and the Connection header', () => {
    const { p, got } = parser();
    feed(p, 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n', 1000);
    feed(p, 'HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n', 1000);
    feed(p, 'HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n', 1000);
    expect(got.map((r) => r.keepAlive)).toEqual([false, false, true]);
  });

  it('has no body for 204, 304, 1xx and HEAD responses; a body without length runs until close', () => {
    const { p, got } = parser();
    feed(
      p,
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nContent-Length: 99\r\n\r\nHTTP/1.1 304 Not Modified\r\n\r\n',
      1000,
    );
    expect(got.map((r) => r.status)).toEqual([204, 304]);
    const head = parser(true);
    feed(head.p, 'HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n', 1000);
    expect(head.got).toHaveLength(2);
    const close = parser();
    feed(close.p, 'HTTP/1.1 200 OK\r\n\r\nbody until the end', 4);
    expect(close.got).toHaveLength(0);
    close.p.end();
    expect(close.got).toEqual([{ status: 200, keepAlive: false }]);
  });

  it('throws HttpParseError on malformed responses instead of crashing or hanging', () => {
    const bad = [
      'HTTX/1.1 200 OK\r\n\r\n',
      'HTTP/1.1 2000 OK\r\n\r\n',
      'HTTP/1.1 200 OK\r\nno colon here\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY',
      `HTTP/1.1 200 OK\r\nX: ${'a'.repeat(70_000)}`,
    ];
    for (const text of bad) {
      for (const size of [1, 100_000]) {
        const { p } = parser();
        expect(() => feed(p, text, size), JSON.stringify(text.slice(0, 60))).toThrow(HttpParseError);
      }
    }
  });

  it('throws at end of stream when a response was cut short, not when idle', () => {
    const { p } = parser();
    feed(p, OK, 1000);
    expect(() => p.end()).not.toThrow();
    feed(p, OK.slice(0, 30), 1000);
    expect(() => p.end()).toThrow(/middle of a response/);
  });

  it('does not keep references to the caller’s buffer across pieces', () => {
    const { p, got } = parser();
    const scratch = Buffer.alloc(64);
    const text = Buffer.from(OK, 'latin1');
    for (let i = 0; i < text.length; i += 16) {
      const n = text.copy(scratch, 0, i, i + 16);
      p.push(scratch.subarray(0, n));
      scratch.fill(0x58); // the socket's static read buffer is overwritten by the next read
    }
    expect(got).toEqual([{ status: 200, keepAlive: true }]);
  });

  it('reads only buf[0, end): stale bytes of an earlier read past `end` are ignored', () => {
    const { p, got } = parser();
    const scratch = Buffer.alloc(256, 0x58);
    scratch.write(OK, 0, 'latin1'); // a whole response sits in the buffer from an earlier read…
    p.push(scratch, 20); // …but only its first 20 bytes are this read's
    expect(got).toHaveLength(0);
    const rest = Buffer.from(OK, 'latin1').subarray(20);
    scratch.fill(0x58);
    rest.copy(scratch);
    p.push(scratch, rest.length);
    expect(got).toEqual([{ status: 200, keepAlive: true }]);
  });
});
