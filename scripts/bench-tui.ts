/**
 * The chat TUI benchmark: the real binary in tmux (a real pseudo-terminal).
 *
 *   npm run build && npx tsx scripts/bench-tui.ts [--runs 20] [--keys 200] [--history 10000] [--json]
 *
 * - first frame: `progeny chat` on an initialised home (OFFLINE, so no model time), N runs. Reported two ways:
 *   in-process (ms from the process's time origin to the first frame's bytes written, from PROGENY_TUI_TRACE) and
 *   wall (from before `tmux new-session` to that write, so it includes tmux and node start-up). For scale, the same
 *   wall timing of a bare `node` that only writes a file is reported in the same run. The first frame is drawn
 *   before the engine opens; "screen live" is when the chat screen (engine open) was first drawn.
 * - keystroke→frame: `progeny chat --continue` on a conversation of --history messages; keys are typed one at a
 *   time through tmux, and each is timed from the moment the app received it to the moment the redrawn frame was
 *   written. The same with an empty history, for the ratio.
 * Budgets (docs/performance.md): first frame ≤ 600 ms, keystroke→frame ≤ 16 ms with 10k messages.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { scriptArgs } from './script-args.mjs';
import type * as CreateModule from '../src/core/engine/create.js';
import type * as LoadModule from '../src/core/config/load.js';
import type * as PathsModule from '../src/core/paths.js';

const root = resolve(import.meta.dirname, '..');
const BIN = join(root, 'bin/progeny.js');
const { values } = scriptArgs(
  {
    options: {
      runs: { type: 'string', default: '20' },
      keys: { type: 'string', default: '200' },
      history: { type: 'string', default: '10000' },
      json: { type: 'boolean', default: false },
    },
  },
  'npx tsx scripts/bench-tui.ts [--runs 20] [--keys 200] [--history 10000] [--json]',
);
const RUNS = Number(values.runs);
const KEYS = Number(values.keys);
const HISTORY = Number(values.history);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Stats {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}
function stats(xs: number[]): Stats {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
  return { n: s.length, p50: q(50), p95: q(95), p99: q(99), max: s[s.length - 1] ?? NaN };
}

// A fresh tmux server (socket) per session: restarting one on the same socket races with its shutdown.
let session = 0;
const sock = (): string => `progeny-bench-${process.pid}-${session}`;
const tmux = (...args: string[]): string =>
  execFileSync('tmux', ['-L', sock(), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const killTmux = (): void => {
  try {
    tmux('kill-server');
  } catch {
    // Not running.
  }
};
const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

function envFor(home: string, trace: string): string {
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    PROGENY_HOME: home,
    PROGENY_LLM_PROVIDER: 'offline',
    NO_COLOR: '1',
    TERM: 'xterm-256color',
    PROGENY_TUI_TRACE: trace,
  };
  return Object.entries(env)
    .map(([k, v]) => `${k}=${q(v)}`)
    .join(' ');
}

async function waitForLine(path: string, event: string, timeoutMs = 20_000): Promise<Record<string, number>> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (existsSync(path)) {
      for (const line of readFileSync(path, 'utf8').split('\n')) {
        if (line.includes(`"${event}"`)) return JSON.parse(line) as Record<string, number>;
      }
    }
    await sleep(2);
  }
  throw new Error(`no ${event} in ${path} after ${timeoutMs} ms`);
}

function startSession(cmd: string): void {
  session++;
  tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'b', '-x', '100', '-y', '30', cmd);
}

interface Start {
  inProcess: number;
  wall: number;
  interactive: number;
}

async function firstFrame(home: string, dir: string, i: number): Promise<Start> {
  const trace = join(dir, `ff-${i}.jsonl`);
  const t0 = Date.now();
  startSession(`env -i ${envFor(home, trace)} ${q(process.execPath)} ${q(BIN)} chat`);
  const ev = await waitForLine(trace, 'first-frame');
  const ready = await waitForLine(trace, 'interactive');
  killTmux();
  return { inProcess: ev.ms ?? NaN, wall: (ev.at ?? NaN) - t0, interactive: ready.ms ?? NaN };
}

async function bareNode(dir: string, i: number): Promise<number> {
  const mark = join(dir, `bare-${i}.jsonl`);
  const t0 = Date.now();
  startSession(
    `${q(process.execPath)} -e ${q(`require('fs').writeFileSync(${JSON.stringify(mark)}, JSON.stringify({event:'bare',at:Date.now()})+'\\n')`)}; sleep 5`,
  );
  const ev = await waitForLine(mark, 'bare');
  killTmux();
  return (ev.at ?? NaN) - t0;
}

async function keystrokes(
  home: string,
  dir: string,
  label: string,
  args: string[],
): Promise<{ frame: number[]; render: number[] }> {
  const trace = join(dir, `keys-${label}.jsonl`);
  startSession(`env -i ${envFor(home, trace)} ${q(process.execPath)} ${q(BIN)} chat ${args.join(' ')}`);
  await waitForLine(trace, 'interactive');
  await sleep(1000);
  for (let k = 0; k < KEYS; k++) {
    // Type a character, then erase it every 20 keys, so the input stays short and both paths are timed.
    if (k % 20 === 19) tmux('send-keys', '-t', 'b', 'C-u');
    else tmux('send-keys', '-t', 'b', '-l', String.fromCharCode(97 + (k % 26)));
    await sleep(25);
  }
  await sleep(300);
  killTmux();
  const events = readFileSync(trace, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { event: string; ms: number });
  return {
    frame: events.filter((e) => e.event === 'key').map((e) => e.ms),
    render: events.filter((e) => e.event === 'render').map((e) => e.ms),
  };
}

function progeny(home: string, args: string[]): void {
  execFileSync(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH, PROGENY_HOME: home, PROGENY_LLM_PROVIDER: 'offline' },
    stdio: 'ignore',
  });
}

/** A conversation of `n` messages, written through the engine (the same rows a long chat leaves). */
async function seedHistory(home: string, n: number): Promise<void> {
  // The built core, as the binary runs it.
  const { createEngine } = (await import(join(root, 'dist/core/engine/create.js'))) as typeof CreateModule;
  const { loadConfig } = (await import(join(root, 'dist/core/config/load.js'))) as typeof LoadModule;
  const { pathsFor } = (await import(join(root, 'dist/core/paths.js'))) as typeof PathsModule;
  const paths = pathsFor(home);
  const engine = await createEngine({ paths, config: loadConfig({ path: paths.config, env: {} }).config });
  const conv = engine.conversations.create('creator', 'bench history');
  for (let i = 0; i < n; i++) {
    const user = i % 2 === 0;
    const text = user
      ? `Question ${i}: what about item ${i}?`
      : `Answer ${i}: here is **some** text with \`code\` and a list:\n- one\n- two`;
    engine.conversations.append({
      conversationId: conv.id,
      turnId: `t${i >> 1}`,
      role: user ? 'user' : 'assistant',
      text,
      status: 'complete',
      meta: {},
    });
  }
  await engine.close();
}

