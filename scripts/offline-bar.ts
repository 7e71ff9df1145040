/**
 * The evidence for the offline reply's bar (docs/memory-recall.md, "The offline reply's bar"): each conversation of
 * an evaluation set is imported as `progeny bench recall` does, then asked its own questions and every other
 * conversation's (whose memories answer nothing of them), the way a chat turn recalls (k = memory.recall.k). Each
 * memory recalled is recorded with its cosine and whether it holds the words of the question, as evidence, a turn
 * of the same conversation that is not the evidence, or an unrelated memory; then per rule and bar: the share of
 * evidence kept, of unrelated memories kept, of own questions whose reply offers evidence, and of other
 * conversations' questions answered "I don't remember". Set 2 is held out: report it, never choose by it.
 * Run: `npx tsx scripts/offline-bar.ts [--kind builtin|hash] --held-out fixtures/memory/eval-conversation-2.json
 * fixtures/memory/eval-conversation.json fixtures/memory/eval-conversation-3.json`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixedClock } from '../src/core/clock.js';
import { mergeConfig } from '../src/core/config/load.js';
import { createEngine } from '../src/core/engine/create.js';
import { pathsFor } from '../src/core/paths.js';
import { readEvalFile, type EvalConversation } from '../src/bench/recall/eval-file.js';
import { importLines } from '../src/bench/recall/run.js';
import { scriptArgs } from './script-args.mjs';

const { values, positionals } = scriptArgs(
  {
    options: { kind: { type: 'string', default: 'builtin' }, 'held-out': { type: 'string' }, all: { type: 'boolean' } },
    allowPositionals: true,
  },
  'npx tsx scripts/offline-bar.ts [--kind builtin|hash] [--all] [--held-out FILE] FILE…',
);

/** One memory as the offline reply sees it. */
interface Seen {
  cosine: number;
  words: boolean;
  role: 'evidence' | 'other-turn' | 'unrelated';
}
/** One question's recalled memories; `own`: asked of its own conversation. */
interface Asked {
  own: boolean;
  seen: Seen[];
}

const config = { ...mergeConfig({}).config, 'embedder.kind': values.kind as 'builtin' | 'hash' };

