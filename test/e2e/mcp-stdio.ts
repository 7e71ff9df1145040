/** An MCP client over a spawned `progeny mcp`'s stdio, for the e2e tests: initialises, then calls tools. */
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface McpStdio {
  /** Calls a tool and resolves with the JSON-RPC reply line, parsed. */
  call(name: string, args: object): Promise<unknown>;
  /** What the server wrote on stderr so far. */
  stderr(): string;
}

export async function mcpStdio(child: ChildProcess): Promise<McpStdio> {
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const replies = createInterface({ input: child.stdout! });
  const reply = () => new Promise<string>((resolve) => replies.once('line', resolve));
  const send = (msg: object) => child.stdin!.write(`${JSON.stringify({ jsonrpc: '2.0', ...msg })}\n`);
  const init = { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'test', version: '1' } };
  send({ id: 1, method: 'initialize', params: init });
  await reply();
  send({ method: 'notifications/initialized' });
  let id = 1;
  return {
    async call(name, args) {
      send({ id: ++id, method: 'tools/call', params: { name, arguments: args } });
      return JSON.parse(await reply()) as unknown;
    },
    stderr: () => stderr,
  };
}
