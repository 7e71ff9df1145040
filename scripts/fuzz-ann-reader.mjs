#!/usr/bin/env node
// Fuzzes progeny's index reader under AddressSanitizer and UBSan (docs/performance.md, "The memory index between
// processes"): saves two small usearch indexes (one with removed members), compiles src/native/ann-reader.cc with
// scripts/ann-reader-fuzz.cc and the sanitizers, and runs it (searches and the reachability walk) on --iterations
// damaged copies of each (bytes flipped, a tenth truncated). Exit 1 on any sanitizer report; needs g++ (or $CXX)
// with libasan/libubsan.
//
//   node scripts/fuzz-ann-reader.mjs [--iterations 50000] [--seed 42]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scriptArgs } from './script-args.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = scriptArgs(
  { options: { iterations: { type: 'string', default: '50000' }, seed: { type: 'string', default: '42' } } },
  'node scripts/fuzz-ann-reader.mjs [--iterations 50000] [--seed 42]',
);
const { createAnnIndex } = await import(join(root, 'dist', 'core', 'memory', 'ann-index.js'));
const dir = mkdtempSync(join(tmpdir(), 'progeny-ann-fuzz-'));
const dims = 16;
try {
  const files = [0, 40].map((removed) => {
    const index = createAnnIndex(dims);
    const labels = Array.from({ length: 400 }, (_, i) => i + 1);
    index.add(
      labels,
      labels.map((l) => Float32Array.from({ length: dims }, (_, d) => Math.sin(l * 12.9898 + d * 78.233))),
    );
    for (let i = 0; i < removed; i++) index.remove(3 * i + 1);
    const file = join(dir, `index-${removed}.usearch`);
    index.save(file);
    return file;
  });
  const bin = join(dir, 'ann-reader-fuzz');
  const cxx = process.env.CXX || 'g++';
  const compile = spawnSync(
    cxx,
    [
      '-O1',
      '-g',
      '-std=c++17',
      '-fsanitize=address,undefined',
      '-fno-sanitize-recover=all',
      join(root, 'scripts', 'ann-reader-fuzz.cc'),
      join(root, 'src', 'native', 'ann-reader.cc'),
      '-o',
      bin,
    ],
    { encoding: 'utf8' },
  );
  if (compile.status !== 0) {
    console.error(`fuzz-ann-reader: ${cxx} failed:\n${compile.stderr || compile.error?.message}`);
    process.exit(12);
  }
  for (const file of files) {
    const run = spawnSync(bin, [file, String(dims), values.iterations, values.seed], { encoding: 'utf8' });
    if (run.status !== 0) {
      // 3: the walk counted more stranded members than there are, or named more keys than asked.
      console.error(
        `fuzz-ann-reader: a sanitizer report (or a wrong count, exit ${run.status}) on ${file}:\n${run.stderr}`,
      );
      process.exit(1);
    }
    console.log(`${file.endsWith('-0.usearch') ? 'full index' : 'with removed members'}: ${run.stdout.trim()}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
