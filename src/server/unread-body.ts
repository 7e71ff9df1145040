/**
 * A request refused before its body was read (authentication, rate limit, a Content-Length over the route's limit)
 * must not make the server read the rest of a large body: the reply goes out, then the server half-closes the
 * connection and drops what the client still sends for a moment, so the client can read the reply before the
 * connection is reset (closing at once would reset it with the reply possibly unread), and destroys it after
 * LINGER_BYTES or LINGER_MS. A small body (≤ KEEP_ALIVE_BYTES announced) is read and dropped by node as usual, so a
 * well-behaved client that was merely rate limited keeps its connection.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

const LINGER_BYTES = 8 * 1024 * 1024;
const KEEP_ALIVE_BYTES = 64 * 1024;
const LINGER_MS = 2_000;

export function closeIfBodyUnread(req: FastifyRequest, reply: FastifyReply): void {
  const raw = req.raw;
  if (raw.complete) return;
  const length = Number(raw.headers['content-length'] ?? NaN);
  if (length <= KEEP_ALIVE_BYTES) return;
  // No "Connection: close" header: node would destroy the socket the moment the reply is written. The FIN says it.
  reply.raw.once('finish', () => {
    const socket = raw.socket;
    // (Injected requests, in tests, have no real socket.)
    if (raw.complete || socket.destroyed || typeof socket.end !== 'function') return;
    socket.end();
    let dropped = 0;
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
    raw.on('data', (chunk: Buffer) => {
      dropped += chunk.length;
      if (dropped > LINGER_BYTES) socket.destroy();
    });
    raw.resume();
  });
}
