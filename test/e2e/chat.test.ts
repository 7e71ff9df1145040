import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, afterEach, describe, expect, it } from 'vitest';
import { startLlmTestDouble, type LlmTestDouble } from '../../src/testing/llm-double.js';
import { loadRecordedStream, llmFixturePath } from '../../src/core/llm/replay.js';
import { makeHome, type Home } from './cli-harness.js';

interface TurnJson {
  reply: string;
  mode: string;
  offline: boolean;
  interrupted: boolean;
  recalled: { id: string; text: string }[];
  state: { interactionCount: number; arousal: number };
  conversationId: string;
}

const fixtureText = async (name: string): Promise<string> => {
  const chunks = await loadRecordedStream(llmFixturePath(name, 'ollama'));
  return chunks.map((c) => (c.type === 'token' ? c.text : '')).join('');
};

describe('chat, OFFLINE (no model)', () => {
  let home: Home;
  afterEach(() => home.cleanup());

  it('creates a companion on first use and answers from memory, labelled offline', async () => {
    home = makeHome();
    const first = await home.run(['--json', 'chat', '-m', 'hello there']);
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/created a new companion/);
    expect(first.stderr).toMatch(/OFFLINE/);
    const t1 = JSON.parse(first.stdout) as TurnJson;
    expect(t1).toMatchObject({ mode: 'OFFLINE', offline: true, interrupted: false });
    expect(t1.reply.startsWith('[offline]')).toBe(true);

    await home.json(['memory', 'add', 'My sister Maya lives in Lisbon and teaches violin']);
    const t2 = await home.json<TurnJson>(['chat', '-m', 'where does Maya live?']);
    expect(t2.recalled.map((r) => r.text)).toContain('My sister Maya lives in Lisbon and teaches violin');
    expect(t2.reply).toContain('Lisbon');
    expect(t2.state.interactionCount).toBe(2);
  });

  it('human output: the reply on stdout, the OFFLINE warning with a hint on stderr', async () => {
    home = makeHome();
    const r = await home.run(['chat', '-m', 'good morning']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\[offline\]/);
    expect(r.stderr).toMatch(/warning: OFFLINE/);
    expect(r.stderr).toMatch(/hint: llm.provider is offline.*: run `progeny config set llm.provider ollama`/);
    // The instructions are the CLI's notice, never the companion's words.
    expect(r.stdout).not.toMatch(/llm\.provider|progeny config/);
  });

  it('reads one turn per stdin line into one conversation', async () => {
    home = makeHome();
    const r = await home.run(['--json', 'chat'], { input: 'first line\n\nsecond line\n' });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { conversationId: string; turns: TurnJson[] };
    expect(out.turns).toHaveLength(2);
    expect(new Set(out.turns.map((t) => t.conversationId))).toEqual(new Set([out.conversationId]));
  });

  it('an unreachable model answers OFFLINE, or fails with exit 4 under --require-model', async () => {
    home = makeHome({ PROGENY_LLM_PROVIDER: 'ollama', PROGENY_LLM_URL: 'http://127.0.0.1:9' });
    const soft = await home.json<TurnJson & { hint: string }>(['chat', '-m', 'hi']);
    expect(soft.mode).toBe('OFFLINE');
    // --json: the hint in the CLI's words as a field of its own; the reply is the companion's alone.
    expect(soft.hint).toBe(
      'no model at http://127.0.0.1:9: start Ollama or set llm.url: run `ollama serve`, `ollama pull llama3.2` or `progeny doctor`',
    );
    expect(soft.reply).not.toMatch(/127\.0\.0\.1:9|ollama|progeny doctor/);
    const hard = await home.run(['chat', '--require-model', '-m', 'hi']);
    expect(hard.code).toBe(4);
    expect(hard.stderr).toMatch(/^progeny: error: no model reachable/);
    expect(hard.stderr).toMatch(/hint: .*ollama serve/);
    expect(hard.stderr).not.toMatch(/\n\s+at /);
  });
});

