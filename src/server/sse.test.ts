import { describe, expect, it } from 'vitest';
import { sseFrame, withHeartbeat } from './sse.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('SSE heartbeat', () => {
  it('sends a comment while the source is silent, and every frame in order', async () => {
    async function* slow(): AsyncGenerator<string> {
      yield sseFrame('token', 'a');
      await sleep(130);
      yield sseFrame('token', 'b');
    }
    const out: string[] = [];
    for await (const f of withHeartbeat(slow(), 40)) out.push(f);
    const frames = out.filter((f) => !f.startsWith(':'));
    expect(frames).toEqual([sseFrame('token', 'a'), sseFrame('token', 'b')]);
    expect(out.filter((f) => f === ': keep-alive\n\n').length).toBeGreaterThanOrEqual(2);
    expect(out.at(-1)).toBe(sseFrame('token', 'b'));
  });

  it('sends no heartbeat when frames keep coming, and ends the source when the consumer stops', async () => {
    let ended = false;
    async function* fast(): AsyncGenerator<string> {
      try {
        for (let i = 0; ; i++) {
          await sleep(1);
          yield `data: ${i}\n\n`;
        }
      } finally {
        ended = true;
      }
    }
    const out: string[] = [];
    for await (const f of withHeartbeat(fast(), 1000)) {
      out.push(f);
      if (out.length === 5) break;
    }
    await sleep(20);
    expect(out.every((f) => f.startsWith('data:'))).toBe(true);
    expect(ended).toBe(true);
  });
});
