/**
 * The LLM test double as contributors run it (`npm run llm-double`): documented flags, its recorded replies listed,
 * bad flags as one line (no stack trace), and the built `progeny chat` talking to it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { makeHome, type Home } from './cli-harness.js';

const CLI = fileURLToPath(new URL('../../src/testing/llm-double-cli.ts', import.meta.url));
const double = (args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { encoding: 'utf8', timeout: 20_000 });

describe('llm-double command', () => {
  let home: Home | undefined;
  afterEach(() => home?.cleanup());

  it('documents itself, lists its recorded replies, and refuses bad flags in one line', () => {
    const help = double(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: npm run llm-double -- \[options\]/);
    expect(help.stdout).toMatch(/--fixture NAME/);
    expect(help.stdout).toMatch(/PROGENY_LLM_URL=http:\/\/127\.0\.0\.1:PORT progeny chat/);
    const list = double(['--list']);
    expect(list.stdout).toMatch(/^greeting\s+\d+ tokens {2}Hello/m);
    expect(list.stdout).toMatch(/^reflection\s+\d+ tokens/m);
    for (const bad of [['--port', 'x'], ['--fixture', 'nope'], ['--bogus']]) {
      const r = double(bad);
      expect(r.status, bad.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^llm-double: error: .*\n {2}hint: npm run llm-double -- --help\n$/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('serves a chosen recording that the built progeny chat replies with', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--fixture', 'reflection'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) resolve((JSON.parse(out.split('\n')[0] as string) as { url: string }).url);
        });
        child.once('exit', (code) => reject(new Error(`llm-double exited ${code}`)));
      });
      home = makeHome({ PROGENY_LLM_PROVIDER: 'ollama', PROGENY_LLM_URL: url });
      const turn = await home.json<{ reply: string; mode: string }>(['chat', '-m', 'what do you remember?']);
      expect(turn.mode).toBe('FULL');
      expect(turn.reply).toMatch(/^You asked what I remember about the last few weeks/);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
