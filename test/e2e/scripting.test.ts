/**
 * The traps a script (or a new user scripting progeny) fell into, each end to end on the built binary: one default
 * actor for the CLI and the API, queries from stdin and in batches, idempotent imports, missing homes, piped tables,
 * and error messages that name what the user typed.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeHome, type Home } from './cli-harness.js';

interface Recalled {
  memory: { id: string; text: string; actor: string };
}

describe('scripting progeny (built binary)', () => {
  let home: Home;
  beforeEach(() => (home = makeHome()));
  afterEach(() => home.cleanup());

  const add = async (text: string, actor = 'creator'): Promise<void> => {
    const r = await home.run(['memory', 'add', '--actor', actor, text]);
    expect(r.code, r.stderr).toBe(0);
  };

  it('memory search looks at every actor by default, as GET /v1/memories/search does; --actor narrows', async () => {
    await add('the creator drinks coffee');
    await add('bob drinks tea every morning', 'bob');
    const all = await home.json<{ results: Recalled[] }>(['memory', 'search', 'tea', '-k', '5']);
    expect(all.results.map((r) => r.memory.actor).sort()).toEqual(['bob', 'creator']);
    const star = await home.json<{ results: Recalled[] }>(['memory', 'search', 'tea', '--actor', '*']);
    expect(star.results).toHaveLength(2);
    const bob = await home.json<{ results: Recalled[] }>(['memory', 'search', 'tea', '--actor', 'bob']);
    expect(bob.results.map((r) => r.memory.text)).toEqual(['bob drinks tea every morning']);
    const empty = await home.run(['memory', 'search', 'tea', '--actor', '']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/--actor must be a name/);
  });

  it('memory search - reads the query from stdin; --batch answers NDJSON queries in one process', async () => {
    await add('my cat is called Miso');
    await add('the dentist appointment is on Friday');
    const piped = await home.json<{ query: string; results: Recalled[] }>(['memory', 'search', '-', '-k', '1'], {
      input: 'what is the cat called?\n',
    });
    expect(piped.query).toBe('what is the cat called?');
    expect(piped.results[0]?.memory.text).toBe('my cat is called Miso');

    const input = [
      JSON.stringify({ id: 'q1', query: 'cat name', k: 1 }),
      JSON.stringify('dentist'),
      'not json',
      JSON.stringify({ query: 'x', k: 0 }),
    ].join('\n');
    const r = await home.run(['memory', 'search', '--batch', '-k', '1'], { input });
    expect(r.code).toBe(2);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatchObject({ id: 'q1', query: 'cat name' });
    expect((lines[0]?.results as Recalled[])[0]?.memory.text).toBe('my cat is called Miso');
    expect((lines[1]?.results as Recalled[])[0]?.memory.text).toMatch(/dentist/);
    expect(lines[2]).toMatchObject({ line: 3, error: { code: 'USAGE' } });
    expect(lines[3]).toMatchObject({ line: 4, error: { message: expect.stringMatching(/"k"/) } });
  });

  it('re-importing id-less JSONL changes nothing; seconds as createdAt and unknown fields are reported', async () => {
    const file = join(home.dir, 'in.jsonl');
    writeFileSync(
      file,
      [
        JSON.stringify({ text: 'a cat named Miso', tags: ['pets'] }),
        JSON.stringify({ text: 'the first flat', createdAt: 1683554160 }),
        JSON.stringify({ text: 'a sunny Tuesday', createdAt: 1683554160000 }),
        JSON.stringify({ text: 'a sunny Tuesday', createdAt: 1683554160000 }),
      ].join('\n'),
    );
    const first = await home.run(['--json', 'memory', 'import', file]);
    expect(first.code).toBe(2);
    const report = JSON.parse(first.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({ imported: 2, skipped: 1 });
    expect(report.errors).toEqual([{ line: 2, message: expect.stringMatching(/seconds.*2023-05-08.*1000/) }]);
    expect(report.warnings).toEqual([{ line: 1, message: expect.stringMatching(/"tags"/) }]);
    const again = JSON.parse((await home.run(['--json', 'memory', 'import', file])).stdout) as Record<string, unknown>;
    expect(again).toMatchObject({ imported: 0, updated: 0, skipped: 3 });
    const list = await home.json<{ items: unknown[] }>(['memory', 'list']);
    expect(list.items).toHaveLength(2);
    const human = await home.run(['memory', 'import', file]);
    expect(human.stderr).toMatch(/warning: line 1: ignored unknown field "tags"/);
  });

  it('a read command on a missing home is a usage error with a hint and creates nothing; writes create it', async () => {
    const missing = join(home.dir, 'typo');
    for (const args of [
      ['memory', 'list'],
      ['memory', 'search', 'x'],
      ['state', 'show'],
    ]) {
      const r = await home.run(['--home', missing, ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/no progeny home at .*typo \(from --home\)\n {2}hint: check --home/);
    }
    const doctor = await home.run(['--home', missing, 'doctor', '--json']);
    expect(JSON.parse(doctor.stdout).checks[0]).toMatchObject({ check: 'home', status: 'warn' });
    expect(existsSync(missing)).toBe(false);
    const write = await home.run(['--home', missing, 'memory', 'add', 'first memory']);
    expect(write.code).toBe(0);
    expect(write.stderr).toMatch(/created a new progeny home/);
    expect((await home.run(['--home', missing, 'memory', 'list'])).code).toBe(0);
  });

  it('tables piped to another program keep every cell whole, tab-separated under a header line', async () => {
    const long = `${'a long memory that would not fit a terminal line '.repeat(4)}END`;
    await add(long);
    const list = await home.run(['memory', 'list']);
    const [header, row] = list.stdout.trim().split('\n');
    expect(header?.split('\t')).toEqual(['ID', 'KIND', 'CREATED', 'SAL', 'PIN', 'TEXT']);
    expect(row?.split('\t').at(-1)).toBe(long);
    const search = await home.run(['memory', 'search', 'long memory']);
    expect(search.stdout).toContain(`\t${long}\n`);
    const doctor = await home.run(['doctor']);
    expect(doctor.stdout).toMatch(new RegExp(`^✓\thome\t${home.dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\t`, 'm'));
  });

  it('memory export --out to a path it cannot write is a usage error naming the flag; a good path gets it all', async () => {
    await add('kept safe');
    const file = join(home.dir, 'plain-file');
    writeFileSync(file, 'x');
    const bad = await home.run(['memory', 'export', '--out', join(file, 'out.jsonl')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /^progeny: error: --out cannot write .*plain-file\/out\.jsonl: .*plain-file is a file, not a folder/,
    );
    expect(bad.stderr).not.toMatch(/bug in progeny/);
    const good = join(home.dir, 'new-dir', 'out.jsonl');
    expect((await home.run(['memory', 'export', '-o', good])).code).toBe(0);
    expect(readFileSync(good, 'utf8')).toContain('kept safe');
  });

  it('errors name the flag as typed; config set errors say what to type; -- is documented', async () => {
    await add('x');
    const short = await home.run(['memory', 'search', 'x', '-k', '0']);
    expect(short.stderr).toMatch(/^progeny: error: -k must be a whole number from 1 to 100, got "0"/);
    const long = await home.run(['memory', 'search', 'x', '--limit=101']);
    expect(long.stderr).toMatch(/^progeny: error: --limit must be a whole number from 1 to 100, got "101"/);
    const set = await home.run(['config', 'set', 'llm.retries', 'abc']);
    expect(set.code).toBe(2);
    expect(set.stderr).toMatch(
      /^progeny: error: llm\.retries must be a whole number, got "abc"\n {2}hint: .*progeny config set llm\.retries 2/,
    );
    expect(set.stderr).not.toMatch(/command line/);
    expect((await home.run(['--help'])).stdout).toMatch(/starts with "-" goes after `--`/);
    const dashed = await home.run(['memory', 'add', '--', '-5 °C in the garden']);
    expect(dashed.code).toBe(0);
    const found = await home.json<{ results: Recalled[] }>(['memory', 'search', '-k', '1', '--', '-5 °C garden']);
    expect(found.results[0]?.memory.text).toBe('-5 °C in the garden');
  });
});
