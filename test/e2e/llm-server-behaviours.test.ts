/**
 * What real model servers do and the double now does too (README "Testing", issue 17), end to end through the built
 * binary: a model that loads before it answers, thinking models, replies cut at the token limit, parameters a
 * reasoning model refuses, Ollama's done_reason "load", errors inside a 200 stream and SSE keep-alive comments.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startLlmTestDouble, type LlmTestDouble, type LlmTestDoubleOptions } from '../../src/testing/llm-double.js';
import { THINKING } from '../../src/testing/llm-double-stream.js';
import { loadRecordedStream, llmFixturePath } from '../../src/core/llm/replay.js';
import { makeHome, type Home } from './cli-harness.js';

type Protocol = 'ollama' | 'openai';
interface Event {
  type: string;
  text?: string;
  model?: string;
  reply?: string;
  truncated?: boolean;
  cached?: boolean;
  error?: { code: string; message: string; hint?: string };
}
interface TurnJson {
  reply: string;
  truncated: boolean;
  cached: boolean;
  thinking?: string;
  conversationId: string;
  messageId: string;
}

const greeting = async (): Promise<string[]> =>
  (await loadRecordedStream(llmFixturePath('greeting', 'ollama'))).flatMap((c) => (c.type === 'token' ? [c.text] : []));

let double: LlmTestDouble | undefined;
let home: Home | undefined;
afterEach(async () => {
  home?.cleanup();
  await double?.close();
  home = undefined;
  double = undefined;
});

async function setUp(protocol: Protocol, opts: LlmTestDoubleOptions, env: NodeJS.ProcessEnv = {}): Promise<Home> {
  double = await startLlmTestDouble({ fixture: 'greeting', ...opts });
  home = makeHome({
    PROGENY_LLM_PROVIDER: protocol,
    PROGENY_LLM_URL: protocol === 'ollama' ? double.ollamaUrl : double.openaiUrl,
    PROGENY_LLM_RETRIES: '0',
    ...env,
  });
  return home;
}

const events = (stdout: string): Event[] =>
  stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Event);

function query<T>(h: Home, sql: string): T[] {
  const db = new Database(join(h.dir, 'progeny.db'), { readonly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}
const cachedReplies = (h: Home): number => query<{ n: number }>(h, 'SELECT count(*) AS n FROM response_cache')[0]!.n;
const chats = (d: LlmTestDouble) => d.requests.filter((r) => r.route === 'chat');

describe('a model that loads before it answers (Ollama sends no headers meanwhile)', () => {
  // The usual header wait (connect + idle) is 500 ms here; the model takes 1.5 s to load.
  const quick = { PROGENY_LLM_CONNECTTIMEOUTMS: '200', PROGENY_LLM_IDLETIMEOUTMS: '300' };

  it('waits for the load, says so in --stream, answers; a loaded model answers without the wait', async () => {
    const h = await setUp('ollama', { loadMs: 1_500 }, quick);
    const r = await h.run(['chat', '--stream', '-m', 'hello']);
    expect(r.code, r.stderr).toBe(0);
    const evs = events(r.stdout);
    const types = evs.map((e) => e.type);
    expect(types).toContain('loading');
    expect(types.indexOf('loading')).toBeLessThan(types.indexOf('token'));
    expect(evs.find((e) => e.type === 'loading')?.model).toBe('llama3.2');
    expect(evs.at(-1)).toMatchObject({ type: 'done', reply: (await greeting()).join('') });

    const again = await h.run(['chat', '--stream', '-m', 'hello again']);
    expect(again.code, again.stderr).toBe(0);
    expect(events(again.stdout).map((e) => e.type)).not.toContain('loading');
  });

  it('gives up after llm.loadTimeoutMs with LLM_TIMEOUT naming that key; human output says it is loading', async () => {
    const h = await setUp('ollama', { loadMs: 3_000 }, { ...quick, PROGENY_LLM_LOADTIMEOUTMS: '800' });
    const r = await h.run(['chat', '-m', 'hello']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/loading model llama3\.2/);
    expect(r.stderr).toMatch(/did not load model llama3\.2 and start its reply within 800 ms/);
    expect(r.stderr).toMatch(/llm\.loadTimeoutMs/);
  });

  it('progeny doctor says whether the model is loaded', async () => {
    const h = await setUp('ollama', { loadMs: 300 });
    const before = await h.run(['doctor']);
    expect(before.stdout + before.stderr).toMatch(/not loaded: the first reply waits for it to load/);
    expect((await h.run(['chat', '-m', 'hello'])).code).toBe(0);
    const after = await h.run(['doctor']);
    expect(after.stdout + after.stderr).toMatch(/ms\); loaded/);
  });

  it('progeny doctor says a model thinks', async () => {
    const h = await setUp('ollama', { thinkingModels: ['llama3.2'] });
    const r = await h.run(['doctor']);
    expect(r.stdout).toMatch(/a thinking model: its reasoning counts against llm\.maxTokens \(1024\)/);
  });
});

describe.each(['ollama', 'openai'] as const)('thinking models (%s)', (protocol) => {
  it('stream their reasoning as thinking events, kept out of the reply, the cache and memory', async () => {
    const h = await setUp(protocol, { thinkingModels: ['llama3.2'] });
    const r = await h.run(['chat', '--stream', '-m', 'hello']);
    expect(r.code, r.stderr).toBe(0);
    const evs = events(r.stdout);
    const thinking = evs.filter((e) => e.type === 'thinking').map((e) => e.text);
    expect(thinking).toEqual(THINKING);
    const types = evs.map((e) => e.type);
    expect(types.lastIndexOf('thinking')).toBeLessThan(types.indexOf('token'));
    const reply = (await greeting()).join('');
    expect(evs.at(-1)).toMatchObject({ type: 'done', reply, truncated: false });

    const t = await h.json<TurnJson>(['chat', '-m', 'how are you?']);
    expect(t.thinking).toBe(THINKING.join(''));
    expect(t.reply).toBe(reply);
    const stored = query<{ text: string }>(h, 'SELECT text FROM messages UNION ALL SELECT text FROM memories');
    expect(stored.some((m) => m.text.includes('greeting me again'))).toBe(false);
    const cached = query<{ reply: string }>(h, 'SELECT reply FROM response_cache');
    expect(cached.some((c) => c.reply.includes('greeting me again'))).toBe(false);
  });

  it('that spend the whole token limit thinking leave an empty, truncated reply that is never cached', async () => {
    const h = await setUp(protocol, { thinkingModels: ['llama3.2'] }, { PROGENY_LLM_MAXTOKENS: '10' });
    const t = await h.json<TurnJson>(['chat', '-m', 'hello']);
    expect(t).toMatchObject({ reply: '', truncated: true, cached: false });
    expect(cachedReplies(h)).toBe(0);
  });
});

describe.each(['ollama', 'openai'] as const)('a reply cut at the token limit (%s)', (protocol) => {
  it('is marked truncated in the JSON and the store, never cached, and continues on request', async () => {
    const h = await setUp(protocol, {}, { PROGENY_LLM_MAXTOKENS: '5' });
    const words = await greeting();
    const t = await h.json<TurnJson>(['chat', '-m', 'hello']);
    expect(t).toMatchObject({ reply: words.slice(0, 5).join(''), truncated: true, cached: false });
    const [row] = query<{ status: string }>(h, `SELECT status FROM messages WHERE id = '${t.messageId}'`);
    expect(row?.status).toBe('truncated');
    expect(cachedReplies(h)).toBe(0);

    const human = await h.run(['chat', '--continue', '-m', 'and?']);
    expect(human.stderr).toMatch(/cut at the token limit \(llm\.maxTokens 5\)/);
    expect(human.stderr).toMatch(/progeny chat --continue-reply/);

    const c = await h.json<TurnJson>(['chat', '--continue-reply']);
    expect(c.conversationId).toBe(t.conversationId);
    const sent = chats(double!).at(-1)?.body as { messages: { role: string; content: string }[] };
    expect(sent.messages.at(-2)).toEqual({ role: 'assistant', content: words.slice(0, 5).join('') });
    expect(sent.messages.at(-1)?.content).toMatch(/cut off by the length limit/);
    const [cont] = query<{ meta: string }>(h, `SELECT meta FROM messages WHERE id = '${c.messageId}'`);
    expect(JSON.parse(cont!.meta)).toMatchObject({ continues: expect.any(String) });
  });

  it('a whole reply is cached (the control: the cache works here)', async () => {
    const h = await setUp(protocol, {});
    const t = await h.json<TurnJson>(['chat', '-m', 'hello']);
    expect(t.truncated).toBe(false);
    expect(cachedReplies(h)).toBe(1);
  });

  it('--continue-reply refuses a reply that was not cut', async () => {
    const h = await setUp(protocol, {});
    await h.json(['chat', '-m', 'hello']);
    const r = await h.run(['chat', '--continue-reply']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nothing to continue/);
  });
});

describe('reasoning models (OpenAI o-series) refuse max_tokens and temperature', () => {
  it('the turn retries without each refused parameter once, and the next turn sends what the model accepts', async () => {
    const h = await setUp(
      'openai',
      { models: ['o3-mini'], reasoningModels: ['o3-mini'] },
      { PROGENY_LLM_MODEL: 'o3-mini' },
    );
    const r = await h.run(['--json', 'chat'], { input: 'hello\nand again\n' });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { turns: TurnJson[] };
    expect(out.turns.map((t) => t.reply)).toEqual([(await greeting()).join(''), (await greeting()).join('')]);
    const bodies = chats(double!).map((q) => q.body as Record<string, unknown>);
    expect(bodies.map((b) => [b['max_tokens'] !== undefined, b['max_completion_tokens'] !== undefined])).toEqual([
      [true, false],
      [false, true],
      [false, true],
      [false, true],
    ]);
    expect(bodies.map((b) => 'temperature' in b)).toEqual([true, true, false, false]);
  });

  it('a server that refuses max_completion_tokens gets max_tokens (llm.tokenLimitParam pinned the other)', async () => {
    const h = await setUp('openai', {}, { PROGENY_LLM_TOKENLIMITPARAM: 'max_completion_tokens' });
    double!.failAlways({ refuseParams: ['max_completion_tokens'] }, 'chat');
    const t = await h.json<TurnJson>(['chat', '-m', 'hello']);
    expect(t.reply).toBe((await greeting()).join(''));
    const last = chats(double!).at(-1)?.body as Record<string, unknown>;
    expect(last['max_tokens']).toBe(1024);
  });
});

describe('Ollama\'s done_reason "load" and errors inside a 200 stream', () => {
  it('an empty "load" reply is retried, and never stored or cached as an answer', async () => {
    const h = await setUp('ollama', {}, { PROGENY_LLM_RETRIES: '1' });
    double!.fail({ doneReasonLoad: true }, { route: 'chat' });
    const t = await h.json<TurnJson>(['chat', '-m', 'hello']);
    expect(t.reply).toBe((await greeting()).join(''));
    expect(chats(double!)).toHaveLength(2);

    const h2 = makeHome({
      PROGENY_LLM_PROVIDER: 'ollama',
      PROGENY_LLM_URL: double!.ollamaUrl,
      PROGENY_LLM_RETRIES: '0',
    });
    try {
      double!.fail({ doneReasonLoad: true }, { route: 'chat' });
      const r = await h2.run(['--json', 'chat', '-m', 'hello']);
      expect(r.code).toBe(4);
      expect(JSON.parse(r.stdout).error.code).toBe('LLM_STREAM_CUT');
      expect(cachedReplies(h2)).toBe(0);
    } finally {
      h2.cleanup();
    }
  });

  it.each(['ollama', 'openai'] as const)('%s: a mid-stream error ends the turn with the server message', async (p) => {
    const h = await setUp(p, {});
    double!.failAlways({ midStreamError: { afterChunks: 4, message: 'CUDA error: out of memory' } }, 'chat');
    const r = await h.run(['--json', 'chat', '-m', 'hello']);
    expect(r.code).toBe(4);
    expect(JSON.parse(r.stdout).error.message).toMatch(/CUDA error: out of memory/);
    const [row] = query<{ status: string }>(h, "SELECT status FROM messages WHERE role = 'assistant'");
    expect(row?.status).toBe('error');
    expect(cachedReplies(h)).toBe(0);
  });

  it('openai: keep-alive comments while the model thinks do not count as silence or content', async () => {
    const h = await setUp('openai', {}, { PROGENY_LLM_IDLETIMEOUTMS: '400' });
    double!.failAlways({ keepAliveComments: { count: 4, everyMs: 250 } }, 'chat');
    const t = await h.json<TurnJson>(['chat', '-m', 'hello']);
    expect(t.reply).toBe((await greeting()).join(''));
  });
});
