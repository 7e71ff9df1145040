import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeHome, type Home } from './cli-harness.js';

describe('progeny CLI basics (built binary)', () => {
  let home: Home;
  beforeEach(() => (home = makeHome()));
  afterEach(() => home.cleanup());

  it('prints help with the exit-code table, and the version', async () => {
    const help = await home.run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: progeny/);
    expect(help.stdout).toMatch(/130 {2}interrupted/);
    const version = await home.run(['--version']);
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(version.stdout.trim()).toBe(pkg.version);
  });

  it('malformed flags: one line, a hint, exit 2, no stack trace; JSON error with --json', async () => {
    const r = await home.run(['memory', 'list', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^progeny: error: unknown option '--bogus'\n {2}hint: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const j = await home.run(['--json', 'memory', 'list', '--limit', 'lots']);
    expect(j.code).toBe(2);
    expect(JSON.parse(j.stdout)).toEqual({
      error: expect.objectContaining({ code: 'USAGE', message: expect.stringMatching(/--limit/) }),
    });
  });

  it('config set/get/list round-trips through the file and the environment', async () => {
    expect((await home.run(['config', 'set', 'llm.model', 'qwen3'])).code).toBe(0);
    expect((await home.run(['config', 'get', 'llm.model'])).stdout.trim()).toBe('qwen3');
    const viaEnv = await home.json<{ value: unknown; source: string }>(['config', 'get', 'memory.recall.k'], {
      env: { PROGENY_MEMORY_RECALL_K: '9' },
    });
    expect(viaEnv).toMatchObject({ value: 9, source: 'env' });
    const bad = await home.run(['config', 'set', 'memory.recall.k', 'many']);
    // A value typed on the command line is a usage error (2); a bad value in the file or the environment is 3.
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/memory.recall.k must be a whole number, got "many"/);
    const badEnv = await home.run(['memory', 'add', 'x'], { env: { PROGENY_MEMORY_RECALL_K: 'many' } });
    expect(badEnv.code).toBe(3);
    expect(badEnv.stderr).toMatch(/invalid value for memory.recall.k in \$PROGENY_MEMORY_RECALL_K/);
  });

  it('a corrupted config file: exit 3 with a hint, and the file is left as it was', async () => {
    const path = (await home.run(['config', 'path'])).stdout.trim();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path, '{ not json');
    const r = await home.run(['memory', 'list']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/not valid JSON/);
    expect(r.stderr).toMatch(/hint:/);
    expect(readFileSync(path, 'utf8')).toBe('{ not json');
  });

  it('a reader that closes the pipe early (`| head -1`) ends the command quietly, without a stack trace', async () => {
    const child = home.spawn(['--help']);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout?.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr).not.toMatch(/EPIPE|at .*\.js/);
    expect(code).toBe(0);
  });
});
