import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAiProvider } from '../core/llm/openai.js';
import { FaultPlan } from './llm-double-faults.js';
import { startLlmTestDouble, type LlmTestDouble } from './llm-double.js';
import { drain, HELLO, quickOptions } from './llm-provider-helpers.js';

const post = async (url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('FaultPlan', () => {
  it('serves queued faults in order, per route and count, before the standing one', () => {
    const plan = new FaultPlan();
    plan.setAlways({ status: 500 }, 'chat');
    plan.next({ hang: true }, 2, 'embed');
    plan.next({ status: 429 });
    expect(plan.take('chat')).toEqual({ status: 429 });
    expect(plan.take('chat')).toEqual({ status: 500 });
    expect(plan.take('embed')).toEqual({ hang: true });
    expect(plan.take('embed')).toEqual({ hang: true });
    expect(plan.take('embed')).toEqual({});
    plan.reset();
    expect(plan.take('chat')).toEqual({});
  });
});

describe('the double in process', () => {
  let double: LlmTestDouble;
  beforeAll(async () => {
    double = await startLlmTestDouble({ apiKey: 'k-123456' });
  });
  afterAll(() => double.close());

  it('answers non-streaming chat in both protocols', async () => {
    const o = (await (
      await post(`${double.url}/api/chat`, { model: 'llama3.2', messages: [], stream: false })
    ).json()) as Record<string, unknown>;
    expect(o).toMatchObject({ model: 'llama3.2', done: true, done_reason: 'stop', message: { role: 'assistant' } });
    expect((o['message'] as { content: string }).content).toMatch(/^Hello again!.*🌿/);
    const res = await post(
      `${double.openaiUrl}/chat/completions`,
      { model: 'llama3.2', messages: [] },
      { authorization: 'Bearer k-123456' },
    );
    const a = (await res.json()) as Record<string, unknown>;
    expect(a).toMatchObject({
      object: 'chat.completion',
      choices: [{ finish_reason: 'stop', message: { role: 'assistant' } }],
    });
    expect(a['usage']).toMatchObject({ completion_tokens: 28 });
  });

  it('demands the bearer token on /v1 only, records what it received, and 404s unknown routes', async () => {
    expect((await fetch(`${double.openaiUrl}/models`)).status).toBe(401);
    expect((await fetch(`${double.url}/api/tags`)).status).toBe(200);
    expect((await fetch(`${double.url}/api/nothing`)).status).toBe(404);
    expect(double.requests.slice(-3).map((r) => [r.protocol, r.route])).toEqual([
      ['openai', 'models'],
      ['ollama', 'tags'],
      ['unknown', undefined],
    ]);
  });
});

describe('the double as a separate process', () => {
  it('prints its URLs, obeys control routes, and exits on SIGTERM', async () => {
    const script = fileURLToPath(new URL('./llm-double.ts', import.meta.url));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', script, '--port', '0', '--fixture', 'reflection', '--api-key', 'k-987654'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    try {
      const first = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout! }).once('line', resolve);
        child.once('exit', (code) => reject(new Error(`double exited with ${code}`)));
      });
      const info = JSON.parse(first) as { url: string; openaiUrl: string; pid: number };
      expect(info.openaiUrl).toBe(`${info.url}/v1`);
      expect(info.pid).toBe(child.pid);

      expect((await post(`${info.url}/__double/fail`, { fault: { status: 503 }, route: 'chat' })).status).toBe(200);
      const llm = createOpenAiProvider(quickOptions(info.openaiUrl, { apiKey: 'k-987654' }));
      const out = await drain(llm.chat({ ...HELLO, maxTokens: 500 }));
      await llm.close();
      expect(out.error).toBeUndefined();
      expect(out.tokens).toHaveLength(133);

      const seen = (await (await fetch(`${info.url}/__double/requests`)).json()) as {
        path: string;
        outcome: string;
        headers: Record<string, string>;
      }[];
      expect(seen.map((r) => r.path)).toEqual(['/v1/chat/completions', '/v1/chat/completions']);
      expect(seen[1]?.headers['authorization']).toBe('Bearer k-987654');
    } finally {
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });
});
