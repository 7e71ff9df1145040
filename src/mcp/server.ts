/**
 * The MCP server (docs/mcp.md), one per connection: the SDK's protocol `Server` with our tools and resources. Every
 * request asks `callerOf` who is calling, so over HTTP a token's capabilities are read on each call (a change or
 * a revocation applies to sessions already open); over stdio the caller is the home's owner. Arguments are checked
 * against the tool's schema before it runs: unknown tools and bad arguments are protocol errors (-32602) naming the
 * field; what the engine refuses (an unknown id, a missing capability) is a tool result with isError, which a model
 * reads and can act on.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListResourcesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
  type CallToolResult,
} from '@modelcontextprotocol/sdk/types.js';
import type { Engine } from '../core/engine/engine.js';
import type { Capability } from '../core/devices/service.js';
import { toProgenyError, type ProgenyError } from '../core/errors.js';
import { check } from '../server/schema.js';
import type { TurnRegistry } from '../server/turns.js';
import { protocolError } from './protocol-error.js';
import { readResource, resourcesFor } from './resources.js';
import { hasCapability, type McpPrincipal, type McpTool } from './tool.js';
import { TOOLS } from './tools.js';

/** Who made one request, and (over HTTP) a signal aborted when that request's connection closes unanswered. */
export interface McpCaller {
  principal: McpPrincipal;
  signal?: AbortSignal;
  /**
   * Over HTTP: reads the request's token again; a refusal when it was revoked or lost `cap` since the call began
   * (a long chat turn checks it at every event, as POST /v1/chat does). Absent over stdio (the owner).
   */
  recheck?: (cap: Capability) => ProgenyError | undefined;
}

export interface McpServerOptions {
  engine: Engine;
  version: string;
  turns: TurnRegistry;
  /** The caller of one request (from the request's auth info over HTTP; the owner over stdio). */
  callerOf(extra: { authInfo?: { extra?: Record<string, unknown> } }): McpCaller;
  /** Where unexpected failures are logged (stderr): never stdout, which carries only protocol messages. */
  log(message: string): void;
}

const INSTRUCTIONS =
  "progeny is the user's local AI companion. Its memory of the user follows them across tools: search it before answering about the user, add durable facts the user shares, and forget only on the user's request.";

export function createMcpServer(o: McpServerOptions): Server {
  const server = new Server(
    { name: 'progeny', title: 'progeny companion', version: o.version },
    { capabilities: { tools: {}, resources: {} }, instructions: INSTRUCTIONS },
  );
  const byName = new Map(TOOLS.map((t) => [t.name, t]));
  const patterns = new Map<string, RegExp>();

  server.setRequestHandler(ListToolsRequestSchema, (_req, extra) => {
    const p = o.callerOf(extra).principal;
    return { tools: TOOLS.filter((t) => hasCapability(p, t.capability)).map(describe) };
  });

  server.setRequestHandler(CallToolRequestSchema, async (req, extra): Promise<CallToolResult> => {
    const tool = byName.get(req.params.name);
    if (!tool)
      throw protocolError(
        ErrorCode.InvalidParams,
        `unknown tool "${req.params.name}"; the tools are ${TOOLS.map((t) => t.name).join(', ')}`,
      );
    const checked = check(tool.inputSchema, req.params.arguments ?? {}, '', false, patterns);
    if (!checked.ok) {
      const field = checked.error.instancePath ? `${checked.error.instancePath.slice(1).replace(/\//g, '.')} ` : '';
      throw protocolError(
        ErrorCode.InvalidParams,
        `invalid arguments for ${tool.name}: ${field}${checked.error.message}`,
      );
    }
    const { principal, signal, recheck } = o.callerOf(extra);
    if (!hasCapability(principal, tool.capability))
      return toolError(
        'FORBIDDEN',
        `token "${principal.name}" lacks the ${tool.capability} capability needed by ${tool.name}`,
        `grant it with \`progeny token caps ${principal.id} …,${tool.capability}\``,
      );
    try {
      const args = checked.value as Record<string, unknown>;
      const out = await tool.run(args, {
        engine: o.engine,
        principal,
        signal: signal ? AbortSignal.any([extra.signal, signal]) : extra.signal,
        turns: o.turns,
        ...(recheck ? { recheck } : {}),
      });
      const json = JSON.stringify(out.structured);
      return {
        structuredContent: out.structured,
        content: out.summary
          ? [
              { type: 'text', text: out.summary },
              { type: 'text', text: json },
            ]
          : [{ type: 'text', text: json }],
      };
    } catch (err) {
      const e = toProgenyError(err);
      if (e.code === 'UNEXPECTED') o.log(`mcp: ${tool.name} failed: ${e.message}`);
      return toolError(e.code, e.message, e.hint);
    }
  });

  server.setRequestHandler(ListResourcesRequestSchema, (_req, extra) => ({
    resources: resourcesFor(o.callerOf(extra).principal),
  }));
  server.setRequestHandler(ReadResourceRequestSchema, (req, extra) =>
    readResource(o.engine, o.callerOf(extra).principal, req.params.uri),
  );
  return server;
}

function describe(t: McpTool) {
  return {
    name: t.name,
    title: t.title,
    description: t.description,
    inputSchema: t.inputSchema,
    outputSchema: t.outputSchema,
    annotations: { title: t.title, ...t.annotations },
  };
}

function toolError(code: string, message: string, hint: string | undefined): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: `${code}: ${message}${hint ? ` (${hint})` : ''}` }] };
}
