/**
 * What an MCP tool is here (docs/mcp.md): a name, a one-line description written for a model to choose well, JSON
 * schemas for its input and its structured output, the capability a caller needs, and what it does with the engine.
 * Inputs are checked with the server's own JSON-schema checker (src/server/schema.ts) before `run` sees them.
 */
import type { Capability } from '../core/devices/service.js';
import type { Engine } from '../core/engine/engine.js';
import type { ProgenyError } from '../core/errors.js';
import type { Memory } from '../core/memory/types.js';
import type { Schema } from '../server/schema.js';
import type { TurnRegistry } from '../server/turns.js';

/** Who is calling: the home's owner over stdio, a bearer token's principal over HTTP (checked on every call). */
export interface McpPrincipal {
  kind: 'owner' | 'device';
  id: string;
  name: string;
  capabilities: readonly Capability[];
}

export interface ToolCall {
  engine: Engine;
  principal: McpPrincipal;
  /** Aborted when the client cancels the call or goes away. */
  signal: AbortSignal;
  /** In-flight chat turns, so the owner (the stdio command, `progeny serve`) can drain them on shutdown. */
  turns: TurnRegistry;
  /** Over HTTP: the token read again (McpCaller.recheck); undefined while it still holds the capability. */
  recheck?: (cap: Capability) => ProgenyError | undefined;
}

export interface ToolOutcome {
  /** Matches the tool's output schema; sent as structuredContent and, as JSON, as the text content. */
  structured: Record<string, unknown>;
  /** A short line for clients that show text only (and for the model), placed before the JSON. */
  summary?: string;
}

export interface McpTool {
  name: string;
  title: string;
  description: string;
  capability: Capability;
  inputSchema: Schema & { type: 'object' };
  outputSchema: Record<string, unknown> & { type: 'object' };
  annotations: { readOnlyHint: boolean; destructiveHint?: boolean; idempotentHint?: boolean; openWorldHint: false };
  run(args: Record<string, unknown>, call: ToolCall): Promise<ToolOutcome>;
}

export function hasCapability(p: McpPrincipal, cap: Capability): boolean {
  return p.capabilities.includes(cap) || p.capabilities.includes('admin');
}

/** The fields of a memory a model needs (dates as ISO strings), and their output schema. */
export function memoryView(m: Memory): Record<string, unknown> {
  return {
    id: m.id,
    text: m.text,
    kind: m.kind,
    salience: m.salience,
    pinned: m.pinned,
    status: m.status,
    createdAt: new Date(m.createdAt).toISOString(),
  };
}

export const memoryViewSchema = {
  type: 'object',
  required: ['id', 'text', 'kind', 'salience', 'pinned', 'status', 'createdAt'],
  properties: {
    id: { type: 'string' },
    text: { type: 'string' },
    kind: { type: 'string' },
    salience: { type: 'number' },
    pinned: { type: 'boolean' },
    status: { type: 'string' },
    createdAt: { type: 'string' },
  },
} as const;
