import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { switchableProvider } from '../llm/switchable.js';
import type { LlmProvider } from '../llm/types.js';
import { modelControl } from './models.js';

const fakeProvider = (model: string, models: string[], closed: string[]): LlmProvider => ({
  id: 'ollama',
  model,
  url: 'http://127.0.0.1:11434',
  chat: async function* () {
    yield { type: 'token', text: model };
    yield { type: 'done' };
  },
  embed: async () => [],
  probe: async () => ({ ok: true, reachable: true, provider: 'ollama', latencyMs: 1, detail: 'ok', models }),
  close: async () => void closed.push(model),
});

let dir = '';
afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

describe('models: list and switch, persisted', () => {
  it('lists the server models, switches the provider for the next request, saves llm.model, closes all at the end', async () => {
    dir = mkdtempSync(join(tmpdir(), 'progeny-models-'));
    const config = join(dir, 'config.json');
    const closed: string[] = [];
    const available = ['llama3.2:latest', 'qwen3:8b'];
    const llm = switchableProvider(
      (m) => fakeProvider(m, available, closed),
      fakeProvider('llama3.2:latest', available, closed),
    );
    const control = modelControl(llm, config, () => ({ text: 'offline', actions: [] }));
    expect(await control.models()).toEqual({ current: 'llama3.2:latest', available, detail: 'ok' });
    control.useModel('qwen3:8b');
    expect(llm.model).toBe('qwen3:8b');
    const said: string[] = [];
    for await (const c of llm.chat({ messages: [], temperature: 0 })) if (c.type === 'token') said.push(c.text);
    expect(said).toEqual(['qwen3:8b']);
    expect(JSON.parse(readFileSync(config, 'utf8'))).toMatchObject({ llm: { model: 'qwen3:8b' } });
    await llm.close();
    expect(closed.sort()).toEqual(['llama3.2:latest', 'qwen3:8b']);
  });

  it('refuses a blank name, and switching with no model server (offline) says why', async () => {
    dir = mkdtempSync(join(tmpdir(), 'progeny-models-'));
    const llm = switchableProvider((m) => fakeProvider(m, [], []), fakeProvider('a', [], []));
    expect(() =>
      modelControl(llm, join(dir, 'c.json'), () => ({ text: '', actions: [] })).useModel('two words'),
    ).toThrow(/not a model name/);
    const offline = modelControl(null, join(dir, 'c.json'), () => ({
      text: 'llm.provider is offline',
      actions: [],
    }));
    expect(() => offline.useModel('x')).toThrow(/llm.provider is offline/);
    expect(await offline.models()).toEqual({ current: null, available: [], detail: 'llm.provider is offline' });
  });
});
