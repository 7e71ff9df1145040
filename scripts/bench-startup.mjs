#!/usr/bin/env node
// Start-up cost of the commands people and scripts run most, against a bare `node -e 0`, measured with hyperfine
// (`apt-get install hyperfine`; -N: no shell in between) on a home of --memories generated memories (default 100k).
// Budget (docs/performance.md): `state show`, `memory list`, `memory add`, `memory search` and `--help` each ≤ 1.5×
// `node -e 0`, judged on the median wall time. The 100k home uses the hash embedder (embedder.kind=hash: embedding
// 100k texts with the semantic model would take ~10 minutes); `memory search` is also measured with the default
// semantic embedder on a smaller home, for a repeated query, whose embedding is cached (the model is not loaded).
// Writes a progeny.startup/1 report (--out FILE) with every command's wall and CPU time, the ratios and the load
// average before and after. Exit 10 if a budget is breached, 12 if hyperfine is missing or a command fails.
//
//   node scripts/bench-startup.mjs [--memories 100000] [--runs 40] [--rounds 5] [--out bench/results/startup.json]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scriptArgs } from './script-args.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'progeny.js');
const { values } = scriptArgs(
  {
    options: {
      memories: { type: 'string', default: '100000' },
      semantic: { type: 'string', default: '2000' },
      runs: { type: 'string', default: '40' },
      rounds: { type: 'string', default: '5' },
      budget: { type: 'string', default: '1.5' },
      out: { type: 'string' },
    },
  },
  'node scripts/bench-startup.mjs [--memories 100000] [--runs 40] [--rounds 5] [--out bench/results/startup.json]',
);
const memories = Number(values.memories);
const rounds = Math.max(1, Number(values.rounds));
// hyperfine needs at least 2 runs a call.
const perRound = Math.max(2, Math.ceil(Number(values.runs) / rounds));
const runs = perRound * rounds;
const budget = Number(values.budget);
const QUERY = 'when did Rosa go to the library';

if (spawnSync('hyperfine', ['--version']).status !== 0) {
  console.error('bench startup: hyperfine is not installed (Debian: apt-get install hyperfine); skipped');
  process.exit(12);
}

/**
 * A home with `n` memories from the bench corpus, imported as JSONL, every memory embedded by `embedder` and the
 * index built and saved (`memory reindex`), as a home in use would be.
 */
