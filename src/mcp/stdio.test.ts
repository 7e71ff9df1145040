import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { idFromEdges, StdioLineTransport } from './stdio.js';

function wire(maxBytes?: number) {
  const input = new PassThrough();
  const output = new PassThrough();
  const t = new StdioLineTransport(input, output, maxBytes);
  const messages: unknown[] = [];
  const written: unknown[] = [];
  let closed = 0;
  t.onmessage = (m) => messages.push(m);
  t.onclose = () => closed++;
  let pending = '';
  output.on('data', (d: Buffer) => {
    pending += d.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const l of lines) written.push(JSON.parse(l));
  });
  return { t, input, output, messages, written, closed: () => closed };
}
const tick = () => new Promise((r) => setImmediate(r));

describe('the stdio transport', () => {
  it('delivers messages split across chunks and several per chunk', async () => {
    const w = wire();
    await w.t.start();
    w.input.write('{"jsonrpc":"2.0","method":"a"}\n{"jsonrpc":"2.0",');
    w.input.write('"method":"b"}\r\n\n');
    await tick();
    expect(w.messages).toEqual([
      { jsonrpc: '2.0', method: 'a' },
      { jsonrpc: '2.0', method: 'b' },
    ]);
    expect(w.written).toEqual([]);
  });

  it('answers a line that is not JSON, and one that is not JSON-RPC, and keeps going', async () => {
    const w = wire();
    await w.t.start();
    w.input.write('hello\n{"id":7,"method":1}\n{"jsonrpc":"2.0","id":8,"method":"ping"}\n');
    await tick();
    expect(w.written).toEqual([
      { jsonrpc: '2.0', id: null, error: { code: -32700, message: expect.stringMatching(/^parse error/) } },
      { jsonrpc: '2.0', id: 7, error: { code: -32600, message: expect.stringMatching(/^invalid request/) } },
    ]);
    expect(w.messages).toEqual([{ jsonrpc: '2.0', id: 8, method: 'ping' }]);
  });

  it('skips a line over the limit as it streams in, answers with its id, and reads the next one', async () => {
    const w = wire(1024);
    await w.t.start();
    const big = JSON.stringify({ method: 'tools/call', params: { text: 'x'.repeat(5000) }, jsonrpc: '2.0', id: 42 });
    for (let i = 0; i < big.length; i += 700) w.input.write(big.slice(i, i + 700));
    w.input.write('\n{"jsonrpc":"2.0","id":43,"method":"ping"}\n');
    await tick();
    expect(w.written).toEqual([
      {
        jsonrpc: '2.0',
        id: 42,
        error: { code: -32600, message: expect.stringMatching(/message too large: .* limit/) },
      },
    ]);
    expect(w.messages).toEqual([{ jsonrpc: '2.0', id: 43, method: 'ping' }]);
  });

  it('closes once when stdin ends, and when stdout breaks', async () => {
    const w = wire();
    await w.t.start();
    w.input.end();
    await tick();
    expect(w.closed()).toBe(1);
    await w.t.send({ jsonrpc: '2.0', method: 'late' }); // after close: dropped, no throw
    const v = wire();
    await v.t.start();
    v.output.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    expect(v.closed()).toBe(1);
  });

  it('reads the id of a too-large request from either end of the line', () => {
    expect(idFromEdges('{"method":"x","params":{"id":1', '...","jsonrpc":"2.0","id":9}')).toBe(9);
    expect(idFromEdges('{"jsonrpc":"2.0","id":"a-1","method":', 'xxxx"}}')).toBe('a-1');
    expect(idFromEdges('{"method":', 'xxxx"}}')).toBeNull();
  });
});
