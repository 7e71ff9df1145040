/**
 * WebSocket `/v1/ws` on the same port: the upgrade is authenticated like any route (bearer header, or `access_token`
 * in the query for browsers), needs the `chat` capability, and is refused with a JSON error otherwise. Each connection
 * is a WsSession (ws-session.ts); dead peers are found by protocol pings. The `ws` module is loaded on the first
 * upgrade, so an idle server without WebSocket clients does not carry it.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { WebSocket, WebSocketServer } from 'ws';
import { requireCapability, tokenFrom, type Authenticator } from './auth.js';
import type { RouteContext } from './context.js';
import type { RateLimiter } from './rate-limit.js';
import type { EngineNotice } from '../core/events.js';
import { ProgenyError } from '../core/errors.js';
import { rawErrorReply } from './errors.js';
import { WS_CLOSE } from './ws-protocol.js';
import { WsSession } from './ws-session.js';

export const WS_PATH = '/v1/ws';
export const WS_MAX_PAYLOAD = 64 * 1024;
const HEARTBEAT_MS = 30_000;

function refuse(socket: Duplex, err: unknown): void {
  socket.end(rawErrorReply(err));
}

export function attachWebSocket(
  app: FastifyInstance,
  ctx: RouteContext,
  auth: Authenticator,
  limiter: RateLimiter | null,
): { close(): Promise<void>; size(): number; notify(n: EngineNotice): void } {
  let wss: Promise<WebSocketServer> | undefined;
  const server = (): Promise<WebSocketServer> =>
    (wss ??= import('ws').then(
      ({ WebSocketServer }) =>
        new WebSocketServer({ noServer: true, maxPayload: WS_MAX_PAYLOAD, perMessageDeflate: false }),
    ));
  const sessions = new Set<WsSession>();
  let closing = false;

  app.server.on('upgrade', async (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    try {
      if ((req.url ?? '').split('?')[0] !== WS_PATH)
        throw new ProgenyError('NOT_FOUND', `no WebSocket endpoint at ${req.url ?? ''}`, {
          hint: `connect to ${WS_PATH}`,
        });
      if (closing)
        throw new ProgenyError('SHUTTING_DOWN', 'the server is shutting down', { hint: 'reconnect shortly' });
      const principal = auth.fromRequest(req.headers, req.url ?? '', { query: true });
      requireCapability(principal, 'chat');
      const token = tokenFrom(req.headers, req.url ?? '', { query: true }) ?? '';
      (await server()).handleUpgrade(req, socket, head, (ws: WebSocket) => {
        const session = new WsSession(ws, principal, ctx, limiter, () => auth.resolve(token));
        sessions.add(session);
        ws.once('close', () => sessions.delete(session));
      });
    } catch (err) {
      refuse(socket, err);
    }
  });

  const heartbeat = setInterval(() => {
    for (const s of sessions) s.heartbeat();
  }, HEARTBEAT_MS);
  heartbeat.unref();

  return {
    size: () => sessions.size,
    notify(n) {
      for (const s of sessions) s.push(n);
    },
    async close() {
      closing = true;
      clearInterval(heartbeat);
      await Promise.all([...sessions].map((s) => s.close(WS_CLOSE.shutdown.code, WS_CLOSE.shutdown.reason)));
      if (wss) {
        const w = await wss;
        await new Promise<void>((resolve) => w.close(() => resolve()));
      }
    },
  };
}
