/**
 * `memory search` on a home with a saved index reads it with progeny's own reader (docs/performance.md, "The memory
 * index between processes"): usearch's addon is never loaded, the answers are usearch's, and a damaged file is a
 * clear error or a rebuild, never a crash.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHome, type Home } from './cli-harness.js';

let home: Home;
let scratch: string;
const topics = ['the library', 'the harbour', 'a concert', 'the garden', 'a chess club', 'the market'];
const people = ['Rosa', 'Ivan', 'Mei', 'Tomas', 'Ada'];
const QUERIES = ['when did Rosa go to the library', 'Mei at the harbour', 'chess club on Friday', 'Ada garden'];

interface Found {
  results: { memory: { id: string } }[];
}

/** The ids `memory search` returns, and the native addons the process loaded (a preload wraps process.dlopen). */
async function search(q: string, env: NodeJS.ProcessEnv = {}): Promise<{ ids: string[]; addons: string[] }> {
  const out = join(scratch, 'addons.txt');
  const r = await home.run(['--json', 'memory', 'search', '-k', '10', q], {
    env: { NODE_OPTIONS: `--require ${join(scratch, 'dlopen.cjs')}`, ADDONS_OUT: out, ...env },
  });
  expect(r.code, r.stderr).toBe(0);
  const ids = (JSON.parse(r.stdout) as Found).results.map((x) => x.memory.id);
  return { ids, addons: readFileSync(out, 'utf8').split('\n').filter(Boolean) };
}

beforeAll(async () => {
  home = makeHome({ PROGENY_EMBEDDER_KIND: 'hash' });
  scratch = mkdtempSync(join(tmpdir(), 'progeny-index-reader-'));
  writeFileSync(
    join(scratch, 'dlopen.cjs'),
    [
      'const loaded = [];',
      'const dlopen = process.dlopen;',
      'process.dlopen = function (m, file, ...rest) { loaded.push(file); return dlopen.call(this, m, file, ...rest); };',
      "process.on('exit', () => require('node:fs').writeFileSync(process.env.ADDONS_OUT, loaded.join('\\n')));",
    ].join('\n'),
  );
  const lines = Array.from({ length: 600 }, (_, i) =>
    JSON.stringify({ text: `${people[i % 5]} went to ${topics[i % 6]} on day ${i} with friend ${i % 13}` }),
  );
  writeFileSync(join(scratch, 'seed.jsonl'), `${lines.join('\n')}\n`);
  expect((await home.run(['memory', 'import', join(scratch, 'seed.jsonl')], { timeoutMs: 60_000 })).code).toBe(0);
  expect((await home.run(['memory', 'reindex'])).code).toBe(0);
});

afterAll(() => {
  home.cleanup();
  rmSync(scratch, { recursive: true, force: true });
});

describe("memory search through progeny's index reader", () => {
  it("answers as usearch's view does, without loading usearch", async () => {
    for (const q of QUERIES) {
      const ours = await search(q);
      const theirs = await search(q, { PROGENY_MEMORY_INDEXREADER: 'usearch' });
      expect(ours.ids).toHaveLength(10);
      expect(ours.ids).toEqual(theirs.ids);
      expect(ours.addons.some((f) => f.endsWith('use-lite.node'))).toBe(true);
      expect(ours.addons.filter((f) => f.includes('usearch'))).toEqual([]);
      expect(theirs.addons.some((f) => f.includes('usearch'))).toBe(true);
    }
    const doctor = await home.run(['doctor']);
    expect(doctor.stdout).toMatch(/HNSW index 600 points, 0 changes pending, read by progeny/);
  });

  it('a graph damaged where only a search sees it is INDEX_CORRUPT with a hint, not a crash', async () => {
    const file = join(home.dir, 'memory.usearch');
    const good = readFileSync(file);
    try {
      // Every node's bytes after the levels table overwritten: the sizes still add up, the nodes are garbage.
      const rows = good.readUInt32LE(0);
      const nodes = 8 + rows * good.readUInt32LE(4) + 64 + 40 + 2 * rows;
      const bad = Buffer.from(good);
      bad.fill(0xff, nodes);
      writeFileSync(file, bad);
      const r = await home.run(['memory', 'search', QUERIES[1]!]);
      expect(r.code).toBe(5);
      expect(r.stderr).toMatch(/memory index file .* is damaged/);
      expect(r.stderr).toMatch(/progeny memory reindex/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      writeFileSync(file, good);
    }
  });

  // Last: the rebuild saves a new index over the damaged file.
  it('a file of another version falls back (here to a rebuild from the database) and still answers', async () => {
    const file = join(home.dir, 'memory.usearch');
    const good = readFileSync(file);
    const before = (await search(QUERIES[0]!)).ids;
    try {
      const bad = Buffer.from(good);
      bad.writeUInt16LE(9, 8 + good.readUInt32LE(0) * good.readUInt32LE(4) + 7);
      writeFileSync(file, bad);
      const r = await search(QUERIES[0]!);
      expect(r.ids[0]).toBe(before[0]);
      expect(r.ids).toHaveLength(10);
    } finally {
      writeFileSync(file, good);
    }
  });
});
