import { describe, expect, it } from 'vitest';
import { LineDecoder } from './lines.js';
import { NdjsonDecoder } from './ndjson.js';
import { SseDecoder } from './sse.js';
import { WireError } from './wire-error.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Feeds the bytes one at a time, collecting everything the decoder emits. */
function byteByByte<T>(d: { push(b: Uint8Array): T[]; end(): T[] }, bytes: Uint8Array): T[] {
  const out: T[] = [];
  for (let i = 0; i < bytes.length; i++) out.push(...d.push(bytes.subarray(i, i + 1)));
  out.push(...d.end());
  return out;
}

/** Every way of cutting the bytes in two must give the same result as one piece. */
function everySplit<T>(make: () => { push(b: Uint8Array): T[]; end(): T[] }, bytes: Uint8Array): T[][] {
  const results: T[][] = [];
  for (let cut = 0; cut <= bytes.length; cut++) {
    const d = make();
    results.push([...d.push(bytes.subarray(0, cut)), ...d.push(bytes.subarray(cut)), ...d.end()]);
  }
  return results;
}

describe('LineDecoder', () => {
  it('splits on LF and CRLF, keeping a last line without newline', () => {
    expect(byteByByte(new LineDecoder(), enc('a\r\nb\n\nc'))).toEqual(['a', 'b', '', 'c']);
  });

  it('reassembles UTF-8 sequences split between chunks', () => {
    const text = 'café — Zoë 🌿\nnext';
    const lines = byteByByte(new LineDecoder(), enc(text));
    expect(lines).toEqual(['café — Zoë 🌿', 'next']);
    for (const r of everySplit(() => new LineDecoder(), enc(text))) expect(r).toEqual(['café — Zoë 🌿', 'next']);
  });

  it('treats a lone CR as a newline only when asked, even when CRLF is split across chunks', () => {
    const d = new LineDecoder({ crIsNewline: true });
    expect([...d.push(enc('a\r')), ...d.push(enc('\nb\rc\r')), ...d.push(enc('d')), ...d.end()]).toEqual([
      'a',
      'b',
      'c',
      'd',
    ]);
    expect(byteByByte(new LineDecoder({ crIsNewline: false }), enc('a\rb\n'))).toEqual(['a\rb']);
  });

  it('bounds the length of a line, whether it arrives whole or in pieces', () => {
    expect(() => new LineDecoder({ maxLineLength: 8 }).push(enc('0123456789\n'))).toThrow(/longer than 8/);
    const d = new LineDecoder({ maxLineLength: 8 });
    expect(() => byteByByte(d, enc('0123456789'))).toThrow(WireError);
  });

  it('delivers the lines before an over-long one, then fails on the next call', () => {
    const d = new LineDecoder({ maxLineLength: 8 });
    expect(d.push(enc('ok\n0123456789\n'))).toEqual(['ok']);
    expect(() => d.end()).toThrow(/longer than 8/);
  });

  it('rejects bytes that are not UTF-8, and a sequence left open at the end', () => {
    expect(() => new LineDecoder().push(new Uint8Array([0x61, 0xff, 0x0a]))).toThrow(/not valid UTF-8/);
    const d = new LineDecoder();
    d.push(new Uint8Array([0xe2, 0x80]));
    expect(() => d.end()).toThrow(/not valid UTF-8/);
  });
});

describe('NdjsonDecoder', () => {
  const stream =
    '{"message":{"content":"caf"},"done":false}\n{"message":{"content":"é 🌿"},"done":false}\r\n\n{"done":true}';

  it('decodes values fed byte by byte and at every split point', () => {
    const expected = [
      { message: { content: 'caf' }, done: false },
      { message: { content: 'é 🌿' }, done: false },
      { done: true },
    ];
    expect(byteByByte(new NdjsonDecoder(), enc(stream))).toEqual(expected);
    for (const r of everySplit(() => new NdjsonDecoder(), enc(stream))) expect(r).toEqual(expected);
  });

  it('delivers the values before a bad line, then names the line without dumping the whole body', () => {
    const d = new NdjsonDecoder();
    const bad = `{"done":false}\n<html>${'x'.repeat(500)}</html>\n{"done":true}\n`;
    expect(d.push(enc(bad))).toEqual([{ done: false }]);
    let err: unknown;
    try {
      d.push(enc('{"more":1}\n'));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WireError);
    expect((err as WireError).kind).toBe('bad_response');
    expect((err as WireError).message).toMatch(/^line 2 of the stream is not JSON: <html>x+…$/);
    expect((err as WireError).message.length).toBeLessThan(140);
  });
});

describe('SseDecoder', () => {
  const body =
    ': keep-alive comment\r\n' +
    'data: {"a":"café"}\r\n\r\n' +
    'event: ping\ndata:no-space\n\n' +
    'data: line one\ndata: line two\nid: 7\n\n' +
    'retry: 100\n\n' + // no data: dispatches nothing
    'data: [DONE]\n\n';
  const expected = [
    { event: 'message', data: '{"a":"café"}' },
    { event: 'ping', data: 'no-space' },
    { event: 'message', data: 'line one\nline two', id: '7' },
    { event: 'message', data: '[DONE]', id: '7' },
  ];

  it('decodes events fed byte by byte and at every split point', () => {
    expect(byteByByte(new SseDecoder(), enc(body))).toEqual(expected);
    for (const r of everySplit(() => new SseDecoder(), enc(body))) expect(r).toEqual(expected);
  });

  it('dispatches a last event that lacks its blank line at the end of the stream', () => {
    expect(byteByByte(new SseDecoder(), enc('data: {"x":1}\n'))).toEqual([{ event: 'message', data: '{"x":1}' }]);
  });

  it('bounds an event made of many data lines', () => {
    const d = new SseDecoder({ maxLineLength: 32 });
    expect(() => d.push(enc('data: 0123456789\n'.repeat(5)))).toThrow(/event of the stream is longer than 32/);
  });
});
