/**
 * The one place that knows where progeny keeps its files. Nothing else reads os.homedir().
 * Order: an explicit override (--home), then PROGENY_HOME, then the platform's data directory.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export interface Paths {
  home: string;
  db: string;
  config: string;
  /** Derived ANN index for the embedded memory backend; rebuilt from the database when missing or stale. */
  memoryIndex: string;
  /** Secrets (server token, device keys): files with mode 0600. */
  secrets: string;
  serverToken: string;
  chatHistory: string;
  exports: string;
}

export function platformDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  const home = homedir();
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'progeny');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'progeny');
  return join(env.XDG_DATA_HOME || join(home, '.local', 'share'), 'progeny');
}

export function resolveHome(override?: string, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = override ?? (env.PROGENY_HOME || undefined);
  return chosen ? resolve(chosen) : platformDataDir(env);
}

export function pathsFor(home: string): Paths {
  const secrets = join(home, 'secrets');
  return {
    home,
    db: join(home, 'progeny.db'),
    config: join(home, 'config.json'),
    memoryIndex: join(home, 'memory.usearch'),
    secrets,
    serverToken: join(secrets, 'server.token'),
    chatHistory: join(home, 'chat-history.jsonl'),
    exports: join(home, 'exports'),
  };
}