async function seedHome(n, embedder) {
  const { createCorpus } = await import(join(root, 'dist', 'bench', 'corpus.js'));
  const dir = mkdtempSync(join(tmpdir(), 'progeny-startup-'));
  const corpus = createCorpus(42);
  const start = Date.UTC(2025, 0, 1);
  const lines = [];
  for (let i = 0; i < n; i++)
    lines.push(JSON.stringify({ text: corpus.memory(), kind: 'fact', createdAt: start - (n - i) * 60_000 }));
  const file = join(dir, 'seed.jsonl');
  writeFileSync(file, `${lines.join('\n')}\n`);
  const home = join(dir, 'home');
  const env = { ...process.env, PROGENY_HOME: home, PROGENY_LLM_PROVIDER: 'offline' };
  const progeny = (...args) =>
    execFileSync(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  progeny('config', 'set', 'embedder.kind', embedder);
  progeny('memory', 'import', file);
  // The hash embedder embeds as it imports; the semantic model leaves that to the background, or to reindex.
  if (embedder !== 'hash') progeny('memory', 'reindex');
  rmSync(file);
  return { dir, env };
}

const node = (args) => [process.execPath, ...args].map((a) => (/[\s'"]/.test(a) ? `'${a}'` : a)).join(' ');
// [name, command line, budgeted]. memory add runs last: its writes would otherwise sit in the others' exact tail.
const SEMANTIC_SEARCH = node([bin, 'memory', 'search', QUERY]);
const CASES = [
  ['node -e 0', node(['-e', '0']), false],
  ['progeny --help', node([bin, '--help']), true],
  ['progeny state show', node([bin, 'state', 'show']), true],
  ['progeny memory list', node([bin, 'memory', 'list']), true],
  ['progeny memory search', node([bin, 'memory', 'search', QUERY]), true],
  ['progeny memory add', node([bin, 'memory', 'add', 'a memory written by the start-up bench']), true],
];

/**
 * hyperfine's results for `commands` on a home, or exit 12. hyperfine runs one command's runs back to back, so on a
 * shared machine a change of load between commands shows as a ratio; the runs are made in --rounds passes over every
 * command instead (runs/rounds each), and each command's times merged: every command is sampled across the whole
 * measurement. --rounds 1 is one hyperfine call, as before.
 */
function hyperfine(commands, env, json) {
  const merged = commands.map(() => ({ times: [], user: 0, system: 0 }));
  for (let round = 0; round < rounds; round++) {
    const r = spawnSync(
      'hyperfine',
      ['-N', '--warmup', round ? '1' : '3', '--runs', String(perRound), '--export-json', json, ...commands],
      { env: { ...env, NO_COLOR: '1' }, stdio: ['ignore', round === rounds - 1 ? 'inherit' : 'ignore', 'inherit'] },
    );
    if (r.status !== 0) {
      console.error(`bench startup: hyperfine exited ${r.status}`);
      process.exit(12);
    }
    JSON.parse(readFileSync(json, 'utf8')).results.forEach((x, i) => {
      merged[i].times.push(...x.times);
      merged[i].user += x.user * x.times.length;
      merged[i].system += x.system * x.times.length;
    });
  }
  return merged.map(({ times, user, system }) => {
    const sorted = [...times].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    const mean = times.reduce((a, b) => a + b, 0) / times.length;
    return {
      median: sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2,
      mean,
      stddev: Math.sqrt(times.reduce((a, t) => a + (t - mean) ** 2, 0) / Math.max(1, times.length - 1)),
      min: sorted[0],
      max: sorted.at(-1),
      user: user / times.length,
      system: system / times.length,
    };
  });
}

const homes = [await seedHome(memories, 'hash'), await seedHome(Number(values.semantic), 'builtin')];
const loadBefore = loadavg();
try {
  const hashed = hyperfine(
    CASES.map(([, cmd]) => cmd),
    homes[0].env,
    join(homes[0].dir, 'hyperfine.json'),
  );
  // The same `node -e 0` again beside the semantic search, so that ratio compares runs of the same minute.
  const semantic = hyperfine([CASES[0][1], SEMANTIC_SEARCH], homes[1].env, join(homes[1].dir, 'hyperfine.json'));
  const loadAfter = loadavg();
  const h = [...hashed, semantic[1]];
  const baseOf = (i) => (i < hashed.length ? hashed[0] : semantic[0]);
  const cpu = (x) => (x.user + x.system) * 1000;
  const cases = [
    ...CASES,
    [`progeny memory search (semantic, cached query, ${values.semantic} memories)`, SEMANTIC_SEARCH, true],
  ];
  const results = cases.map(([name, , budgeted], i) => {
    const x = h[i];
    const base = baseOf(i);
    return {
      name,
      budgeted,
      wallMs: {
        median: x.median * 1000,
        mean: x.mean * 1000,
        stddev: x.stddev * 1000,
        min: x.min * 1000,
        max: x.max * 1000,
      },
      cpuMs: cpu(x),
      ratio: x.median / base.median,
      meanRatio: x.mean / base.mean,
      cpuRatio: cpu(x) / cpu(base),
      within: !budgeted || x.median / base.median <= budget,
    };
  });
  const breached = results.filter((x) => !x.within);
  const report = {
    schema: 'progeny.startup/1',
    env: {
      node: process.version,
      cpu: cpus()[0]?.model,
      cpus: cpus().length,
      loadavgBefore: loadBefore,
      loadavgAfter: loadAfter,
    },
    config: {
      memories,
      semanticMemories: Number(values.semantic),
      runs,
      budget,
      query: QUERY,
      rounds,
      command: `hyperfine -N --warmup 3 (1 after the first round) --runs ${perRound}, ${rounds} rounds`,
    },
    results,
    verdict: { status: breached.length ? 'breach' : 'pass', exitCode: breached.length ? 10 : 0 },
  };
  console.log(
    `\nstart-up at ${memories} memories (load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} → ${loadAfter.map((l) => l.toFixed(2)).join(' ')})`,
  );
  console.log('command                                   median ms   ±sd   ×node (median)  ×node (CPU)  budget');
  for (const x of results)
    console.log(
      `${x.name.slice(0, 40).padEnd(40)} ${x.wallMs.median.toFixed(1).padStart(9)} ${x.wallMs.stddev.toFixed(1).padStart(5)} ${x.ratio.toFixed(2).padStart(15)} ${x.cpuRatio.toFixed(2).padStart(12)}  ${x.budgeted ? (x.within ? `≤ ${budget}× ok` : `> ${budget}× BREACH`) : ''}`,
    );
  if (values.out) {
    mkdirSync(dirname(values.out), { recursive: true });
    writeFileSync(values.out, `${JSON.stringify(report, null, 2)}\n`);
  }
  process.exitCode = report.verdict.exitCode;
} finally {
  for (const { dir } of homes) rmSync(dir, { recursive: true, force: true });
}
