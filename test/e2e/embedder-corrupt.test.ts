/**
 * A corrupt model file, end to end (docs/embeddings.md, "Fallback"): the built binary with the semantic model's
 * package redirected (src/testing/model-dir.cjs) to a copy with a truncated weight shard. A labelled fallback,
 * never a crash, nothing lost.
 */
import { truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { modelCopy } from '../../src/testing/model-copy.js';
import { makeHome, type Home } from './cli-harness.js';
import { mcpStdio } from './mcp-stdio.js';
import { spawnServe } from './serve-spawn.js';

type SearchOut = { results: { memory: { text: string } }[] };
type Doctor = { checks: { check: string; status: string; detail: string }[] };
const preload = fileURLToPath(new URL('../../src/testing/model-dir.cjs', import.meta.url));

describe('a corrupt model file', () => {
  let home: Home;
  let copy: ReturnType<typeof modelCopy>;
  /** The environment that makes the binary load the copy; the copy is intact until `breakModel()`. */
  let env: NodeJS.ProcessEnv;
  const breakModel = () => truncateSync(join(copy.dir, 'group1-shard3of7'), 1000);
  beforeEach(async () => {
    home = makeHome();
    copy = modelCopy();
    env = { NODE_OPTIONS: `--require ${preload}`, PROGENY_TEST_MODEL_DIR: copy.dir };
    await home.json(['init']);
  });
  afterEach(() => {
    home.cleanup();
    copy.cleanup();
  });

  // The check's recall embeds a fixed query whose vector the first doctor left in the embedding cache: the model must
  // be loaded for the check to say anything about it.
  it('doctor says the model is unavailable even when its check needs no new vector', async () => {
    const check = async () => (await home.json<Doctor>(['doctor'], { env })).checks.find((c) => c.check === 'embedder');
    expect(await check()).toMatchObject({ status: 'ok' });
    breakModel();
    expect(await check()).toMatchObject({
      status: 'warn',
      detail: expect.stringMatching(/builtin-use-lite-v1\/512 is unavailable \(.*did not load/),
    });
  }, 120_000);

  // One-shot commands: what they print was found by words and hash vectors, so they say so; nothing is lost.
  it('memory import, search and chat -m warn on stderr that the hash embedder took over, and lose nothing', async () => {
    breakModel();
    const warning = /progeny: warning: memory: the built-in semantic embedder is unavailable: .*did not load/;
    const file = join(home.dir, 'm.jsonl');
    writeFileSync(file, '{"text":"I adopted a kitten called Miso"}\n{"text":"My sister lives in Porto"}\n');
    const imported = await home.run(['memory', 'import', file], { env });
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toMatch(warning);
    const search = await home.run(['--json', 'memory', 'search', 'where does my sister live', '-k', '1'], { env });
    expect(search.code, search.stderr).toBe(0);
    expect(search.stderr).toMatch(warning);
    expect(search.stderr).not.toMatch(/\n\s+at /);
    expect((JSON.parse(search.stdout) as SearchOut).results[0]?.memory.text).toBe('My sister lives in Porto');
    const chat = await home.run(['chat', '-m', 'what is my kitten called?'], { env });
    expect(chat.code, chat.stderr).toBe(0);
    expect(chat.stderr).toMatch(warning);
    // The model back: every memory is still there and gets its semantic vector.
    const healed = await home.json<SearchOut>(['memory', 'search', 'we got a new cat', '-k', '1']);
    expect(healed.results[0]?.memory.text).toBe('I adopted a kitten called Miso');
  }, 120_000);

  // A benchmark on the fallback would report the words' recall under the semantic model's name.
  it('bench recall refuses to measure the fallback, with the reason and no stack', async () => {
    breakModel();
    const set = fileURLToPath(new URL('../../fixtures/memory/eval-conversation.json', import.meta.url));
    const r = await home.run(['bench', 'recall', set, '--threshold', 'recall@10>=0.5'], { env });
    expect(r.stdout).not.toMatch(/verdict/);
    expect(r.stderr).toMatch(
      /error: the built-in semantic embedder is unavailable: .*did not load.*; the figures would measure its fallback builtin-hash-v2\/384, not builtin-use-lite-v1\/512/,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(8);
  }, 120_000);

  // The server loads the model at start; its operator hears of the fallback on stderr, and search answers by words.
  it('serve says so on stderr and to a WebSocket client that subscribes later; its search answers by words', async () => {
    breakModel();
    await home.json(['memory', 'add', 'I adopted a kitten called Miso']);
    const { child, url, auth, stderr } = await spawnServe(home, env);
    try {
      await vi.waitFor(
        () => expect(stderr()).toMatch(/warning: memory: the built-in semantic embedder is unavailable/),
        {
          timeout: 30_000,
        },
      );
      const res = await fetch(`${url}/v1/memories/search?q=kitten`, {
        headers: auth,
      });
      const body = (await res.json()) as { results: { memory: { text: string } }[]; recall: object };
      expect(body.results[0]?.memory.text).toBe('I adopted a kitten called Miso');
      // The response says the hash embedder stood in, and why.
      expect(body.recall).toEqual({ vectors: 'fallback', reason: expect.stringMatching(/did not load.*stands in/) });
      // A WebSocket client that subscribes after the fallback (it happened at start) is told at once.
      const ws = new WebSocket(`${url.replace('http', 'ws')}/v1/ws`, {
        headers: auth,
      });
      const messages: { type: string; notice?: { type: string; id: string; detail: string } }[] = [];
      ws.on('message', (m) => messages.push(JSON.parse(String(m)) as (typeof messages)[number]));
      ws.on('open', () => ws.send(JSON.stringify({ type: 'subscribe', topics: ['embedder'] })));
      await vi.waitFor(() =>
        expect(messages.find((m) => m.type === 'notice')?.notice).toMatchObject({
          type: 'embedder',
          id: 'builtin-hash-v2/384',
          detail: expect.stringMatching(/did not load/),
        }),
      );
      ws.close();
    } finally {
      child.kill('SIGKILL');
    }
  }, 120_000);

  // stdio MCP: stdout is the protocol, stderr the log a desktop client keeps.
  it('mcp says so on stderr and its memory_search answers by words', async () => {
    breakModel();
    await home.json(['memory', 'add', 'I adopted a kitten called Miso']);
    const child = home.spawn(['mcp'], { env });
    try {
      const mcp = await mcpStdio(child);
      expect(JSON.stringify(await mcp.call('memory_search', { query: 'kitten' }))).toContain(
        'I adopted a kitten called Miso',
      );
      await vi.waitFor(() =>
        expect(mcp.stderr()).toMatch(/warning: memory: the built-in semantic embedder is unavailable/),
      );
    } finally {
      child.kill('SIGKILL');
    }
  }, 120_000);
});
