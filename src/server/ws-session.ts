/**
 * One WebSocket connection: requests answered by id, chat turns streamed as `chat.event`s, notices pushed for the
 * subscribed topics. Backpressure: a chat turn waits while the socket's send buffer is above HIGH_WATER (so a slow
 * reader slows its own turn, not the server), notices are dropped for a client that far behind, and a client that
 * stays behind beyond STALL_MS or HARD_LIMIT is disconnected. Closing aborts the connection's turns; their partial
 * replies are kept by the engine.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { WebSocket } from 'ws';
import { ProgenyError, type ErrorJson } from '../core/errors.js';
import type { EngineNotice } from '../core/events.js';
import { hasCapability, requireCapability, type Principal } from './auth.js';
import type { RouteContext } from './context.js';
import type { RateLimiter } from './rate-limit.js';
import { toHttpError } from './errors.js';
import {
  parseClientMessage,
  TOPICS,
  WsMessageError,
  type ClientMessage,
  type ServerMessage,
  type Topic,
  WS_CLOSE,
} from './ws-protocol.js';

const HIGH_WATER = 1 << 20;
const HARD_LIMIT = 16 << 20;
const STALL_MS = 30_000;
const MAX_TURNS = 4;

export class WsSession {
  private topics = new Set<Topic>();
  private turns = new Map<string, AbortController>();
  private alive = true;
  private unsubscribe: () => void;

  constructor(
    private ws: WebSocket,
    private principal: Principal,
    private ctx: RouteContext,
    /** Device tokens share their HTTP rate limit with their WebSocket messages. */
    private limiter: RateLimiter | null = null,
    /** The connection's principal now (undefined once its token is revoked); re-read on every message. */
    private resolve: () => Principal | undefined = () => principal,
  ) {
    ctx.metrics.wsOpen();
    this.unsubscribe = ctx.engine.subscribe((n) => this.push(n));
    ws.on('pong', () => (this.alive = true));
    ws.on('message', (data, isBinary) => {
      const t0 = performance.now();
      if (isBinary)
        return this.send({
          type: 'error',
          error: { code: 'VALIDATION', message: 'binary frames are not supported', hint: 'send JSON text frames' },
        });
      void this.handle(data.toString(), t0);
    });
    ws.on('error', () => ws.terminate());
    ws.once('close', () => {
      ctx.metrics.wsClose();
      this.unsubscribe();
      for (const c of this.turns.values()) c.abort();
    });
    this.send({ type: 'hello', version: ctx.version, api: 'v1', topics: TOPICS });
  }

  heartbeat(): void {
    if (!this.alive) return void this.ws.terminate();
    if (!this.authorized()) return;
    this.alive = false;
    this.ws.ping();
  }

  async close(code: number, reason: string): Promise<void> {
    if (this.ws.readyState === this.ws.CLOSED) return;
    const closed = new Promise<void>((resolve) => this.ws.once('close', () => resolve()));
    this.ws.close(code, reason);
    await Promise.race([closed, delay(1_000).then(() => this.ws.terminate())]);
  }

  /**
   * Whether the token still holds `chat`: a device token revoked or downgraded since the upgrade ends the connection
   * (4401/4403, after an error message saying why), so no further message goes either way.
   */
  private authorized(): boolean {
    if (this.principal.kind === 'owner') return true;
    const now = this.resolve();
    if (now && hasCapability(now, 'chat')) {
      this.principal = now;
      return true;
    }
    if (this.ws.readyState !== this.ws.OPEN) return false;
    const why = now ? WS_CLOSE.forbidden : WS_CLOSE.revoked;
    const error = now
      ? { code: 'FORBIDDEN', message: `token "${now.name}" lost the chat capability`, hint: 'grant chat again' }
      : { code: 'INVALID_TOKEN', message: 'the token was revoked', hint: 'connect with a valid token' };
    this.ws.send(JSON.stringify({ type: 'error', error }));
    this.ws.close(why.code, why.reason);
    return false;
  }

  private send(msg: ServerMessage): void {
    if (this.ws.readyState !== this.ws.OPEN || !this.authorized()) return;
    if (this.ws.bufferedAmount > HARD_LIMIT) return void this.ws.terminate();
    this.ctx.metrics.wsOut(msg.type);
    this.ws.send(JSON.stringify(msg));
  }

  /** Sends a notice if the client subscribed to its topic and is keeping up. */
  /**
   * The embedder's fallback is announced once, when it happens (often as `serve` starts, before any client): a client
   * that subscribes later is told at once, so it never takes words-only results for the model's (docs/api.md).
   */
  private replayFallback(): void {
    const h = this.ctx.engine.embedder();
    if (h.state === 'fallback') this.push({ type: 'embedder', id: h.id, state: 'fallback', detail: h.detail ?? '' });
  }

  push(notice: EngineNotice): void {
    if (!this.topics.has(notice.type)) return;
    if (this.ws.bufferedAmount > HIGH_WATER) return this.ctx.metrics.wsDropped();
    this.send({ type: 'notice', notice });
  }

  /** Resolves once the client has read enough; false when it stalled for too long (the connection is then closed). */
  private async writable(): Promise<boolean> {
    const until = Date.now() + STALL_MS;
    while (this.ws.bufferedAmount > HIGH_WATER) {
      if (this.ws.readyState !== this.ws.OPEN) return false;
      if (Date.now() > until) {
        this.ws.terminate();
        return false;
      }
      await delay(5);
    }
    return this.ws.readyState === this.ws.OPEN;
  }

  private async handle(raw: string, t0: number): Promise<void> {
    if (!this.authorized()) return;
    let msg: ClientMessage;
    try {
      msg = parseClientMessage(raw);
    } catch (err) {
      const e = err as WsMessageError;
      return this.send({ type: 'error', ...(e.id ? { id: e.id } : {}), error: errorBody(e) });
    }
    this.ctx.metrics.wsIn(msg.type);
    const id = 'id' in msg && msg.id !== undefined ? { id: msg.id } : {};
    try {
      const wait = this.limiter && this.principal.kind === 'device' ? this.limiter.take(this.principal.id) : 0;
      if (wait > 0) {
        this.ctx.metrics.limited();
        throw new ProgenyError('RATE_LIMITED', `too many messages for token "${this.principal.name}"`, {
          hint: `retry after ${wait} s; the limit is server.rateLimit messages/s per token`,
        });
      }
      switch (msg.type) {
        case 'ping':
          this.send({ type: 'pong', ...id, t: Date.now() });
          break;
        case 'state.get':
          this.send({ type: 'state', ...id, state: this.ctx.engine.state.read() });
          break;
        case 'subscribe':
        case 'unsubscribe': {
          const newly = msg.type === 'subscribe' && msg.topics.includes('embedder') && !this.topics.has('embedder');
          for (const t of msg.topics) {
            if (msg.type === 'subscribe') this.topics.add(t);
            else this.topics.delete(t);
          }
          this.send({ type: 'subscribed', ...id, topics: [...this.topics] });
          if (newly) this.replayFallback();
          break;
        }
        case 'cancel':
          this.turns.get(msg.id)?.abort();
          break;
        case 'chat':
          return await this.chat(msg);
      }
      this.ctx.metrics.wsReply(msg.type, performance.now() - t0);
    } catch (err) {
      this.send({ type: 'error', ...id, error: errorBody(err) });
    }
  }

  private async chat(msg: Extract<ClientMessage, { type: 'chat' }>): Promise<void> {
    requireCapability(this.principal, 'chat');
    if (this.turns.has(msg.id)) throw new WsMessageError('id', 'is already in use by a running chat', msg.id);
    if (this.turns.size >= MAX_TURNS) {
      throw new ProgenyError('TOO_MANY_TURNS', `at most ${MAX_TURNS} chats may run at once on one connection`, {
        hint: 'wait for a done event, or cancel a chat',
      });
    }
    const turn = this.ctx.turns.start();
    this.turns.set(msg.id, turn.controller);
    try {
      const input = {
        message: msg.message,
        ...(msg.conversationId ? { conversationId: msg.conversationId } : {}),
        ...(msg.actor ? { actor: msg.actor } : {}),
        ...(msg.continueReply ? { continueReply: true } : {}),
      };
      for await (const event of this.ctx.engine.turn(input, { signal: turn.controller.signal })) {
        if (!(await this.writable()) || !this.authorized()) {
          turn.controller.abort();
          break;
        }
        this.send({ type: 'chat.event', id: msg.id, event });
      }
    } catch (err) {
      this.send({ type: 'error', id: msg.id, error: errorBody(err) });
    } finally {
      this.turns.delete(msg.id);
      turn.done();
    }
  }
}

function errorBody(err: unknown): ErrorJson {
  if (err instanceof WsMessageError) {
    return {
      code: 'VALIDATION',
      message: err.message,
      hint: 'see docs/api.md, "WebSocket"',
      details: [{ field: err.field, reason: err.reason }],
    };
  }
  return toHttpError(err).body;
}
