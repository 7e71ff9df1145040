/**
 * The background work is the server's: an embedder of createServer() that asks for a dream schedule gets cycles while
 * the server listens, and close() stops them (no cycle after it). Only the interval timers are faked, so the server
 * listens and the engine writes as usual.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mergeConfig } from '../core/config/load.js';
import { createEngine } from '../core/engine/create.js';
import { initializeHome } from '../core/engine/init.js';
import { tempHome } from '../testing/temp-home.js';
import { OWNER_TOKEN } from '../testing/test-server.js';
import type { BackgroundEvent } from './background.js';
import { createServer } from './create.js';

const HOUR = 3_600_000;
afterEach(() => vi.useRealTimers());

async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe('createServer({ background })', () => {
  it('runs the scheduled dream while listening and stops it on close()', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const home = tempHome('progeny-background-');
    const { config } = mergeConfig({ flags: { 'llm.provider': 'offline' } });
    const engine = await createEngine({ paths: home.paths, config });
    initializeHome(engine);
    const events: BackgroundEvent[] = [];
    const app = await createServer(engine, {
      token: OWNER_TOKEN,
      background: { dream: { everyHours: 2, summarise: false }, onEvent: (e) => events.push(e) },
    });
    try {
      await vi.advanceTimersByTimeAsync(4 * HOUR);
      expect(events).toEqual([]); // not before the server listens
      await app.listen({ host: '127.0.0.1', port: 0 });
      await vi.advanceTimersByTimeAsync(HOUR);
      expect(events).toEqual([]);
      await vi.advanceTimersByTimeAsync(HOUR);
      await until(() => events.length === 1);
      expect(events.map((e) => e.kind)).toEqual(['dream']);
      await vi.advanceTimersByTimeAsync(2 * HOUR);
      await until(() => events.length === 2);
      expect(events.map((e) => e.kind)).toEqual(['dream', 'dream']);

      await app.close();
      await vi.advanceTimersByTimeAsync(10 * HOUR);
      await new Promise((r) => setTimeout(r, 50));
      expect(events).toHaveLength(2);
    } finally {
      await app.close();
      await engine.close();
      home.cleanup();
    }
  });
});
