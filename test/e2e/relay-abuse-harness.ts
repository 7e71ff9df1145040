/** A `progeny serve` process for abuse tests, its peak resident memory from /proc, and raw oversized requests. */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import type { Home } from './cli-harness.js';

export interface Serve {
  url: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

export async function startServe(home: Home, args: string[] = []): Promise<Serve> {
  const child: ChildProcess = home.spawn(['--json', 'serve', '--port', '0', ...args]);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
  const { url, port } = (JSON.parse(line) as { listening: { url: string; port: number } }).listening;
  return {
    url,
    port,
    pid: child.pid!,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** The process's peak resident set (VmHWM) in MB: a spike between two samples is not missed. */
export function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Math.round(Number(m?.[1] ?? NaN) / 1024);
}

/**
 * Sends a request announcing `bytes` of body and keeps writing (1 MiB at a time, honouring backpressure) until all is
 * sent or the server closes the connection. Returns the reply's status and how much of the body got out.
 */
export function hugeRequest(
  port: number,
  method: string,
  path: string,
  bytes: number,
): Promise<{ status: number; sentBytes: number }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunk = Buffer.alloc(1024 * 1024, 0x30);
    let sent = 0;
    let reply = '';
    let closed = false;
    const timer = setTimeout(() => socket.destroy(), 30_000);
    socket.on('data', (d: Buffer) => (reply += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
      clearTimeout(timer);
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1] ?? 0), sentBytes: sent });
    });
    socket.write(`${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n`);
    socket.write(`Content-Length: ${bytes}\r\nX-Progeny-Device: nobody\r\n\r\n`);
    const pump = (): void => {
      while (!closed && sent < bytes) {
        const n = Math.min(chunk.length, bytes - sent);
        sent += n;
        if (!socket.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void socket.once('drain', pump);
      }
      if (!closed) socket.end();
    };
    pump();
  });
}
