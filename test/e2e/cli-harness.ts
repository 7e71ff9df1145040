/** End-to-end harness: runs the built binary (bin/progeny.js → dist/) with a temporary PROGENY_HOME. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/progeny.js', import.meta.url));

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Home {
  dir: string;
  env: NodeJS.ProcessEnv;
  run(args: string[], opts?: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<RunResult>;
  spawn(args: string[], opts?: { env?: NodeJS.ProcessEnv }): ChildProcess;
  json<T = unknown>(args: string[], opts?: { input?: string; env?: NodeJS.ProcessEnv }): Promise<T>;
  cleanup(): void;
}

/** A clean environment: no user config leaks in, offline unless a test points at a model. */
export function makeHome(extraEnv: NodeJS.ProcessEnv = {}): Home {
  const dir = mkdtempSync(join(tmpdir(), 'progeny-e2e-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    PROGENY_HOME: dir,
    PROGENY_LLM_PROVIDER: 'offline',
    NO_COLOR: '1',
    ...extraEnv,
  };
  const home: Home = {
    dir,
    env,
    spawn(args, opts = {}) {
      return spawn(process.execPath, [BIN, ...args], { env: { ...env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    },
    run(args, opts = {}) {
      return new Promise((resolve, reject) => {
        const child = home.spawn(args, opts.env ? { env: opts.env } : {});
        let stdout = '';
        let stderr = '';
        child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
        const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 20_000);
        child.on('error', reject);
        child.on('close', (code, signal) => {
          clearTimeout(timer);
          resolve({ code, signal, stdout, stderr });
        });
        child.stdin?.end(opts.input ?? '');
      });
    },
    async json(args, opts) {
      const r = await home.run(['--json', ...args], opts);
      if (r.code !== 0) throw new Error(`progeny ${args.join(' ')} exited ${r.code}: ${r.stdout}${r.stderr}`);
      return JSON.parse(r.stdout);
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
  return home;
}