async function main(): Promise<void> {
  if (!existsSync(join(root, 'dist/tui/chat-screen.js'))) throw new Error('build first: npm run build');
  const dir = mkdtempSync(join(tmpdir(), 'progeny-bench-tui-'));
  try {
    const home = join(dir, 'home');
    progeny(home, ['init']);
    progeny(home, ['memory', 'add', 'The bench likes round numbers']);
    const ff: Start[] = [];
    const bare: number[] = [];
    await firstFrame(home, dir, -1); // warm the page cache
    for (let i = 0; i < RUNS; i++) {
      ff.push(await firstFrame(home, dir, i));
      bare.push(await bareNode(dir, i));
    }
    const big = join(dir, 'big');
    progeny(big, ['init']);
    await seedHistory(big, HISTORY);
    writeFileSync(join(dir, 'seeded'), '');
    const keysBig = await keystrokes(big, dir, 'big', ['--continue']);
    const keysEmpty = await keystrokes(home, dir, 'empty', []);
    const result = {
      schema: 'progeny.bench-tui/1',
      runs: RUNS,
      firstFrameInProcessMs: stats(ff.map((f) => f.inProcess)),
      firstFrameWallMs: stats(ff.map((f) => f.wall)),
      interactiveInProcessMs: stats(ff.map((f) => f.interactive)),
      bareNodeWallMs: stats(bare),
      keystrokeToFrameMs: { [`history${HISTORY}`]: stats(keysBig.frame), empty: stats(keysEmpty.frame) },
      inkRenderPerKeyMs: { [`history${HISTORY}`]: stats(keysBig.render), empty: stats(keysEmpty.render) },
    };
    if (values.json) {
      console.log(JSON.stringify(result, null, 2));
      return;
    }
    const row = (name: string, s: Stats): string =>
      `${name.padEnd(36)} ${String(s.n).padStart(4)} ${[s.p50, s.p95, s.p99, s.max].map((x) => x.toFixed(1).padStart(8)).join(' ')}`;
    console.log(
      `${'measure (ms)'.padEnd(36)} ${'n'.padStart(4)} ${['P50', 'P95', 'P99', 'max'].map((h) => h.padStart(8)).join(' ')}`,
    );
    console.log(row('first frame, in process', result.firstFrameInProcessMs));
    console.log(row('first frame, wall (tmux + node)', result.firstFrameWallMs));
    console.log(row('engine open, screen live, in process', result.interactiveInProcessMs));
    console.log(row('bare node in tmux, wall', result.bareNodeWallMs));
    console.log(row(`keystroke→frame, ${HISTORY} messages`, stats(keysBig.frame)));
    console.log(row('keystroke→frame, empty', stats(keysEmpty.frame)));
    console.log(row(`Ink render per key, ${HISTORY} messages`, stats(keysBig.render)));
    console.log(row('Ink render per key, empty', stats(keysEmpty.render)));
    console.log('budgets: first frame ≤ 600 ms; keystroke→frame ≤ 16 ms with 10k messages');
  } finally {
    killTmux();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
