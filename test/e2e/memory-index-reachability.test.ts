/**
 * `progeny doctor` checks that every memory in the saved index can be found by its vector (docs/performance.md,
 * "Memories no search reaches"): a node no neighbour list names any more (as usearch's concurrent add could leave
 * one) is reported by its memory's id with the fix, `memory reindex` repairs it and loses nothing, a damaged graph
 * is a failure with the store's exit code, and a file the reader cannot open is said to be not checked.
 */
import Database from 'better-sqlite3';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entrySlot, nodeKeys, strandSlot } from '../../src/testing/ann-strand.js';
import { makeHome, type Home } from './cli-harness.js';

interface DoctorCheck {
  check: string;
  status: string;
  detail: string;
  fix?: string;
}

let home: Home;
let file: string;
let good: Buffer;

async function doctor(): Promise<{ code: number | null; check: DoctorCheck | undefined }> {
  const r = await home.run(['--json', 'doctor'], { timeoutMs: 60_000 });
  const checks = (JSON.parse(r.stdout) as { checks: DoctorCheck[] }).checks;
  return { code: r.code, check: checks.find((c) => c.check === 'memory index') };
}

const idOf = (label: number): string => {
  const db = new Database(join(home.dir, 'progeny.db'), { readonly: true });
  try {
    return db.prepare('SELECT id FROM memories WHERE label = ?').pluck().get(label) as string;
  } finally {
    db.close();
  }
};

beforeAll(async () => {
  home = makeHome({ PROGENY_EMBEDDER_KIND: 'hash' });
  file = join(home.dir, 'memory.usearch');
  const lines = Array.from({ length: 400 }, (_, i) =>
    JSON.stringify({ text: `a note about the garden, number ${i}, written on day ${i % 17}` }),
  );
  const seed = join(home.dir, 'seed.jsonl');
  writeFileSync(seed, `${lines.join('\n')}\n`);
  expect((await home.run(['memory', 'import', seed], { timeoutMs: 60_000 })).code).toBe(0);
  rmSync(seed);
  good = readFileSync(file);
}, 90_000);

afterAll(() => home.cleanup());

describe('doctor, the memory index check', () => {
  it('a healthy index: every memory reachable', async () => {
    const { code, check } = await doctor();
    expect(code).toBe(0);
    expect(check).toMatchObject({ status: 'ok', detail: expect.stringMatching(/^every memory reachable \(400 in/) });
  }, 60_000);

  it('a damaged graph is a failure (exit 5) with the fix, not a crash', async () => {
    const bad = Buffer.from(good);
    const rows = bad.readUInt32LE(0);
    // Node 0's first base-level neighbour: a slot past the last node.
    bad.writeUInt32LE(rows + 7, 8 + rows * bad.readUInt32LE(4) + 64 + 40 + 2 * rows + 10 + 4);
    writeFileSync(file, bad);
    try {
      const { code, check } = await doctor();
      expect(code).toBe(5);
      expect(check).toMatchObject({ status: 'fail', detail: expect.stringMatching(/is damaged/) });
      expect(check?.fix).toMatch(/progeny memory reindex/);
    } finally {
      writeFileSync(file, good);
    }
  }, 60_000);

  it('a node no list names is reported by its memory; memory reindex repairs it and keeps every memory', async () => {
    const bad = Buffer.from(good);
    const rows = bad.readUInt32LE(0);
    const levels = 8 + rows * bad.readUInt32LE(4) + 64 + 40;
    const slot = Array.from({ length: rows }, (_, s) => s).find(
      (s) => s > 200 && s !== entrySlot(bad) && bad.readInt16LE(levels + 2 * s) === 0,
    ) as number;
    strandSlot(bad, slot);
    writeFileSync(file, bad);
    const id = idOf(Number(nodeKeys(bad)[slot]));
    const stranded = await doctor();
    expect(stranded.code).toBe(0);
    expect(stranded.check).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining(`1 of 400 memories in the saved graph cannot be found by their vectors`),
      fix: expect.stringMatching(/progeny memory reindex/),
    });
    expect(stranded.check?.detail).toContain(id);
    // A save (here import's) walks the graph it wrote and lists the node: every search then scans it exactly.
    const more = join(home.dir, 'more.jsonl');
    writeFileSync(more, `${JSON.stringify({ text: 'one more note, about the orchard' })}\n`);
    expect((await home.run(['memory', 'import', more])).code).toBe(0);
    const listed = await doctor();
    expect(listed.check).toMatchObject({
      status: 'ok',
      detail: expect.stringContaining(`every memory found by its vector: 1 of 401 that the graph cannot reach (${id})`),
    });
    const reindex = await home.run(['memory', 'reindex'], { timeoutMs: 60_000 });
    expect(reindex.code).toBe(0);
    expect(reindex.stdout).toMatch(/1 of the 1 memories its graph could not reach are reachable again\./);
    const repaired = await doctor();
    expect(repaired.check).toMatchObject({
      status: 'ok',
      detail: expect.stringMatching(/^every memory reachable \(401 in/),
    });
    const all = await home.json<{ items: { id: string }[] }>(['memory', 'list', '-n', '500']);
    expect(all.items).toHaveLength(401);
    expect(all.items.map((m) => m.id)).toContain(id);
    good = readFileSync(file);
  }, 120_000);

  it('a file the reader cannot open is not checked, and says why', async () => {
    const other = Buffer.from(good);
    other.writeUInt16LE(9, 8 + good.readUInt32LE(0) * good.readUInt32LE(4) + 7);
    writeFileSync(file, other);
    const { code, check } = await doctor();
    expect(code).toBe(0);
    expect(check).toMatchObject({ status: 'warn', detail: expect.stringMatching(/^not checked: .*version/) });
  }, 60_000);
});
