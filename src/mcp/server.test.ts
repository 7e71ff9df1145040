import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeConfig } from '../core/config/load.js';
import { createEngine } from '../core/engine/create.js';
import type { LocalEngine } from '../core/engine/local-engine.js';
import { initializeHome } from '../core/engine/init.js';
import { TurnRegistry } from '../server/turns.js';
import { tempHome } from '../testing/temp-home.js';
import { createMcpServer } from './server.js';
import type { McpPrincipal } from './tool.js';

const home = tempHome('progeny-mcp-');
let engine: LocalEngine;

async function connect(principal: McpPrincipal): Promise<Client> {
  const [a, b] = InMemoryTransport.createLinkedPair();
  const server = createMcpServer({
    engine,
    version: 'test',
    turns: new TurnRegistry(),
    callerOf: () => ({ principal }),
    log: () => undefined,
  });
  await server.connect(a);
  const client = new Client({ name: 'test', version: '1' });
  await client.connect(b);
  return client;
}

const owner: McpPrincipal = { kind: 'owner', id: 'owner', name: 'owner', capabilities: ['admin'] };
const reader: McpPrincipal = { kind: 'device', id: 'D1', name: 'phone', capabilities: ['chat', 'memory:read'] };

beforeAll(async () => {
  engine = await createEngine({
    paths: home.paths,
    config: mergeConfig({ flags: { 'llm.provider': 'offline' } }).config,
  });
  initializeHome(engine);
});
afterAll(async () => {
  await engine.close();
  home.cleanup();
});

describe('the MCP server', () => {
  it('adds, finds and forgets a memory, saying what it did', async () => {
    const c = await connect(owner);
    const added = await c.callTool({
      name: 'memory_add',
      arguments: { text: 'The user keeps bees in Lyon.', salience: 0.8 },
    });
    const memory = (added.structuredContent as { memory: { id: string; kind: string; salience: number } }).memory;
    expect(memory).toMatchObject({ kind: 'fact', salience: 0.8 });
    expect(engine.memory.get(memory.id).source.via).toBe('mcp');

    const found = await c.callTool({ name: 'memory_search', arguments: { query: 'bees', k: 3, kinds: ['fact'] } });
    const results = (found.structuredContent as { results: { id: string; rank: number }[] }).results;
    expect(results[0]).toMatchObject({ id: memory.id, rank: 1 });

    const forgot = await c.callTool({ name: 'memory_forget', arguments: { id: memory.id } });
    expect(forgot.structuredContent).toMatchObject({ id: memory.id, forgotten: true });
    expect(engine.memory.get(memory.id).status).toBe('forgotten');
    const again = await c.callTool({ name: 'memory_forget', arguments: { id: memory.id } });
    expect(again.structuredContent).toMatchObject({
      forgotten: false,
      message: expect.stringMatching(/already forgotten/),
    });
    await c.close();
  });

  it('reads the state and the heritage, and chats with the offline label when no model answers', async () => {
    const c = await connect(owner);
    const state = await c.callTool({ name: 'state_get', arguments: {} });
    expect(state.structuredContent).toMatchObject({ posture: engine.state.read().posture, trust: expect.any(Number) });
    const heritage = await c.callTool({ name: 'heritage_get', arguments: {} });
    expect(heritage.structuredContent).toMatchObject({ name: engine.heritage.current().doc.name, version: 1 });
    const reply = await c.callTool({ name: 'chat', arguments: { message: 'hello there' } });
    expect(reply.structuredContent).toMatchObject({
      offline: true,
      interrupted: false,
      offlineHint: expect.any(String),
    });
    expect((reply.content as { text: string }[])[0]?.text).toMatch(/^\[offline\]/);
    const id = (reply.structuredContent as { conversationId: string }).conversationId;
    expect(engine.conversations.get(id).id).toBe(id);
    await c.close();
  });

  it('refuses unknown tools and wrong argument types with protocol errors naming the problem', async () => {
    const c = await connect(owner);
    await expect(c.callTool({ name: 'memory_purge_all', arguments: {} })).rejects.toMatchObject({
      code: -32602,
      message: expect.stringMatching(/unknown tool "memory_purge_all"; the tools are memory_search/),
    });
    await expect(c.callTool({ name: 'memory_search', arguments: { query: 'x', k: 'five' } })).rejects.toThrow(
      /invalid arguments for memory_search: k must be an integer/,
    );
    await expect(c.callTool({ name: 'memory_add', arguments: { text: 'x'.repeat(40_000) } })).rejects.toThrow(
      /text must have at most 32000 characters/,
    );
    await expect(c.callTool({ name: 'memory_add', arguments: { text: 'ok', extra: 1 } })).rejects.toThrow(
      /must NOT have additional property 'extra'/,
    );
    const unknownId = await c.callTool({ name: 'memory_forget', arguments: { id: 'ZZZZZZZZ' } });
    expect(unknownId).toMatchObject({ isError: true, content: [{ text: expect.stringMatching(/^NOT_FOUND/) }] });
    await c.close();
  });

  it('lists and runs only what the capabilities allow', async () => {
    const c = await connect(reader);
    const names = (await c.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(['memory_search', 'state_get', 'heritage_get', 'chat']);
    const before = engine.memory.list({ status: 'all' }).items.length;
    const refused = await c.callTool({ name: 'memory_add', arguments: { text: 'sneaky' } });
    expect(refused).toMatchObject({
      isError: true,
      content: [{ text: expect.stringMatching(/^FORBIDDEN: token "phone" lacks the memory:write capability/) }],
    });
    expect(engine.memory.list({ status: 'all' }).items.length).toBe(before);
    await c.close();
  });

  it('serves the heritage and recent memories as resources, within the capabilities', async () => {
    const c = await connect(owner);
    expect((await c.listResources()).resources.map((r) => r.uri)).toEqual([
      'progeny://heritage',
      'progeny://memories/recent',
    ]);
    const h = await c.readResource({ uri: 'progeny://heritage' });
    expect(JSON.parse((h.contents[0] as { text: string }).text)).toMatchObject({
      version: 1,
      doc: { name: 'Progeny' },
    });
    await engine.memory.add([{ text: 'The newest thing.' }]);
    const m = await c.readResource({ uri: 'progeny://memories/recent' });
    expect(JSON.parse((m.contents[0] as { text: string }).text).memories[0].text).toBe('The newest thing.');
    await expect(c.readResource({ uri: 'progeny://nothing' })).rejects.toMatchObject({ code: -32002 });
    await c.close();
    const chatOnly = await connect({ ...reader, capabilities: ['chat'] });
    expect((await chatOnly.listResources()).resources.map((r) => r.uri)).toEqual(['progeny://heritage']);
    await expect(chatOnly.readResource({ uri: 'progeny://memories/recent' })).rejects.toThrow(/lacks the memory:read/);
    await chatOnly.close();
  });
});
