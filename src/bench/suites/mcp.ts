/**
 * The MCP suite (docs/mcp.md): a `memory_search` tool call over stdio at 100k memories, as a desktop client makes it
 * (the SDK's Client spawning `node bin/progeny.js mcp --home …`, timed from the call to the validated result), next to
 * the same recall made in process on the same home, so the protocol's share is read from one run; and `state_get`, a
 * call that does almost nothing, for the bare round trip. Queries are embedded by the built-in hash embedder (local,
 * tens of µs), the convention of memory.recall@100k: the figure excludes a model's query embedding.
 */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { createCorpus } from '../corpus.js';
import type { BenchSuite, PreparedSuite, SuiteContext } from '../suite.js';
import { fill, openBenchHome } from './memory-home.js';

const BIN = fileURLToPath(new URL('../../../bin/progeny.js', import.meta.url));

export const mcpSuite: BenchSuite = {
  name: 'mcp',
  async setup(ctx: SuiteContext): Promise<PreparedSuite> {
    const corpus = createCorpus(ctx.seed);
    const n = ctx.memories ?? 100_000;
    const home = await openBenchHome(ctx.dir, 'home');
    await fill(home, corpus, n);
    const queries = Array.from({ length: 200 }, () => corpus.query());
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'mcp', '--home', join(ctx.dir, 'home')],
      // The hash embedder, as the home was filled with: the figure excludes a model's query embedding.
      env: { PATH: process.env.PATH ?? '', PROGENY_LLM_PROVIDER: 'offline', PROGENY_EMBEDDER_KIND: 'hash' },
      stderr: 'ignore',
    });
    const client = new Client({ name: 'progeny-bench', version: '1' });
    await client.connect(transport);
    let q = 0;
    const search = async () => {
      const r = await client.callTool({
        name: 'memory_search',
        arguments: { query: queries[q++ % queries.length] as string, k: 5 },
      });
      if (r.isError) throw new Error(JSON.stringify(r.content));
    };
    // The first call of each query on a cold server (the tool list, the index pages) is not what is measured.
    for (let i = 0; i < queries.length; i++) await search();
    const label = n >= 1000 ? `${Math.round(n / 1000)}k` : String(n);
    return {
      cases: [
        { name: `mcp.memory_search@${label}`, op: search },
        {
          name: `mcp.recall-in-process@${label}`,
          op: () => home.memory.recall({ text: queries[q++ % queries.length] as string, k: 5, peek: true }),
        },
        { name: 'mcp.state_get', op: () => client.callTool({ name: 'state_get', arguments: {} }) },
      ],
      async close() {
        await client.close();
        await home.close();
      },
    };
  },
};
