/**
 * Server-Sent Events from an async iterable, as a Readable that fastify pipes to the socket: an event is produced only
 * when the socket has room (backpressure reaches the engine, and through it the model stream), and a closed connection
 * destroys the stream, which ends the iteration (the engine keeps the partial turn).
 */
import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';

export function sendSse(reply: FastifyReply, frames: AsyncIterable<string>): FastifyReply {
  reply
    .code(200)
    .header('content-type', 'text/event-stream; charset=utf-8')
    .header('cache-control', 'no-cache, no-transform')
    .header('x-accel-buffering', 'no');
  return reply.send(Readable.from(frames, { objectMode: false, highWaterMark: 1 }));
}

export const sseFrame = (event: string | undefined, data: unknown): string =>
  `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
