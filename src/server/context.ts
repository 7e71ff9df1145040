/** What every route module receives, and the per-route settings read by the server's hooks. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Capability } from '../core/devices/service.js';
import type { LocalEngine } from '../core/engine/local-engine.js';
import type { ProgenyError } from '../core/errors.js';
import type { EngineNotice } from '../core/events.js';
import type { Principal } from './auth.js';
import type { FastRead } from './fast-path.js';
import type { ServerMetrics } from './metrics.js';
import type { TurnRegistry } from './turns.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false: the route authenticates itself (health, the sync relay's signed requests). */
    auth?: boolean;
    /** The capability a token needs for this route. */
    cap?: Capability;
    /**
     * true: the route writes its reply itself (`reply.hijack()`), so fastify's onSend never sees it; it is recorded in
     * the metrics when the response finishes instead (src/server/create.ts, "observeResponse").
     */
    hijacks?: boolean;
    /** A GET route whose reply is this body: answered on the fast path in front of fastify (fast-path.ts). */
    fastRead?: FastRead;
  }
  interface FastifyRequest {
    principal?: Principal;
    /** The matched route pattern, for metrics. */
    routeUrl?: string;
    /** performance.now() when the request reached the server's first hook, for the latency histogram. */
    startedAt: number;
  }
  interface FastifyInstance {
    progeny: {
      routes: { method: string; url: string }[];
      inFlightTurns(): number;
      wsSessions(): number;
      /** Requests answered on the fast path (fast-path.ts). */
      fastPathServed(): number;
    };
  }
}

export interface RouteContext {
  engine: LocalEngine;
  turns: TurnRegistry;
  metrics: ServerMetrics;
  version: string;
  startedAt: number;
  /**
   * Pushes a notice to this server's WebSocket subscribers, for changes made through the API that the engine itself
   * does not announce (an explicit state adjustment, a heritage update).
   */
  notify(n: EngineNotice): void;
  /** Run at shutdown once in-flight turns were drained (e.g. closing MCP sessions). */
  closers: (() => Promise<void>)[];
  /**
   * The request's device token checked again, for work that outlives the request's auth hook (a chat turn): the
   * refusal (INVALID_TOKEN once revoked, FORBIDDEN without `cap`), or undefined while it still may. The owner's token
   * and unauthenticated routes always may.
   */
  recheck(req: FastifyRequest, cap: Capability): ProgenyError | undefined;
}

export type RouteModule = (app: FastifyInstance, ctx: RouteContext) => void;
