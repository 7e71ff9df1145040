/**
 * `progeny serve` as a process (the built binary, a temp home, the LLM test double as the model): the official
 * `openai` client (streaming and not), a `ws` client, auth failures, malformed and oversize bodies, a client that
 * disconnects mid-stream, device tokens from `progeny token`, and a graceful SIGTERM.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Memory } from '../../src/core/memory/types.js';
import { startLlmTestDouble, type LlmTestDouble } from '../../src/testing/llm-double.js';
import { makeHome, type Home } from './cli-harness.js';

let llm: LlmTestDouble;
let home: Home;
let child: ChildProcess;
let url: string;
let token: string;
const stdoutLines: string[] = [];
let stderr = '';

beforeAll(async () => {
  llm = await startLlmTestDouble({ fixture: 'reflection', tokenDelayMs: 10 });
  home = makeHome({
    PROGENY_LLM_PROVIDER: 'ollama',
    PROGENY_LLM_URL: llm.url,
    PROGENY_CACHE_RESPONSE_TTLMS: '0',
    PROGENY_SERVER_BODYLIMIT: '65536',
  });
  child = home.spawn(['--json', 'serve', '--port', '0']);
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: child.stdout! });
  const first = new Promise<string>((resolve, reject) => {
    lines.on('line', (l) => {
      stdoutLines.push(l);
      if (stdoutLines.length === 1) resolve(l);
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
  const listening = (JSON.parse(await first) as { listening: { url: string; tokenFile: string } }).listening;
  url = listening.url;
  token = readFileSync(listening.tokenFile, 'utf8').trim();
}, 30_000);

afterAll(async () => {
  if (child.exitCode === null) child.kill('SIGKILL');
  await llm.close();
  home.cleanup();
});

const api = (path: string, init: RequestInit = {}, tok = token) =>
  fetch(`${url}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${tok}`,
      'content-type': 'application/json',
      ...(init.headers as Record<string, string>),
    },
  });

describe('progeny serve (process)', () => {
  it('prints its address and serves /v1/health without a token', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(((await (await fetch(`${url}/v1/health`)).json()) as { api: string }).api).toBe('v1');
    expect(readFileSync(join(home.dir, 'secrets', 'server.token')).length).toBeGreaterThan(32);
  });

  it('talks to the official OpenAI client, without and with streaming', async () => {
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: token, maxRetries: 0 });
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toContain('progeny');
    const done = await client.chat.completions.create({
      model: 'progeny',
      messages: [{ role: 'user', content: 'What do you think about today?' }],
    });
    expect(done.choices[0]!.message.content!.length).toBeGreaterThan(20);
    expect(done.choices[0]!.finish_reason).toBe('stop');
    const stream = await client.chat.completions.create({
      model: 'progeny',
      stream: true,
      messages: [{ role: 'user', content: 'And tomorrow?' }],
    });
    let text = '';
    let chunks = 0;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      chunks++;
    }
    expect(chunks).toBeGreaterThan(5);
    expect(text).toBe(done.choices[0]!.message.content);
  });

  it('refuses a wrong key through the OpenAI client with 401', async () => {
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'wrong-key', maxRetries: 0 });
    const err = await client.chat.completions
      .create({ model: 'progeny', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((err as InstanceType<typeof OpenAI.AuthenticationError>).status).toBe(401);
  });

  it('chats over WebSocket with streamed events', async () => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/v1/ws`, { headers: { authorization: `Bearer ${token}` } });
    const types: string[] = [];
    const done = new Promise<void>((resolve, reject) => {
      ws.on('message', (d) => {
        const m = JSON.parse(d.toString()) as { type: string; event?: { type: string } };
        if (m.type === 'chat.event') types.push(m.event!.type);
        if (m.event?.type === 'done') resolve();
        if (m.type === 'error') reject(new Error(d.toString()));
      });
      ws.on('error', reject);
    });
    await new Promise((r) => ws.once('open', r));
    ws.send(JSON.stringify({ type: 'chat', id: 'e2e', message: 'hello over websocket' }));
    await done;
    ws.close();
    expect(types[0]).toBe('start');
    expect(types.filter((t) => t === 'token').length).toBeGreaterThan(3);
  });

  it('answers malformed JSON with 400 and an oversize body with 413, and keeps serving', async () => {
    const bad = await api('/v1/chat', { method: 'POST', body: '{"message": ' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('MALFORMED_JSON');
    const big = await api('/v1/memories', {
      method: 'POST',
      body: JSON.stringify({ memories: [{ text: 'x'.repeat(100_000) }] }),
    });
    expect(big.status).toBe(413);
    expect((await api('/v1/state')).status).toBe(200);
  });

  it('keeps the partial turn when the client disconnects mid-stream', async () => {
    const conv = (await (
      await api('/v1/chat', { method: 'POST', body: JSON.stringify({ message: 'start a conversation' }) })
    ).json()) as { conversationId: string };
    const ac = new AbortController();
    const res = await api('/v1/chat', {
      method: 'POST',
      body: JSON.stringify({ message: 'now a long reflection', conversationId: conv.conversationId, stream: true }),
      signal: ac.signal,
    });
    const reader = res.body!.getReader();
    let text = '';
    while ((text.match(/event: token/g) ?? []).length < 3)
      text += new TextDecoder().decode((await reader.read()).value);
    ac.abort();
    let status = '';
    for (let i = 0; i < 100 && status !== 'interrupted'; i++) {
      await delay(50);
      const c = (await (await api(`/v1/conversations/${conv.conversationId}`)).json()) as {
        messages: { role: string; status: string; text: string }[];
      };
      status = c.messages[3]?.status ?? '';
    }
    expect(status).toBe('interrupted');
  });

  it('serves device tokens from `progeny token add` with their capabilities', async () => {
    const created = await home.json<{ id: string; token: string; capabilities: string[] }>([
      'token',
      'add',
      'phone',
      '--caps',
      'chat,memory.read',
    ]);
    expect(created.capabilities).toEqual(['chat', 'memory:read']);
    expect((await api('/v1/memories', {}, created.token)).status).toBe(200);
    const denied = await api(
      '/v1/state',
      { method: 'POST', body: JSON.stringify({ deltas: { trust: 0.1 }, reason: 'x' }) },
      created.token,
    );
    expect(denied.status).toBe(403);
    expect((await home.json<{ id: string }[]>(['token', 'list'])).some((d) => d.id === created.id)).toBe(true);
    await home.json(['token', 'revoke', created.id]);
    expect((await api('/v1/memories', {}, created.token)).status).toBe(401);
  });

  it('memory search and GET /v1/memories/search have one default, every actor; actor=* names every actor', async () => {
    const added = await api('/v1/memories', {
      method: 'POST',
      body: JSON.stringify({
        memories: [{ text: 'alice brews kombucha on Sundays', actor: 'alice' }, { text: 'I tried kombucha once' }],
      }),
    });
    expect(added.status).toBe(201);
    // Searched once both have their vectors: a memory not embedded yet ranks below embedded ones (the words alone).
    const ids = ((await added.json()) as { memories: { id: string }[] }).memories.map((m) => m.id);
    for (let tries = 0; ; tries++) {
      const rows = await Promise.all(ids.map(async (id) => (await (await api(`/v1/memories/${id}`)).json()) as Memory));
      if (rows.every((m) => m.embedder !== '')) break;
      expect(tries, 'the new memories were not embedded within 10 s').toBeLessThan(100);
      await delay(100);
    }
    type Found = { results: { memory: { text: string; actor: string } }[] };
    const kombucha = (f: Found) =>
      f.results
        .filter((r) => r.memory.text.includes('kombucha'))
        .map((r) => r.memory.actor)
        .sort();
    const viaApi = async (query: string) =>
      kombucha((await (await api(`/v1/memories/search?${query}`)).json()) as Found);
    expect(await viaApi('q=kombucha')).toEqual(['alice', 'creator']);
    expect(await viaApi('q=kombucha&actor=*')).toEqual(['alice', 'creator']);
    expect(await viaApi('q=kombucha&actor=alice')).toEqual(['alice']);
    expect(kombucha(await home.json<Found>(['memory', 'search', 'kombucha']))).toEqual(['alice', 'creator']);
    expect(kombucha(await home.json<Found>(['memory', 'search', 'kombucha', '--actor', 'alice']))).toEqual(['alice']);
  });

  it('hosts the sync relay under /v1/sync/, which authenticates by signatures instead of bearer tokens', async () => {
    const r = await fetch(`${url}/v1/sync/vaults/nope/head`);
    const body = (await r.json()) as { error: { code: string } };
    expect(body.error.code).not.toBe('UNAUTHENTICATED');
    expect(r.status).toBeLessThan(500);
  });

  it('refuses a port that is already in use with exit 2 and a hint', async () => {
    const r = await home.run(['serve', '--port', new URL(url).port]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('already in use');
    expect(r.stderr).toContain('hint:');
  });

  it('stops gracefully on SIGTERM: exit 0 and a final JSON line', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(JSON.parse(stdoutLines.at(-1)!)).toMatchObject({ stopped: true });
    expect(stderr).not.toMatch(/error/i);
  });
});