describe.each(['ollama', 'openai'] as const)('chat against the %s test double', (protocol) => {
  let double: LlmTestDouble;
  let home: Home;
  beforeAll(async () => {
    double = await startLlmTestDouble({ fixture: 'greeting' });
  });
  afterAll(() => double.close());
  afterEach(() => {
    double.reset();
    home.cleanup();
  });
  const env = () => ({
    PROGENY_LLM_PROVIDER: protocol,
    PROGENY_LLM_URL: protocol === 'ollama' ? double.ollamaUrl : double.openaiUrl,
    PROGENY_LLM_RETRIES: '0',
  });

  it('streams the recorded reply; the prompt carries identity, posture, memories and temperature', async () => {
    home = makeHome(env());
    await home.json(['init', '--name', 'Wren']);
    await home.json(['memory', 'add', 'The creator is learning the cello']);
    const t = await home.json<TurnJson>(['chat', '-m', 'what instrument am I learning?']);
    expect(t.mode).toBe('FULL');
    expect(t.reply).toBe(await fixtureText('greeting'));
    const chat = double.requests.find((r) => r.route === 'chat');
    const body = chat?.body as {
      messages: { role: string; content: string }[];
      temperature?: number;
      options?: { temperature: number };
    };
    const system = body.messages[0]?.content ?? '';
    expect(system).toMatch(/^You are Wren/);
    expect(system).toMatch(/Posture (EXPERT|PEER)/);
    expect(system).toContain('learning the cello');
    const temperature = body.temperature ?? body.options?.temperature;
    expect(temperature).toBeCloseTo(0.7 + 0.2 * 0.7, 2);
    expect(body.messages.at(-1)).toEqual({ role: 'user', content: 'what instrument am I learning?' });
  });

  it('--stream prints NDJSON events in order', async () => {
    home = makeHome(env());
    const r = await home.run(['chat', '--stream', '-m', 'hello']);
    expect(r.code).toBe(0);
    const types = r.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { type: string }).type);
    expect(types[0]).toBe('start');
    expect(types[1]).toBe('recall');
    expect(types.filter((x) => x === 'token').length).toBeGreaterThan(5);
    expect(types.slice(-2)).toEqual(['limbic', 'done']);
  });

  it('a cut stream: exit 4, one line and a hint, the partial reply kept', async () => {
    home = makeHome(env());
    double.failAlways({ cutAfterChunks: 4 }, 'chat');
    const r = await home.run(['chat', '-m', 'tell me something']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/progeny: error: .*\n {2}hint: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const db = new Database(join(home.dir, 'progeny.db'), { readonly: true });
    const row = db.prepare("SELECT text, status FROM messages WHERE role = 'assistant'").get() as {
      text: string;
      status: string;
    };
    db.close();
    expect(row.status).toBe('error');
    expect(row.text.length, r.stderr + JSON.stringify(row)).toBeGreaterThan(0);
  });

  it('non-JSON and hanging servers are exit 4 with their own codes', async () => {
    home = makeHome({ ...env(), PROGENY_LLM_IDLETIMEOUTMS: '300' });
    double.failAlways({ nonJson: true }, 'chat');
    const bad = await home.run(['--json', 'chat', '-m', 'hi']);
    expect(bad.code).toBe(4);
    expect(JSON.parse(bad.stdout).error.code).toBe('LLM_BAD_RESPONSE');
    double.failAlways({ hang: true }, 'chat');
    const hung = await home.run(['--json', 'chat', '-m', 'hi']);
    expect(hung.code).toBe(4);
    expect(JSON.parse(hung.stdout).error.code).toBe('LLM_TIMEOUT');
    const memories = await home.json<{ items: unknown[] }>(['memory', 'list']);
    expect(memories.items.length).toBe(2);
  });
});
