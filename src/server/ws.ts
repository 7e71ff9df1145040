/**
 * WebSocket `/v1/ws` on the same port: the upgrade is authenticated like any route (bearer header, or `access_token`
 * in the query for browsers), needs the `chat` capability, counts against a device token's rate limit and its
 * `server.wsPerToken` open sockets, and is refused with a JSON error otherwise. Each connection
 * is a WsSession (ws-session.ts); dead peers are found by protocol pings. The `ws` module is loaded on the first
 * upgrade, so an idle server without WebSocket clients does not carry it.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { WebSocket, WebSocketServer } from 'ws';
import { requireCapability, tokenFrom, type Authenticator, type Principal } from './auth.js';
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

/** An upgrade refused with a Retry-After (the rate limit) carries it as a header. */
class Refusal extends ProgenyError {
  constructor(
    code: 'RATE_LIMITED' | 'TOO_MANY_CONNECTIONS',
    message: string,
    hint: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(code, message, { hint });
  }
}

function refuse(socket: Duplex, err: unknown): void {
  socket.end(rawErrorReply(err, err instanceof Refusal ? err.headers : {}));
}

/**
 * A device token's upgrades take from its rate-limit bucket (a reconnect loop costs like any request) and it may hold
 * at most `perToken` sockets open; the owner's token is limited by neither (docs/api.md, "WebSocket"). The counts are
 * keyed by device id, so they are bounded by the devices table, and an entry goes with its last socket.
 */
function connectionGate(limiter: RateLimiter | null, perToken: number) {
  const open = new Map<string, number>();
  return {
    /** Counts a socket for the principal until `socket` closes, or throws the refusal. */
    admit(principal: Principal, socket: Duplex): void {
      if (principal.kind !== 'device') return;
      const wait = limiter?.take(principal.id) ?? 0;
      if (wait > 0)
        throw new Refusal(
          'RATE_LIMITED',
          `too many requests for token "${principal.name}"`,
          `retry after ${wait} s; the limit is server.rateLimit requests/s per token`,
          { 'Retry-After': String(wait) },
        );
      const n = open.get(principal.id) ?? 0;
      if (n >= perToken)
        throw new Refusal(
          'TOO_MANY_CONNECTIONS',
          `token "${principal.name}" already holds ${n} WebSockets open`,
          `close one first; the limit is server.wsPerToken (${perToken})`,
        );
      open.set(principal.id, n + 1);
      // The raw socket closes whether the handshake fails or the WebSocket ends later, so the count cannot leak.
      socket.once('close', () => {
        const left = (open.get(principal.id) ?? 1) - 1;
        if (left > 0) open.set(principal.id, left);
        else open.delete(principal.id);
      });
    },
  };
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
  const gate = connectionGate(limiter, ctx.engine.config['server.wsPerToken']);
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
      gate.admit(principal, socket);
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
