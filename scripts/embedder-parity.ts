/**
 * Parity of the native embedder with the WebAssembly one (docs/embeddings.md, "The runtime"): every turn and every
 * question of the evaluation sets in fixtures/memory, embedded by both runtimes through the embedder itself (the same
 * batching), and the cosine of each pair. Prints one JSON object (texts, min, median, the worst text); exits 1 if any
 * cosine is below 0.9999, the bar under which the native vectors would need a model id of their own.
 * Run: `npx tsx scripts/embedder-parity.ts` (needs the addon built: `npm run build`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createModelEmbedder } from '../src/core/memory/embedder-model.js';
import { dot } from '../src/core/memory/vectors.js';

const BAR = 0.9999;
const dir = fileURLToPath(new URL('../fixtures/memory/', import.meta.url));

interface EvalSet {
  conversations: { sessions: { turns: { text: string }[] }[]; questions: { question: string }[] }[];
}

const texts: string[] = [];
for (const f of readdirSync(dir)
  .filter((n) => /^eval-.*\.json$/.test(n))
  .sort()) {
  const set = JSON.parse(readFileSync(join(dir, f), 'utf8')) as EvalSet;
  for (const c of set.conversations) {
    for (const s of c.sessions) for (const t of s.turns) texts.push(t.text);
    for (const q of c.questions) texts.push(q.question);
  }
}

const native = createModelEmbedder({ runtime: 'native', idleMs: 0 });
const wasm = createModelEmbedder({ runtime: 'wasm', idleMs: 0 });
try {
  const [a, b] = [await native.embed(texts), await wasm.embed(texts)];
  const cosines = texts.map((_, i) => dot(a[i]!, b[i]!));
  const sorted = [...cosines].sort((x, y) => x - y);
  const worst = cosines.indexOf(sorted[0]!);
  const report = {
    runtime: native.runtime(),
    texts: texts.length,
    min: sorted[0],
    median: sorted[Math.floor(sorted.length / 2)],
    below: cosines.filter((c) => c < BAR).length,
    worst: texts[worst],
  };
  console.log(JSON.stringify(report, null, 2));
  process.exitCode = report.below ? 1 : 0;
} finally {
  await native.close();
  await wasm.close();
}
