/**
 * Servers under test as separate processes: `progeny serve` (its address and token read from its `--json` ready
 * line) and the node:http reference. Each is pinned to its own core with taskset when there is more than one core
 * and taskset exists, and the load generator pins itself to the other, so they never share a core.
 */
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ProgenyError } from '../../core/errors.js';

export interface Target {
  url: string;
  token?: string;
  pid?: number;
  pinned: string | null;
  /** Resident memory of the server process (Linux), MB. */
  rssMb(): number | undefined;
  stop(): Promise<void>;
}

const BIN = fileURLToPath(new URL('../../../bin/progeny.js', import.meta.url));
const REFERENCE = fileURLToPath(new URL('./reference-server.js', import.meta.url));

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore', timeout: 2000 });
    return true;
  } catch {
    return false;
  }
}

/** The server's core (the last one) and the generator's (the others); null when pinning is not possible. */
export function pinPlan(): { server: string; generator: string } | null {
  const n = cpus().length;
  if (n < 2 || !hasTaskset()) return null;
  return { server: String(n - 1), generator: n === 2 ? '0' : `0-${n - 2}` };
}

export function pinSelf(cpuList: string): void {
  try {
    execFileSync('taskset', ['-cp', cpuList, String(process.pid)], { stdio: 'ignore', timeout: 2000 });
  } catch {
    // Pinning is best effort; the report says whether the server was pinned.
  }
}

export function processRssMb(pid: number | undefined): number | undefined {
  if (!pid || !existsSync(`/proc/${pid}/status`)) return undefined;
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round((Number(m[1]) / 1024) * 10) / 10 : undefined;
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
}

export async function spawnServe(
  home: string,
  cpu: string | null,
  timeoutMs = 30_000,
  nodeArgs: string[] = [],
): Promise<Target> {
  const args = [...nodeArgs, BIN, '--json', '--home', home, 'serve', '--port', '0', '--host', '127.0.0.1'];
  const child = cpu
    ? spawn('taskset', ['-c', cpu, process.execPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const ready = await new Promise<{ url: string; tokenFile?: string; pid?: number }>((resolve, reject) => {
    const fail = (why: string) =>
      reject(
        new ProgenyError('BENCH_SPAWN', `progeny serve did not start: ${why}`, {
          hint: 'run `progeny serve` yourself to see why, then use --url',
        }),
      );
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(`no address within ${timeoutMs / 1000} s`);
    }, timeoutMs);
    child.stderr?.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      for (const line of out.split('\n')) {
        if (!line.includes('"listening"')) continue;
        clearTimeout(timer);
        resolve((JSON.parse(line) as { listening: { url: string; tokenFile?: string; pid?: number } }).listening);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      fail(`it exited with ${code}${err ? `: ${err.trim().split('\n').at(-1)}` : ''}`);
    });
  });
  const token =
    ready.tokenFile && existsSync(ready.tokenFile) ? readFileSync(ready.tokenFile, 'utf8').trim() : undefined;
  const pid = ready.pid ?? child.pid;
  return {
    url: ready.url,
    ...(token ? { token } : {}),
    ...(pid ? { pid } : {}),
    pinned: cpu,
    rssMb: () => processRssMb(pid),
    stop: stopper(child),
  };
}

export async function spawnReference(cpu: string | null): Promise<Target> {
  const child = fork(REFERENCE, [], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
  if (cpu && child.pid) {
    try {
      execFileSync('taskset', ['-cp', cpu, String(child.pid)], { stdio: 'ignore', timeout: 2000 });
    } catch {
      cpu = null;
    }
  }
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the reference server did not start')), 10_000);
    child.once('message', (m: { port: number }) => {
      clearTimeout(timer);
      resolve(m.port);
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    ...(child.pid ? { pid: child.pid } : {}),
    pinned: cpu,
    rssMb: () => processRssMb(child.pid),
    stop: async () => {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.disconnect();
      const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(t);
    },
  };
}
