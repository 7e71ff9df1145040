/**
 * MCP over Streamable HTTP for `progeny serve` (docs/mcp.md): one SDK transport and server per session, created by an
 * `initialize` request and found again by its `mcp-session-id` header. The bearer token was checked by the server's
 * hook before this runs; each request hands its own caller to the tools, so capabilities are read per call. A session
 * belongs to the token that opened it (another token gets 404, as for an unknown session). Sessions are bounded, in
 * all and per token: idle ones are pruned, and past a cap the least recently used is closed, the caller's own first.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { ErrorCode, isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Engine } from '../core/engine/engine.js';
import type { TurnRegistry } from '../server/turns.js';
import { createMcpServer, type McpCaller } from './server.js';
import type { McpPrincipal } from './tool.js';

export const MAX_SESSIONS = 64;
/** One token cannot hold more than this many, so a single device token cannot crowd out the others' sessions. */
export const MAX_SESSIONS_PER_TOKEN = 16;
export const SESSION_IDLE_MS = 30 * 60_000;

export interface McpHttpOptions {
  engine: Engine;
  version: string;
  turns: TurnRegistry;
  log(message: string): void;
  maxSessions?: number;
  maxSessionsPerToken?: number;
  idleMs?: number;
  now?: () => number;
}

interface Session {
  transport: StreamableHTTPServerTransport;
  server: Server;
  owner: string;
  lastUsed: number;
}

export type McpHttp = ReturnType<typeof createMcpHttp>;

export function createMcpHttp(o: McpHttpOptions) {
  const sessions = new Map<string, Session>();
  const max = o.maxSessions ?? MAX_SESSIONS;
  const perToken = o.maxSessionsPerToken ?? MAX_SESSIONS_PER_TOKEN;
  const idleMs = o.idleMs ?? SESSION_IDLE_MS;
  const now = o.now ?? Date.now;

  const drop = (id: string): void => {
    const s = sessions.get(id);
    if (!s) return;
    sessions.delete(id);
    void s.server.close().catch(() => undefined);
  };
  const makeRoom = (owner: string): void => {
    for (const [id, s] of sessions) if (now() - s.lastUsed > idleMs) drop(id);
    const byAge = [...sessions].sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    const own = byAge.filter(([, s]) => s.owner === owner);
    // At its own cap a token's least recently used session makes room; at the global cap, the caller's own first.
    if (own.length >= perToken) return drop(own[0]![0]);
    if (sessions.size < max) return;
    const victim = own[0] ?? byAge[0];
    if (victim) drop(victim[0]);
  };

  async function open(req: IncomingMessage, res: ServerResponse, body: unknown, owner: string): Promise<void> {
    makeRoom(owner);
    const server = createMcpServer({
      engine: o.engine,
      version: o.version,
      turns: o.turns,
      callerOf: (extra) => extra.authInfo?.extra?.caller as McpCaller,
      log: o.log,
    });
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      enableJsonResponse: true,
      // Called while handleRequest below answers the initialize request, after `session` exists.
      onsessioninitialized: (id) => void sessions.set(id, session),
      onsessionclosed: (id) => void sessions.delete(id),
    });
    const session: Session = { transport, server, owner, lastUsed: now() };
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  }

  return {
    /** Serves one authenticated request to /mcp (POST, GET or DELETE). */
    async handle(
      req: IncomingMessage,
      res: ServerResponse,
      body: unknown,
      principal: McpPrincipal,
      recheck?: McpCaller['recheck'],
    ): Promise<void> {
      // The tools of this request see its caller, and stop when its connection closes before the answer is sent.
      const gone = new AbortController();
      res.once('close', () => {
        if (!res.writableFinished) gone.abort();
      });
      const caller: McpCaller = { principal, signal: gone.signal, ...(recheck ? { recheck } : {}) };
      Object.assign(req, {
        auth: { token: '', clientId: principal.id, scopes: [...principal.capabilities], extra: { caller } },
      });
      const header = req.headers['mcp-session-id'];
      const id = Array.isArray(header) ? header[0] : header;
      if (id) {
        const s = sessions.get(id);
        if (!s || s.owner !== principal.id)
          return reject(res, 404, 'session not found: it ended or belongs to another token; initialize a new one');
        s.lastUsed = now();
        return s.transport.handleRequest(req, res, body);
      }
      if (req.method === 'POST' && isInitializeRequest(body)) return open(req, res, body, principal.id);
      return reject(res, 400, 'no mcp-session-id header: start with an initialize request');
    },
    size: (): number => sessions.size,
    /** Closes every session (server shutdown, after in-flight turns were drained). */
    async close(): Promise<void> {
      const all = [...sessions.values()];
      sessions.clear();
      await Promise.all(all.map((s) => s.server.close().catch(() => undefined)));
    },
  };
}

function reject(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: ErrorCode.InvalidRequest, message } }));
}
