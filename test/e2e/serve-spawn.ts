/** `progeny serve` spawned on a free port for the e2e tests: its URL, the bearer header, and its stderr so far. */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Home } from './cli-harness.js';

export interface Served {
  child: ChildProcess;
  url: string;
  auth: { authorization: string };
  stderr(): string;
}

export async function spawnServe(home: Home, env?: NodeJS.ProcessEnv): Promise<Served> {
  const child = home.spawn(['--json', 'serve', '--port', '0'], env ? { env } : {});
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
  const { url, tokenFile } = (JSON.parse(first) as { listening: { url: string; tokenFile: string } }).listening;
  return {
    child,
    url,
    auth: { authorization: `Bearer ${readFileSync(tokenFile, 'utf8').trim()}` },
    stderr: () => stderr,
  };
}
