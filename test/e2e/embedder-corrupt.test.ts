/**
 * A corrupt model file, end to end (docs/embeddings.md, "Fallback"): the built binary with the semantic model's
 * package redirected (src/testing/model-dir.cjs) to a copy with a truncated weight shard. A labelled fallback,
 * never a crash, nothing lost.
 */
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { modelCopy } from '../../src/testing/model-copy.js';
import { makeHome, type Home } from './cli-harness.js';

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
  it('serve says so on stderr and its search answers by words', async () => {
    breakModel();
    await home.json(['memory', 'add', 'I adopted a kitten called Miso']);
    const child = home.spawn(['--json', 'serve', '--port', '0'], { env });
    try {
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      const first = await new Promise<string>((resolve) =>
        createInterface({ input: child.stdout! }).once('line', resolve),
      );
      const { url, tokenFile } = (JSON.parse(first) as { listening: { url: string; tokenFile: string } }).listening;
      await vi.waitFor(() => expect(stderr).toMatch(/warning: memory: the built-in semantic embedder is unavailable/), {
        timeout: 30_000,
      });
      const res = await fetch(`${url}/v1/memories/search?q=kitten`, {
        headers: { authorization: `Bearer ${readFileSync(tokenFile, 'utf8').trim()}` },
      });
      const body = (await res.json()) as { results: { memory: { text: string } }[] };
      expect(body.results[0]?.memory.text).toBe('I adopted a kitten called Miso');
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
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      const replies = createInterface({ input: child.stdout! });
      const reply = () => new Promise<string>((resolve) => replies.once('line', resolve));
      const send = (msg: object) => child.stdin!.write(`${JSON.stringify({ jsonrpc: '2.0', ...msg })}\n`);
      const init = { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'test', version: '1' } };
      send({ id: 1, method: 'initialize', params: init });
      await reply();
      send({ method: 'notifications/initialized' });
      send({ id: 2, method: 'tools/call', params: { name: 'memory_search', arguments: { query: 'kitten' } } });
      expect(await reply()).toContain('I adopted a kitten called Miso');
      await vi.waitFor(() => expect(stderr).toMatch(/warning: memory: the built-in semantic embedder is unavailable/));
    } finally {
      child.kill('SIGKILL');
    }
  }, 120_000);
});
