import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempHome } from '../../testing/temp-home.js';
import { coerceValue, loadConfig, mergeConfig, readConfigFile, setConfigValue } from './load.js';
import { CONFIG_KEYS, CONFIG_SCHEMA, envVarFor } from './schema.js';

describe('config', () => {
  let h: ReturnType<typeof tempHome>;
  beforeEach(() => (h = tempHome()));
  afterEach(() => h.cleanup());

  it('merges defaults ← file ← env ← flags and reports each source', () => {
    const { config, sources } = mergeConfig({
      file: { 'llm.model': 'a', 'llm.url': 'http://f' },
      env: { 'llm.model': 'b' },
      flags: { 'llm.model': 'c' },
    });
    expect(config['llm.model']).toBe('c');
    expect(sources['llm.model']).toBe('flag');
    expect(config['llm.url']).toBe('http://f');
    expect(sources['llm.url']).toBe('file');
    expect(config['memory.recall.k']).toBe(5);
    expect(sources['memory.recall.k']).toBe('default');
  });

  it('every key has a documented default that passes its own validation', () => {
    for (const key of CONFIG_KEYS) {
      expect(CONFIG_SCHEMA[key].doc.length).toBeGreaterThan(5);
      expect(coerceValue(key, CONFIG_SCHEMA[key].default, 'defaults')).toBe(CONFIG_SCHEMA[key].default);
    }
    expect(envVarFor('memory.recall.k')).toBe('PROGENY_MEMORY_RECALL_K');
  });

  it('reads env vars with types, and rejects bad ones naming the variable', () => {
    const { config } = loadConfig({
      path: h.paths.config,
      env: { PROGENY_MEMORY_RECALL_K: '7', PROGENY_TELEMETRY_ENABLED: 'false' },
    });
    expect(config['memory.recall.k']).toBe(7);
    expect(() => loadConfig({ path: h.paths.config, env: { PROGENY_MEMORY_RECALL_K: 'seven' } })).toThrow(
      /PROGENY_MEMORY_RECALL_K/,
    );
    expect(() => loadConfig({ path: h.paths.config, env: { PROGENY_LLM_PROVIDER: 'gpt' } })).toThrow(
      /one of ollama, openai, offline/,
    );
    expect(() => loadConfig({ path: h.paths.config, env: { PROGENY_MEMORY_RECALL_LAMBDA: '1.5' } })).toThrow(/≤ 1/);
  });

  it('writes nested JSON atomically with mode 0600 and keeps other keys', () => {
    setConfigValue(h.paths.config, 'llm.model', 'qwen3');
    setConfigValue(h.paths.config, 'memory.recall.k', '8');
    expect(JSON.parse(readFileSync(h.paths.config, 'utf8'))).toEqual({
      llm: { model: 'qwen3' },
      memory: { recall: { k: 8 } },
    });
    expect(statSync(h.paths.config).mode & 0o777).toBe(0o600);
    setConfigValue(h.paths.config, 'llm.model', undefined);
    expect(readConfigFile(h.paths.config)).toEqual({ 'memory.recall.k': 8 });
  });

  it('a corrupt file is a config error (exit 3) and is never overwritten', () => {
    writeFileSync(h.paths.config, '{"llm": {"model": ');
    expect(() => readConfigFile(h.paths.config)).toThrow(expect.objectContaining({ code: 'CONFIG', exitCode: 3 }));
    expect(() => setConfigValue(h.paths.config, 'llm.model', 'x')).toThrow(/not valid JSON/);
    expect(readFileSync(h.paths.config, 'utf8')).toBe('{"llm": {"model": ');
  });

  it('rejects unknown keys with a suggestion, and wrong types in the file', () => {
    writeFileSync(h.paths.config, JSON.stringify({ llm: { modle: 'x' } }));
    expect(() => readConfigFile(h.paths.config)).toThrow(/unknown config key "llm.modle"/);
    writeFileSync(h.paths.config, JSON.stringify({ memory: { recall: { k: '5' } } }));
    expect(() => readConfigFile(h.paths.config)).toThrow(/expected a whole number, got "5"/);
    writeFileSync(h.paths.config, '[1,2]');
    expect(() => readConfigFile(h.paths.config)).toThrow(/JSON object/);
  });
});
