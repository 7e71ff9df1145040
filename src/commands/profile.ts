/**
 * `progeny profile <target>`: a CPU profile of a core suite (recorded in this process with node:inspector while the
 * suite's cases run in turn) or of an HTTP route (a `progeny serve` process started with `--cpu-prof`, loaded with
 * autocannon, stopped gracefully so V8 writes its profile). Writes the .cpuprofile and lists the top self-time functions.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { usageError } from '../core/errors.js';
import { measureCase } from '../bench/measure.js';
import { globMatcher, parseDuration, parsePositiveInt } from '../bench/parse.js';
import { recordProfile, topSelfTime, type CpuProfile } from '../bench/profile.js';
import { loadSuite, SUITE_NAMES } from '../bench/suites/index.js';
import type { CommandContext } from './context.js';
import { checkOutputFile, writeOutputFile } from './output-file.js';
import type { CommandResult } from './output.js';

interface ProfileFlags {
  duration?: string;
  out?: string;
  top?: string;
  memories?: string;
}

async function profileSuite(
  target: string,
  durationMs: number,
  memories: number | undefined,
): Promise<{ profile: CpuProfile; cases: string[] }> {
  const [suiteName, glob] = target.split(':');
  const suite = await loadSuite(suiteName!);
  const dir = mkdtempSync(join(tmpdir(), 'progeny-profile-'));
  try {
    const prepared = await suite.setup({ dir, seed: 42, ...(memories ? { memories } : {}) });
    try {
      const cases = prepared.cases.filter((c) => globMatcher(glob)(c.name));
      if (!cases.length)
        throw usageError(
          `no case of suite ${suiteName} matches "${glob}"`,
          `cases: ${prepared.cases.map((c) => c.name).join(', ')}`,
        );
      const per = durationMs / cases.length;
      for (const c of cases) await measureCase(c, { warmupMs: 0, durationMs: Math.min(200, per), maxCalls: 100_000 }); // warm the JIT outside the profile
      const { profile } = await recordProfile(async () => {
        for (const c of cases) await measureCase(c, { warmupMs: 0, durationMs: per, maxCalls: 10_000_000 });
      });
      return { profile, cases: cases.map((c) => c.name) };
    } finally {
      await prepared.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function profileRoute(
  ctx: CommandContext,
  route: string,
  durationMs: number,
): Promise<{ profile: CpuProfile; cases: string[] }> {
  const [{ parseRoute }, { runClosed }, { spawnServe }] = await Promise.all([
    import('../bench/http/load.js'),
    import('../bench/http/closed.js'),
    import('../bench/http/targets.js'),
  ]);
  const r = parseRoute(route);
  const dir = mkdtempSync(join(tmpdir(), 'progeny-profile-'));
  try {
    const server = await spawnServe(ctx.paths.home, null, 30_000, ['--cpu-prof', '--cpu-prof-dir', dir]);
    try {
      const headers: Record<string, string> = server.token ? { authorization: `Bearer ${server.token}` } : {};
      await runClosed('profile', 'http', { url: server.url, ...r, headers, connections: 10, durationMs });
    } finally {
      await server.stop();
    }
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file)
      throw usageError(
        'the server wrote no CPU profile',
        'it must stop gracefully; run with --debug to see its output',
      );
    return {
      profile: JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile,
      cases: [`${r.method} ${r.path}`],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(ctx: CommandContext, args: string[], opts: ProfileFlags): Promise<CommandResult> {
  const target = args[0] ?? '';
  const durationMs = parseDuration(opts.duration ?? '5s', '--duration');
  const top = parsePositiveInt(opts.top ?? '15', '--top', 1000);
  const memories = opts.memories ? parsePositiveInt(opts.memories, '--memories', 10_000_000) : undefined;
  const isRoute = /^\s*(GET|POST|PUT|PATCH|DELETE|HEAD\s+)?\s*\//i.test(target);
  if (!isRoute && !SUITE_NAMES.includes(target.split(':')[0]!)) {
    throw usageError(
      `"${target}" is neither a core suite nor an HTTP route`,
      `use one of ${SUITE_NAMES.join(', ')} (optionally suite:case-glob), or a route like 'GET /v1/state'`,
    );
  }
  if (opts.out) checkOutputFile(opts.out, '--out');
  ctx.out.notice(`profiling ${target} for ${durationMs / 1000} s`);
  const { profile, cases } = isRoute
    ? await profileRoute(ctx, target, durationMs)
    : await profileSuite(target, durationMs, memories);
  const slug = target.replace(/[^a-z0-9.]+/gi, '-').replace(/^-|-$/g, '');
  const out = resolve(opts.out ?? `progeny-${slug}-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`);
  writeOutputFile(out, JSON.stringify(profile), '--out');
  const hot = topSelfTime(profile, top);
  return {
    data: { target, cases, file: out, sampledMs: hot.totalMs, top: hot.functions },
    view: {
      kind: 'stack',
      views: [
        {
          kind: 'table',
          columns: [
            { key: 'selfMs', label: 'self ms', align: 'right', format: (v) => (v as number).toFixed(1) },
            { key: 'selfPercent', label: 'self %', align: 'right', format: (v) => (v as number).toFixed(1) },
            { key: 'function', label: 'function' },
            { key: 'location', label: 'location', flex: true },
          ],
          rows: hot.functions as unknown as Record<string, unknown>[],
        },
        {
          kind: 'text',
          text: `${cases.join(', ')}: ${hot.totalMs.toFixed(0)} ms sampled\nprofile: ${out} (open it in Chrome DevTools → Performance, or VS Code)`,
        },
      ],
    },
  };
}
