/**
 * In-flight chat turns of this server (HTTP, SSE, OpenAI-compatible and WebSocket), so shutdown can drain them: wait
 * up to the drain time for turns to finish, then abort the rest (the engine keeps each partial reply, marked
 * interrupted) before the engine flushes its batched writes.
 */
import { setTimeout as delay } from 'node:timers/promises';

export class TurnRegistry {
  private active = new Set<AbortController>();

  /** A controller for one turn, aborted by `signal` too (a closed connection); call `done` when the turn ends. */
  start(signal?: AbortSignal): { controller: AbortController; done: () => void } {
    const controller = new AbortController();
    const onAbort = (): void => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    this.active.add(controller);
    return {
      controller,
      done: () => {
        signal?.removeEventListener('abort', onAbort);
        this.active.delete(controller);
      },
    };
  }

  get size(): number {
    return this.active.size;
  }

  async drain(ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (this.active.size && Date.now() < until) await delay(20);
    for (const c of this.active) c.abort();
    // Aborted turns still persist their partial reply; give them a moment to do so.
    const grace = Date.now() + 2_000;
    while (this.active.size && Date.now() < grace) await delay(10);
  }
}
