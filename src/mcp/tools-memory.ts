/**
 * The memory tools: search (a peek: it does not count as a recall), add one memory, forget one memory. Limits are the
 * HTTP API's (docs/api.md), so a model meets the same rules whichever door it uses.
 */
import { MEMORY_KINDS, type MemoryKind } from '../core/memory/types.js';
import { memoryView, memoryViewSchema, type McpTool } from './tool.js';

const MAX_TEXT = 32_000;
const kind = { type: 'string', enum: [...MEMORY_KINDS] };

export const memorySearch: McpTool = {
  name: 'memory_search',
  title: 'Search memories',
  description:
    "Search the companion's long-term memory of the user by meaning and words; use it before answering anything about the user's past, people, preferences or projects.",
  capability: 'memory:read',
  inputSchema: {
    type: 'object',
    required: ['query'],
    additionalProperties: false,
    properties: {
      query: { type: 'string', minLength: 1, maxLength: MAX_TEXT, pattern: '\\S' },
      k: { type: 'integer', minimum: 1, maximum: 50, default: 5 },
      kinds: { type: 'array', items: kind, maxItems: MEMORY_KINDS.length },
    },
  },
  outputSchema: {
    type: 'object',
    required: ['results'],
    properties: {
      results: {
        type: 'array',
        items: {
          ...memoryViewSchema,
          required: [...memoryViewSchema.required, 'score', 'rank'],
          properties: { ...memoryViewSchema.properties, score: { type: 'number' }, rank: { type: 'integer' } },
        },
      },
      // Whether the vectors were used, and why not (docs/mcp.md): the words alone found these when not `used`.
      recall: {
        type: 'object',
        required: ['vectors'],
        properties: {
          vectors: { type: 'string', enum: ['used', 'fallback', 'none'] },
          reason: { type: 'string' },
        },
      },
    },
  },
  annotations: { readOnlyHint: true, openWorldHint: false },
  async run(args, { engine }) {
    const kinds = args.kinds as MemoryKind[] | undefined;
    const { results: found, recall } = await engine.memory.search({
      text: args.query as string,
      k: args.k as number,
      peek: true,
      ...(kinds?.length ? { kinds } : {}),
    });
    const results = found.map((r) => ({ ...memoryView(r.memory), score: r.score.score, rank: r.rank }));
    const count = `${results.length} memor${results.length === 1 ? 'y' : 'ies'} found`;
    const how = recall.vectors === 'none' ? 'by words only' : 'with a stand-in embedder';
    const summary = recall.vectors === 'used' ? count : `${count} (${how}: ${recall.reason ?? ''})`;
    return { structured: { results, recall }, summary };
  },
};

export const memoryAdd: McpTool = {
  name: 'memory_add',
  title: 'Remember',
  description:
    "Store one new durable fact, preference or note about the user in the companion's long-term memory (one short self-contained statement per call).",
  capability: 'memory:write',
  inputSchema: {
    type: 'object',
    required: ['text'],
    additionalProperties: false,
    properties: {
      text: { type: 'string', minLength: 1, maxLength: MAX_TEXT, pattern: '\\S' },
      kind: { ...kind, default: 'fact' },
      salience: { type: 'number', minimum: 0, maximum: 1 },
    },
  },
  outputSchema: { type: 'object', required: ['memory'], properties: { memory: memoryViewSchema } },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run(args, { engine, principal }) {
    const via = principal.kind === 'device' ? `mcp:${principal.id}` : 'mcp';
    const [m] = await engine.memory.add([
      {
        text: (args.text as string).trim(),
        kind: args.kind as MemoryKind,
        ...(args.salience !== undefined ? { salience: args.salience as number } : {}),
        source: { via },
      },
    ]);
    const memory = memoryView(m!);
    return { structured: { memory }, summary: `remembered as ${String(memory.id)}` };
  },
};

export const memoryForget: McpTool = {
  name: 'memory_forget',
  title: 'Forget a memory',
  description:
    'Permanently forget one memory by its id (its text and vector are purged); only when the user asks the companion to forget something.',
  capability: 'memory:write',
  inputSchema: {
    type: 'object',
    required: ['id'],
    additionalProperties: false,
    properties: { id: { type: 'string', minLength: 6, maxLength: 64 } },
  },
  outputSchema: {
    type: 'object',
    required: ['id', 'forgotten', 'message'],
    properties: { id: { type: 'string' }, forgotten: { type: 'boolean' }, message: { type: 'string' } },
  },
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async run(args, { engine }) {
    const before = engine.memory.get(args.id as string);
    if (before.status === 'forgotten') {
      const message = `memory ${before.id} was already forgotten; nothing changed`;
      return { structured: { id: before.id, forgotten: false, message }, summary: message };
    }
    const after = await engine.memory.forget(before.id);
    const message = `forgot memory ${after.id} (${before.kind}, from ${new Date(before.createdAt).toISOString().slice(0, 10)}): its text and vector are purged; a tombstone remains for sync`;
    return { structured: { id: after.id, forgotten: true, message }, summary: message };
  },
};
