#!/usr/bin/env node
// `npm run bench`: every bench against the budgets in docs/performance.md (bench/budgets.json), with the reports
// written to bench/results/{core,sync,http,ws}.json (progeny.bench/1), bench/results/startup.json and, with wrk
// installed, bench/results/wrk.json (the server against node:http, scripts/bench-wrk.mjs). `--quick` runs
// smaller and shorter; `--million` adds 1M memories to the growth bench (bench/results/growth.{json,svg}).
// HTTP and WebSocket benches spawn `progeny serve` on a throw-away home, and are skipped when serve is not built.
// Exits with the first non-zero exit code of the benches (10 budget breached, 12 invalid measurement).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'progeny.js');
const quick = process.argv.includes('--quick');
// Growth (the scale suite) at 10k and 100k memories; --million adds 1M (an hour or more of CPU on a 2-core machine).
const million = process.argv.includes('--million');
const results = join(root, 'bench', 'results');
mkdirSync(results, { recursive: true });
const home = mkdtempSync(join(tmpdir(), 'progeny-bench-home-'));
const env = { ...process.env, PROGENY_HOME: home, PROGENY_LLM_PROVIDER: 'offline' };
const budgets = join(root, 'bench', 'budgets.json');

const progeny = (args, stdio = 'inherit') => spawnSync(process.execPath, [bin, ...args], { env, stdio, cwd: root });
// [command, arguments, report name]. The sync suite runs on its own: its budget is for 10k memories + 50k messages
// (the suite's --memories, with 5 messages per memory), and an initial sync of that size takes seconds per call.
const benches = [
  [
    'core',
    [
      '--suite',
      'memory,state,chat,mcp',
      ...(quick
        ? ['--memories', '10000', '--runs', '2', '--duration', '1s', '--warmup', '300ms']
        : ['--memories', '100000', '--runs', '3', '--duration', '6s', '--warmup', '1s']),
    ],
    'core',
  ],
  [
    'core',
    [
      '--suite',
      'sync',
      ...(quick
        ? ['--memories', '2000', '--runs', '1', '--duration', '3s']
        : ['--memories', '10000', '--runs', '2', '--duration', '20s', '--warmup', '1s']),
    ],
    'sync',
  ],
  [
    'core',
    [
      '--suite',
      'scale',
      '--memories',
      quick ? '1k,10k' : million ? '10k,100k,1m' : '10k,100k',
      ...['--runs', '1', '--duration', quick ? '1s' : '5s', '--warmup', '500ms', '--setup-timeout', '240m'],
      '--plot',
      join(results, 'growth.svg'),
    ],
    'growth',
  ],
  // The semantic embedder's query latency and ingest rate (docs/embeddings.md): the model, not the dataset, is measured.
  [
    'core',
    [
      '--suite',
      'embedder',
      ...(quick
        ? ['--runs', '1', '--duration', '3s', '--warmup', '300ms']
        : ['--runs', '3', '--duration', '10s', '--warmup', '1s']),
    ],
    'embedder',
  ],
  ['http', ['--spawn', '--duration', quick ? '2s' : '5s', '--connections', '10'], 'http'],
  ['ws', ['--spawn', '--duration', quick ? '2s' : '5s', '--connections', '50', '--rate', '20'], 'ws'],
];
const hasServe = /^\s+serve\b/m.test(spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' }).stdout);
let exit = 0;
try {
  for (const [kind, args, name] of benches) {
    if (kind !== 'core' && !hasServe) {
      console.log(`\nbench ${kind}: skipped (this build has no \`progeny serve\`)`);
      continue;
    }
    console.log(`\n== progeny bench ${kind} ${args.join(' ')}`);
    const r = progeny(['bench', kind, ...args, '--thresholds-file', budgets, '--out', join(results, `${name}.json`)]);
    console.log(`bench ${kind}: exit ${r.status} → bench/results/${name}.json`);
    if (r.status !== 0 && exit === 0) exit = r.status ?? 1;
  }
  // Start-up of the everyday commands against `node -e 0` (hyperfine), on a home of 100k memories.
  console.log('\n== start-up (scripts/bench-startup.mjs)');
  const startup = spawnSync(
    process.execPath,
    [
      join(root, 'scripts', 'bench-startup.mjs'),
      ...(quick ? ['--memories', '10000', '--runs', '15'] : ['--memories', '100000', '--runs', '40']),
      '--out',
      join(results, 'startup.json'),
    ],
    { stdio: 'inherit', cwd: root },
  );
  console.log(`start-up: exit ${startup.status} → bench/results/startup.json`);
  if (startup.status !== 0 && exit === 0) exit = startup.status ?? 1;
  // The server's throughput against node:http with an independent generator (wrk), when wrk is installed.
  if (hasServe) {
    console.log('\n== server throughput with wrk (scripts/bench-wrk.mjs)');
    const wrk = spawnSync(
      process.execPath,
      [join(root, 'scripts', 'bench-wrk.mjs'), '--runs', quick ? '1' : '3', '--out', join(results, 'wrk.json')],
      { stdio: 'inherit', cwd: root },
    );
    console.log(
      `wrk: exit ${wrk.status}${wrk.status === 12 ? ' (wrk not installed: skipped)' : ' → bench/results/wrk.json'}`,
    );
    // 10: the median ratio is under the budget (0.6 of node:http); 12 only means wrk is missing.
    if (wrk.status !== 0 && wrk.status !== 12 && exit === 0) exit = wrk.status ?? 1;
  }
} finally {
  rmSync(home, { recursive: true, force: true });
}
process.exit(exit);
