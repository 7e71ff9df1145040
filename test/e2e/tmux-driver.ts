/**
 * Drives the real binary in a tmux pane, the way a user's terminal would: send keys, read the screen, resize.
 * Each driver uses its own tmux server socket (-L), so parallel tests and other tmux users never interfere.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export const tmuxAvailable = (): boolean => spawnSync('tmux', ['-V'], { stdio: 'ignore' }).status === 0;

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export interface TmuxSession {
  /** The tmux server's socket name (for `tmux -L <socket> …` calls a test makes itself). */
  socket: string;
  /** The visible screen plus scrollback. */
  screen(): string;
  /** Literal text (no key names). */
  type(text: string): void;
  /** tmux key names: Enter, C-c, C-d, Escape… */
  keys(...names: string[]): void;
  resize(cols: number, rows: number): void;
  waitFor(pred: (screen: string) => boolean, what: string, timeoutMs?: number): Promise<string>;
  kill(): void;
}

export function startTmux(
  argv: string[],
  env: NodeJS.ProcessEnv,
  o: { cols?: number; rows?: number; cwd?: string } = {},
): TmuxSession {
  const sock = `progeny-e2e-${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmux = (...args: string[]): string =>
    execFileSync('tmux', ['-L', sock, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const vars = Object.entries({ ...env, TERM: 'xterm-256color' })
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${quote(String(v))}`);
  // The exit status is printed when the app ends, so a test can tell a clean quit from a crash.
  // TMUX is kept, as a user's shell inside tmux has it (the app asks tmux for its clipboard settings).
  const cmd = `env -i TMUX="$TMUX" ${vars.join(' ')} ${argv.map(quote).join(' ')}; echo "[exited $?]"; sleep 60`;
  tmux(
    '-f',
    '/dev/null',
    'new-session',
    '-d',
    '-s',
    'main',
    '-x',
    String(o.cols ?? 100),
    '-y',
    String(o.rows ?? 30),
    ...(o.cwd ? ['-c', o.cwd] : []),
    cmd,
  );
  tmux('set-option', '-g', 'history-limit', '5000');
  const session: TmuxSession = {
    socket: sock,
    screen: () => tmux('capture-pane', '-p', '-t', 'main', '-S', '-5000'),
    type: (text) => void tmux('send-keys', '-t', 'main', '-l', text),
    keys: (...names) => void tmux('send-keys', '-t', 'main', ...names),
    resize: (cols, rows) => void tmux('resize-window', '-t', 'main', '-x', String(cols), '-y', String(rows)),
    async waitFor(pred, what, timeoutMs = 15_000) {
      const end = Date.now() + timeoutMs;
      let last = '';
      while (Date.now() < end) {
        last = session.screen();
        if (pred(last)) return last;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`timed out waiting for ${what}; the screen was:\n${last}`);
    },
    kill: () => {
      try {
        tmux('kill-server');
      } catch {
        // Already gone.
      }
    },
  };
  return session;
}
