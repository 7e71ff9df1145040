/**
 * An OFFLINE turn over the server (docs/errors.md, "Hints"): the reply is the companion's words alone on the OpenAI
 * endpoint and the API; how to connect a model travels beside it, as plain words and actions, never in `content`.
 * The built binary, a temp home, and a model URL where nothing listens.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHome, type Home } from './cli-harness.js';

const MODEL_URL = 'http://127.0.0.1:9';
const HINT = {
  text: `no model at ${MODEL_URL}: start Ollama or set llm.url`,
  actions: [
    { action: 'start-model', args: { provider: 'ollama', url: MODEL_URL, model: 'llama3.2' } },
    { action: 'doctor' },
  ],
};
// Anything of the hint's that could leak into the reply: the URL, the server to start, the commands.
const HINT_TEXT = /127\.0\.0\.1:9|ollama|llm\.url|progeny doctor|no model at/i;

let home: Home;
let child: ChildProcess;
let url: string;
let token: string;

beforeAll(async () => {
  home = makeHome({ PROGENY_LLM_PROVIDER: 'ollama', PROGENY_LLM_URL: MODEL_URL });
  child = home.spawn(['--json', 'serve', '--port', '0']);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
  const listening = (JSON.parse(first) as { listening: { url: string; tokenFile: string } }).listening;
  url = listening.url;
  token = readFileSync(listening.tokenFile, 'utf8').trim();
}, 30_000);

afterAll(() => {
  if (child.exitCode === null) child.kill('SIGKILL');
  home.cleanup();
});

describe('an OFFLINE turn over the server', () => {
  it('OpenAI endpoint: `content` is the companion’s reply alone; the hint is beside it (progeny.hint)', async () => {
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: token, maxRetries: 0 });
    const done = await client.chat.completions.create({
      model: 'progeny',
      messages: [{ role: 'user', content: 'good morning' }],
    });
    const content = done.choices[0]!.message.content!;
    expect(content).toMatch(/^\[offline\] /);
    expect(content).not.toMatch(HINT_TEXT);
    expect((done as unknown as { progeny: { mode: string; hint: unknown } }).progeny).toMatchObject({
      mode: 'OFFLINE',
      hint: HINT,
    });

    const stream = await client.chat.completions.create({
      model: 'progeny',
      stream: true,
      messages: [{ role: 'user', content: 'and now?' }],
    });
    let text = '';
    let hint: unknown;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      hint ??= (chunk as unknown as { progeny?: { hint: unknown } }).progeny?.hint;
    }
    expect(text).toMatch(/^\[offline\] /);
    expect(text).not.toMatch(HINT_TEXT);
    expect(hint).toEqual(HINT);
  });

  it('API: POST /v1/chat answers with the reply and a `hint` field beside it', async () => {
    const res = await fetch(`${url}/v1/chat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'hello' }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { reply: string; offline: boolean; hint: unknown };
    expect(body).toMatchObject({ offline: true, hint: HINT });
    expect(body.reply).not.toMatch(HINT_TEXT);
  });
});
