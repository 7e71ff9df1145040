/**
 * The provider embedder (embedder.kind=provider) when its model server is down, fails, hangs or changes dimension
 * (docs/memory-recall.md, "When the vectors cannot be used"): every way in finds memories by their words, says so
 * once (stderr; `recall` in JSON), and exits 0; `chat -m` answers from memory without blaming the store.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startLlmTestDouble, type LlmTestDouble } from '../../src/testing/llm-double.js';
import { makeHome, type Home } from './cli-harness.js';
import { mcpStdio } from './mcp-stdio.js';
import { spawnServe } from './serve-spawn.js';

type Search = { results: { memory: { text: string } }[]; recall: { vectors: string; reason?: string } };
type McpSearch = { results: { text: string }[]; recall: Search['recall'] };

const warning =
  /progeny: warning: memory: the embedder ollama:nomic-embed-text (did not embed the query|gave the query)/;

describe('the provider embedder, its server unable to embed', () => {
  let double: LlmTestDouble | undefined;
  let home: Home;
  beforeEach(async () => {
    double = await startLlmTestDouble();
    home = makeHome({
      PROGENY_LLM_PROVIDER: 'ollama',
      PROGENY_LLM_URL: double.ollamaUrl,
      PROGENY_EMBEDDER_KIND: 'provider',
      PROGENY_EMBEDDER_QUERYTIMEOUTMS: '3000',
      // One request per query: a retried 500 would outlast the bound above and be reported as no answer.
      PROGENY_LLM_RETRIES: '0',
    });
    await home.json(['init']);
    await home.json(['memory', 'add', 'The train to Lyon leaves at noon']);
    await home.json(['memory', 'add', 'I adopted a kitten named Miso']);
  });
  afterEach(async () => {
    home.cleanup();
    await double?.close();
  });
  const stop = async () => {
    await double!.close();
    double = undefined;
  };

  it('server gone: memory search answers by words, warns once, exits 0; --json carries `recall`', async () => {
    await stop();
    const human = await home.run(['memory', 'search', 'when does the train to Lyon leave']);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain('The train to Lyon leaves at noon');
    expect(human.stderr).toMatch(warning);
    expect(human.stderr.match(/warning/g)).toHaveLength(1);
    expect(human.stderr).toMatch(/connection refused/);
    const json = await home.json<Search>(['memory', 'search', 'when does the train to Lyon leave']);
    expect(json.results[0]?.memory.text).toBe('The train to Lyon leaves at noon');
    expect(json.recall).toEqual({ vectors: 'none', reason: expect.stringMatching(/connection refused/) });
    // --batch: every result line says so too.
    const batch = await home.run(['--json', 'memory', 'search', '--batch'], {
      input: '{"query":"the train to Lyon"}\n{"query":"a kitten"}\n',
    });
    expect(batch.code, batch.stderr).toBe(0);
    const lines = batch.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Search);
    expect(lines.map((l) => l.recall.vectors)).toEqual(['none', 'none']);
  }, 60_000);

  it.each([
    ['answers 500', { status: 500 }, /HTTP 500/],
    ['hangs', { hang: true }, /no answer within 3000 ms/],
    ['answers another dimension', { embedDims: 32 }, /32 dimensions, the stored vectors have 16/],
  ])(
    'server %s: found by words, and the reason is given',
    async (_, fault, reason) => {
      double!.failAlways(fault, 'embed');
      const r = await home.run(['--json', 'memory', 'search', 'when does the train to Lyon leave']);
      expect(r.code, r.stderr).toBe(0);
      const json = JSON.parse(r.stdout) as Search;
      expect(json.results[0]?.memory.text).toBe('The train to Lyon leaves at noon');
      expect(json.recall).toEqual({ vectors: 'none', reason: expect.stringMatching(reason) });
      expect(r.stderr).toMatch(warning);
    },
    60_000,
  );

  it('the server up: `recall` says the vectors were used', async () => {
    const json = await home.json<Search>(['memory', 'search', 'kitten']);
    expect(json.recall).toEqual({ vectors: 'used' });
  }, 60_000);

  it('chat -m with no server: the offline reply from memory, no blame on the store, exit 0', async () => {
    await stop();
    const r = await home.run(['chat', '-m', 'when does the train to Lyon leave']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/neither a model nor the memory store/);
    expect(r.stdout).toContain('The train to Lyon leaves at noon');
    expect(r.stderr).toMatch(warning);
    const json = await home.json<{ mode: string; recall: Search['recall'] }>(['chat', '-m', 'the train to Lyon?']);
    expect(json.mode).toBe('OFFLINE');
    expect(json.recall).toMatchObject({ vectors: 'none' });
  }, 60_000);

  it('serve: HTTP search, /v1/chat and the OpenAI-compatible endpoint carry `recall`; one warning for the operator', async () => {
    double!.failAlways({ status: 500 }, 'embed');
    const { child, url, auth, stderr } = await spawnServe(home);
    try {
      for (const q of ['when does the train to Lyon leave', 'the train to Lyon']) {
        const res = await fetch(`${url}/v1/memories/search?q=${encodeURIComponent(q)}`, { headers: auth });
        expect(res.status).toBe(200);
        const body = (await res.json()) as Search;
        expect(body.results[0]?.memory.text).toBe('The train to Lyon leaves at noon');
        expect(body.recall).toEqual({ vectors: 'none', reason: expect.stringMatching(/HTTP 500/) });
      }
      const post = (path: string, body: object) =>
        fetch(`${url}${path}`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const chat = (await (await post('/v1/chat', { message: 'the train to Lyon?' })).json()) as Search;
      expect(chat.recall).toMatchObject({ vectors: 'none' });
      const openai = (await (
        await post('/v1/chat/completions', { model: 'progeny', messages: [{ role: 'user', content: 'Lyon train?' }] })
      ).json()) as { progeny: Search };
      expect(openai.progeny.recall).toMatchObject({ vectors: 'none' });
      // Streamed: the last chunk before [DONE] carries it.
      const sse = await (
        await post('/v1/chat/completions', {
          model: 'progeny',
          stream: true,
          messages: [{ role: 'user', content: 'Lyon train again?' }],
        })
      ).text();
      const chunks = sse.split('\n').filter((l) => l.startsWith('data: {'));
      const last = JSON.parse(chunks.at(-1)!.slice(6)) as { progeny?: Search };
      expect(last.progeny?.recall).toMatchObject({ vectors: 'none' });
      await vi.waitFor(() => expect(stderr()).toMatch(warning));
      expect(stderr().match(/warning: memory:/g)).toHaveLength(1);
    } finally {
      child.kill('SIGKILL');
    }
  }, 60_000);

  it('mcp: memory_search answers by words, with `recall`, and says so on stderr', async () => {
    await stop();
    const child = home.spawn(['mcp']);
    try {
      const mcp = await mcpStdio(child);
      const out = (await mcp.call('memory_search', { query: 'train to Lyon' })) as {
        result: { structuredContent: McpSearch; isError?: boolean };
      };
      expect(out.result.isError).toBeFalsy();
      expect(out.result.structuredContent.results[0]?.text).toBe('The train to Lyon leaves at noon');
      expect(out.result.structuredContent.recall).toMatchObject({ vectors: 'none' });
      await vi.waitFor(() => expect(mcp.stderr()).toMatch(warning));
    } finally {
      child.kill('SIGKILL');
    }
  }, 60_000);
});
