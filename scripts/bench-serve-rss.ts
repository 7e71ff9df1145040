/**
 * Idle `progeny serve` RSS with the semantic model (docs/embeddings.md, "Figures"; the relay's own RSS budget is
 * measured with the hash embedder by test/e2e/relay-abuse.test.ts). For each run: a fresh home with a few memories,
 * `serve` started, one search over HTTP (its query embedding loads the model), then the server's resident set read
 * from /proc: right after that search (model loaded, idle), and once the model was released after
 * `embedder.idleMs` without work. The worker threads count: they live in the server's process.
 *
 * Run: `npx tsx scripts/bench-serve-rss.ts [--runs 3] [--idle-ms 12000] [--bin path/to/bin/progeny.js]`
 * (`--bin` measures another build, e.g. main's, in the same session). Prints one JSON object; note `uptime` beside it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { scriptArgs } from './script-args.mjs';
import { EXTRA_IDLE_MS } from '../src/core/memory/embedder-model.js';

const { values } = scriptArgs(
  {
    options: {
      runs: { type: 'string', default: '3' },
      'idle-ms': { type: 'string', default: '12000' },
      bin: { type: 'string', default: resolve('bin/progeny.js') },
    },
  },
  'npx tsx scripts/bench-serve-rss.ts [--runs 3] [--idle-ms 12000] [--bin bin/progeny.js]',
);
const bin = resolve(values.bin);
const idleMs = Number(values['idle-ms']);
/** An extra worker retires after this long without work. */
const EXTRA_WORKER_IDLE_MS = EXTRA_IDLE_MS;

const status = (pid: number, field: string): number => {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Math.round(Number(m?.[1] ?? NaN) / 1024);
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function once(): Promise<Record<string, number>> {
  const home = mkdtempSync(join(tmpdir(), 'progeny-rss-'));
  const env = {
    ...process.env,
    PROGENY_HOME: home,
    PROGENY_LLM_PROVIDER: 'offline',
    PROGENY_EMBEDDER_IDLEMS: String(idleMs),
  };
  try {
    spawnSync(process.execPath, [bin, 'init', '--json'], { env });
    for (const text of ['I adopted a kitten last week', 'My sister paints houses', 'The train leaves at noon'])
      spawnSync(process.execPath, [bin, 'memory', 'add', text], { env });
    const child = spawn(process.execPath, [bin, '--json', 'serve', '--port', '0'], {
      env,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      const line = await new Promise<string>((ok) => createInterface({ input: child.stdout! }).once('line', ok));
      const { url } = (JSON.parse(line) as { listening: { url: string } }).listening;
      const pid = child.pid!;
      const listening = status(pid, 'VmRSS');
      const token = readFileSync(join(home, 'secrets', 'server.token'), 'utf8').trim();
      const t0 = performance.now();
      const res = await fetch(`${url}/v1/memories/search?q=${encodeURIComponent('we got a new cat')}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (!res.ok) throw new Error(`search answered ${res.status}: ${await res.text()}`);
      const firstSearchMs = Math.round(performance.now() - t0);
      await sleep(500);
      const modelLoaded = status(pid, 'VmRSS');
      // Idle with the model loaded: past the extra worker's 5 s (a query that found the one worker busy with the
      // background embedding at start starts a second, which retires when idle), before the last one's idleMs.
      await sleep(EXTRA_WORKER_IDLE_MS + 1_500);
      const modelLoadedIdle = status(pid, 'VmRSS');
      await sleep(Math.max(0, idleMs - EXTRA_WORKER_IDLE_MS - 1_500) + 2_000);
      const released = status(pid, 'VmRSS');
      return { listening, firstSearchMs, modelLoaded, modelLoadedIdle, released, peak: status(pid, 'VmHWM') };
    } finally {
      child.kill('SIGKILL');
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

const runs: Record<string, number>[] = [];
for (let i = 0; i < Number(values.runs); i++) runs.push(await once());
const median = (k: string) => [...runs.map((r) => r[k] as number)].sort((a, b) => a - b)[Math.floor(runs.length / 2)];
const keys = Object.keys(runs[0] ?? {});
console.log(
  JSON.stringify({
    bin,
    idleMs,
    medianMb: Object.fromEntries(keys.map((k) => [k, median(k)])),
    runs,
  }),
);
