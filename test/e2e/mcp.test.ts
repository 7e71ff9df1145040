/**
 * `progeny mcp` as a desktop client runs it: `node bin/progeny.js mcp --home <dir>` spawned with a pipe on each of
 * stdin, stdout and stderr, driven by the SDK's own Client, and by hand with malformed input.
 */
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterEach, describe, expect, it } from 'vitest';
import { startLlmTestDouble } from '../../src/testing/llm-double.js';
import { BIN, makeHome, type Home } from './cli-harness.js';

let home: Home | undefined;
afterEach(() => home?.cleanup());

const exited = (child: ReturnType<Home['spawn']>): Promise<number | null> =>
  new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', resolve)));

describe('progeny mcp over stdio', () => {
  it('serves every tool to the SDK client, with nothing but protocol messages on stdout', async () => {
    home = makeHome();
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'mcp', '--home', home.dir],
      env: { PATH: process.env.PATH ?? '', PROGENY_LLM_PROVIDER: 'offline', NO_COLOR: '1' },
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const client = new Client({ name: 'desktop', version: '1' });
    // A stdout line that is not a JSON-RPC message reaches the client as a transport error.
    const transportErrors: Error[] = [];
    client.onerror = (e) => transportErrors.push(e);
    await client.connect(transport);
    expect(client.getServerVersion()).toMatchObject({ name: 'progeny' });
    expect((await client.listTools()).tools).toHaveLength(6);
    const added = await client.callTool({ name: 'memory_add', arguments: { text: 'The user is learning Welsh.' } });
    const id = (added.structuredContent as { memory: { id: string } }).memory.id;
    const found = await client.callTool({ name: 'memory_search', arguments: { query: 'Welsh', k: 1 } });
    expect(found.structuredContent).toMatchObject({ results: [{ id }] });
    expect(await client.callTool({ name: 'state_get', arguments: {} })).toMatchObject({ structuredContent: {} });
    expect(await client.callTool({ name: 'heritage_get', arguments: {} })).toMatchObject({ structuredContent: {} });
    const reply = await client.callTool({ name: 'chat', arguments: { message: 'What am I learning?' } });
    expect(reply.structuredContent).toMatchObject({ offline: true, recalled: [{ id }] });
    expect(await client.callTool({ name: 'memory_forget', arguments: { id } })).toMatchObject({
      structuredContent: { forgotten: true },
    });
    await client.close();
    expect(transportErrors).toEqual([]);
    expect(stderr).toMatch(/created a new companion/); // notices go to stderr
  });

  it('answers malformed, wrong and huge input with protocol errors, then ends cleanly when stdin closes', async () => {
    home = makeHome();
    const child = home.spawn(['mcp']);
    const lines = createInterface({ input: child.stdout! });
    const out: Record<string, unknown>[] = [];
    const waiting: Array<() => void> = [];
    lines.on('line', (l) => {
      out.push(JSON.parse(l) as Record<string, unknown>); // throws (fails the test) on anything but JSON
      waiting.shift()?.();
    });
    const next = () => new Promise<void>((r) => waiting.push(r));
    const send = async (msg: unknown) => {
      const got = next();
      child.stdin!.write(typeof msg === 'string' ? msg : JSON.stringify(msg) + '\n');
      await got;
      return out.at(-1) as { id?: unknown; error?: { code: number; message: string }; result?: unknown };
    };
    const init = { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } };
    expect((await send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: init })).result).toBeTruthy();
    child.stdin!.write(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) + '\n');
    expect(await send('this is not json\n')).toMatchObject({ id: null, error: { code: -32700 } });
    expect(await send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'rm_rf' } })).toMatchObject({
      id: 2,
      error: { code: -32602, message: expect.stringMatching(/unknown tool "rm_rf"/) },
    });
    const wrongType = { name: 'memory_add', arguments: { text: ['not', 'a', 'string'] } };
    expect(await send({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: wrongType })).toMatchObject({
      error: { code: -32602, message: 'invalid arguments for memory_add: text must be a string' },
    });
    const huge = { name: 'memory_add', arguments: { text: 'y'.repeat(5 * 1024 * 1024) } };
    expect(await send({ jsonrpc: '2.0', method: 'tools/call', params: huge, id: 4 })).toMatchObject({
      id: 4,
      error: { code: -32600, message: expect.stringMatching(/message too large: 5\.0 MiB exceeds the 4\.0 MiB limit/) },
    });
    expect(await send({ jsonrpc: '2.0', id: 5, method: 'no/such/method' })).toMatchObject({ error: { code: -32601 } });
    const listed = await send({ jsonrpc: '2.0', id: 6, method: 'tools/list' });
    expect((listed.result as { tools: unknown[] }).tools).toHaveLength(6);
    child.stdin!.end();
    expect(await exited(child)).toBe(0);
    const db = new Database(`${home.dir}/progeny.db`, { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM memories').get()).toEqual({ n: 0 });
    db.close();
  });

  it('keeps a chat turn whose client went away mid-reply, marked interrupted, and exits 0', async () => {
    const llm = await startLlmTestDouble({ fixture: 'reflection', tokenDelayMs: 150 });
    try {
      home = makeHome({ PROGENY_LLM_PROVIDER: 'ollama', PROGENY_LLM_URL: llm.url, PROGENY_LLM_RETRIES: '0' });
      const child = home.spawn(['mcp']);
      const init = { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } };
      const call = { name: 'chat', arguments: { message: 'Tell me something long.' } };
      child.stdin!.write(
        [
          { jsonrpc: '2.0', id: 1, method: 'initialize', params: init },
          { jsonrpc: '2.0', method: 'notifications/initialized' },
          { jsonrpc: '2.0', id: 2, method: 'tools/call', params: call },
        ]
          .map((m) => JSON.stringify(m) + '\n')
          .join(''),
      );
      // Wait until the model is streaming the reply, then disappear.
      while (!llm.requests.some((r) => r.path.includes('chat'))) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 400));
      child.stdin!.destroy();
      child.stdout!.destroy();
      expect(await exited(child)).toBe(0);
      const db = new Database(`${home.dir}/progeny.db`, { readonly: true });
      const replies = db.prepare("SELECT status, text FROM messages WHERE role = 'assistant'").all() as {
        status: string;
        text: string;
      }[];
      db.close();
      expect(replies).toHaveLength(1);
      expect(replies[0]).toMatchObject({ status: 'interrupted', text: expect.stringMatching(/\S/) });
    } finally {
      await llm.close();
    }
  });
});

describe('progeny doctor', () => {
  it('lists the MCP endpoints of the home', async () => {
    home = makeHome({ PROGENY_SERVER_PORT: '7555' });
    const r = await home.run(['--json', 'doctor']);
    const mcp = (JSON.parse(r.stdout) as { checks: { check: string; detail: string }[] }).checks.find(
      (c) => c.check === 'mcp',
    );
    expect(mcp?.detail).toBe(
      `stdio: progeny mcp --home ${home.dir}; HTTP: http://127.0.0.1:7555/mcp while \`progeny serve\` runs (bearer token)`,
    );
  });
});