async function askAll(c: EvalConversation, others: EvalConversation[]): Promise<Asked[]> {
  const dir = mkdtempSync(join(tmpdir(), 'progeny-offline-bar-'));
  const { lines, lastAt } = importLines(c);
  const engine = await createEngine({ paths: pathsFor(dir), config, clock: fixedClock(lastAt + 86_400_000) });
  try {
    await engine.memory.importJsonl(lines);
    await engine.memory.embedPending({});
    const out: Asked[] = [];
    const questions = [
      ...c.questions.map((q) => ({ q, own: true })),
      ...others.flatMap((o) => o.questions.map((q) => ({ q, own: false }))),
    ];
    for (const { q, own } of questions) {
      const { results } = await engine.memory.search({ text: q.question, actor: 'creator', peek: true });
      out.push({
        own,
        seen: results.map((r) => ({
          cosine: r.score.cosine ?? r.score.similarity,
          words: (r.score.lexical ?? 0) > 0,
          role: !own ? 'unrelated' : q.evidence.includes(r.memory.source.turn ?? '') ? 'evidence' : 'other-turn',
        })),
      });
    }
    return out;
  } finally {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

type Rule = (s: Seen) => boolean;
/** The rules compared: a bar on the cosine alone, and a lower one (by `gap`) for a memory that holds a query word. */
function rules(): { name: string; rule: Rule }[] {
  // The rule before this measurement, for comparison.
  const out: { name: string; rule: Rule }[] = [
    { name: 'before: cosine > 0.05, or a query word', rule: (s) => s.cosine > 0.05 || s.words },
  ];
  for (let i = 0; i <= 16; i++) {
    const bar = 0.2 + i * 0.025;
    out.push({ name: `cosine ≥ ${bar.toFixed(3)}`, rule: (s) => s.cosine >= bar });
    out.push({ name: `cosine ≥ ${bar.toFixed(3)}, or a query word`, rule: (s) => s.cosine >= bar || s.words });
    for (const gap of [0.05, 0.1, 0.15, 0.2])
      out.push({
        name: `cosine ≥ ${bar.toFixed(3)}, or a query word and cosine ≥ ${(bar - gap).toFixed(3)}`,
        rule: (s) => s.cosine >= bar || (s.words && s.cosine >= bar - gap),
      });
  }
  return out;
}

const share = (n: number, d: number) => (d ? n / d : 0);

/** Per rule: evidence kept, unrelated kept, J, own questions offered evidence, others' questions silent. */
function measure(asked: Asked[], rule: Rule): number[] {
  const all = asked.flatMap((a) => a.seen);
  const of = (role: Seen['role']) => all.filter((s) => s.role === role);
  const kept = (role: Seen['role']) => share(of(role).filter(rule).length, of(role).length);
  const own = asked.filter((a) => a.own);
  const others = asked.filter((a) => !a.own);
  const offered = share(own.filter((a) => a.seen.some((s) => s.role === 'evidence' && rule(s))).length, own.length);
  const silent = share(others.filter((a) => !a.seen.some(rule)).length, others.length);
  return [kept('evidence'), kept('unrelated'), kept('evidence') - kept('unrelated'), offered, silent];
}

function distribution(file: string, asked: Asked[]): void {
  const all = asked.flatMap((a) => a.seen);
  const at = (xs: number[], p: number) => (xs.sort((a, b) => a - b)[Math.floor(p * (xs.length - 1))] ?? 0).toFixed(3);
  console.log(
    `\n## ${file} (${values.kind}): ${asked.filter((a) => a.own).length} own questions, ${asked.filter((a) => !a.own).length} others'`,
  );
  for (const role of ['evidence', 'other-turn', 'unrelated'] as const) {
    const seen = all.filter((s) => s.role === role);
    const xs = seen.map((s) => s.cosine);
    const q = [0.1, 0.25, 0.5, 0.75, 0.9].map((p) => at(xs, p)).join(' ');
    console.log(
      `${role}: n ${xs.length}, cosine p10/p25/p50/p75/p90 ${q}, with a query word ${share(seen.filter((s) => s.words).length, xs.length).toFixed(3)}`,
    );
  }
}

// The unrelated questions of a tuning set come from the other tuning sets only; a held-out set is asked theirs too.
const tuning = positionals.map((file) => ({ file, set: readEvalFile(file) }));
const heldOut = values['held-out'] ? [{ file: values['held-out'], set: readEvalFile(values['held-out']) }] : [];
const measured: { file: string; held: boolean; asked: Asked[] }[] = [];
for (const { file, set } of [...tuning, ...heldOut]) {
  const others = tuning.filter((t) => t.file !== file).flatMap((t) => t.set.conversations);
  const asked: Asked[] = [];
  for (const c of set.conversations)
    asked.push(...(await askAll(c, [...set.conversations.filter((o) => o !== c), ...others])));
  const held = heldOut.some((h) => h.file === file);
  measured.push({ file, held, asked });
  distribution(held ? `${file} (held out)` : file, asked);
}
// Chosen by the sum of J (evidence kept − unrelated kept) over the tuning sets; the held-out set is only reported.
const rows = rules().map(({ name, rule }) => {
  const per = measured.map((m) => ({ ...m, r: measure(m.asked, rule) }));
  const j = per.filter((p) => !p.held).reduce((n, p) => n + (p.r[2] as number), 0);
  return { name, j, per };
});
rows.sort((a, b) => b.j - a.j);
const cells = (r: number[]) => r.map((x) => x.toFixed(3)).join(' / ');
console.log(
  "\nrule | J summed over the tuning sets | per set: evidence kept / unrelated kept / J / own questions offered evidence / others' questions silent",
);
for (const row of values.all ? rows : rows.slice(0, 15))
  console.log(
    `${row.name} | ${row.j.toFixed(3)} | ${row.per.map((p) => `${p.file.replace(/.*\//, '')}${p.held ? ' (held out)' : ''}: ${cells(p.r)}`).join('; ')}`,
  );
