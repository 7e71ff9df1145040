/**
 * Server-Sent Events from an async iterable, as a Readable that fastify pipes to the socket: an event is produced only
 * when the socket has room (backpressure reaches the engine, and through it the model stream), and a closed connection
 * destroys the stream, which ends the iteration (the engine keeps the partial turn). While the model is silent (loading,
 * thinking) a comment line goes out every HEARTBEAT_MS, so proxies and clients with idle timeouts keep the stream.
 */
import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';

export const HEARTBEAT_MS = 15_000;
const HEARTBEAT = ': keep-alive\n\n';

export function sendSse(reply: FastifyReply, frames: AsyncIterable<string>, heartbeatMs = HEARTBEAT_MS): FastifyReply {
  reply
    .code(200)
    .header('content-type', 'text/event-stream; charset=utf-8')
    .header('cache-control', 'no-cache, no-transform')
    .header('x-accel-buffering', 'no');
  return reply.send(Readable.from(withHeartbeat(frames, heartbeatMs), { objectMode: false, highWaterMark: 1 }));
}

/** The frames, with a heartbeat comment whenever the next frame takes longer than everyMs. */
export async function* withHeartbeat(frames: AsyncIterable<string>, everyMs: number): AsyncGenerator<string> {
  const it = frames[Symbol.asyncIterator]();
  let finished = false;
  // The pending next frame survives heartbeats; the next one is asked for only once this one is taken (backpressure).
  let next = it.next();
  try {
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const tick = new Promise<'tick'>((resolve) => (timer = setTimeout(resolve, everyMs, 'tick')));
      const r = await Promise.race([next, tick]).finally(() => clearTimeout(timer));
      if (r === 'tick') {
        yield HEARTBEAT;
        continue;
      }
      if (r.done) {
        finished = true;
        return;
      }
      yield r.value;
      next = it.next();
    }
  } finally {
    // The consumer stopped early (the client went away): end the source too. Not awaited: a source waiting for its
    // next token ends when the turn's abort signal fires.
    if (!finished) it.return?.().catch(() => undefined);
  }
}

export const sseFrame = (event: string | undefined, data: unknown): string =>
  `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
