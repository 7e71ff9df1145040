/**
 * /copy. Outside tmux: OSC 52, the terminal puts the text on the system clipboard; nothing answers back, so the
 * message says it was sent, not that it arrived. Inside tmux an application's OSC 52 is dropped by default (tmux 3.3:
 * set-clipboard external ignores it, allow-passthrough off drops the wrapped form), so the text goes straight into
 * tmux's paste buffer with `tmux load-buffer -w`, which also has tmux forward it to the terminal's clipboard when
 * set-clipboard allows. The message says which of these happened.
 */
import { execFileSync } from 'node:child_process';

export interface CopyResult {
  ok: boolean;
  message: string;
  hint?: string;
}

/** The tmux server the screen runs in (a test passes a fake). */
export interface TmuxPort {
  /** A global option's value (set-clipboard, allow-passthrough), or null when tmux does not say. */
  option(name: string): string | null;
  /** Puts text in tmux's paste buffer (and, with `-w`, the clipboard as set-clipboard allows); false if it failed. */
  loadBuffer(text: string): boolean;
}

// Many terminals cap OSC 52 payloads around 100 kB (xterm's default, tmux's buffer limits).
const MAX_BASE64 = 100_000;

export function osc52(text: string, inTmux: boolean): string {
  const seq = `\x1b]52;c;${Buffer.from(text, 'utf8').toString('base64')}\x07`;
  // tmux forwards an escape sequence to the outer terminal only inside a DCS passthrough with doubled ESCs.
  return inTmux ? `\x1bPtmux;${seq.split('\x1b').join('\x1b\x1b')}\x1b\\` : seq;
}

const tmuxRun = (args: string[], input?: string): string =>
  execFileSync('tmux', args, {
    encoding: 'utf8',
    timeout: 1000,
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'ignore'],
    ...(input === undefined ? {} : { input }),
  }).trim();

export const systemTmux: TmuxPort = {
  option(name) {
    try {
      return tmuxRun(['show-options', '-gv', name]) || null;
    } catch {
      return null;
    }
  },
  loadBuffer(text) {
    for (const args of [
      ['load-buffer', '-w', '-'],
      ['load-buffer', '-'],
    ]) {
      try {
        tmuxRun(args, text);
        return true;
      } catch {
        // tmux before 3.2 has no -w: try without it.
      }
    }
    return false;
  },
};

function copyInTmux(text: string, size: number, out: NodeJS.WriteStream, tmux: TmuxPort): CopyResult {
  const clipboard = tmux.option('set-clipboard');
  if (tmux.loadBuffer(text)) {
    if (clipboard === 'off')
      return {
        ok: true,
        message: `copied ${size} bytes into tmux's paste buffer (prefix + ] pastes it); set-clipboard is off, so it does not reach the system clipboard`,
        hint: 'run `tmux set -g set-clipboard external` to have tmux pass copies on to your terminal',
      };
    return {
      ok: true,
      message: `copied ${size} bytes into tmux's paste buffer (prefix + ] pastes it); tmux passes it on to the system clipboard if your terminal accepts OSC 52`,
    };
  }
  // tmux did not answer: the escape sequences, where tmux is set to let them through.
  const passthrough = tmux.option('allow-passthrough');
  if (clipboard === 'on' || (passthrough !== null && passthrough !== 'off')) {
    out.write(osc52(text, clipboard !== 'on'));
    return { ok: true, message: `sent ${size} bytes through tmux; your terminal must allow OSC 52 clipboard writes` };
  }
  return {
    ok: false,
    message: 'not copied: tmux could not be reached, and with its defaults it drops clipboard escape sequences',
    hint: 'run `tmux set -g set-clipboard on`, or use /export',
  };
}

export function copyToClipboard(
  text: string,
  out: NodeJS.WriteStream,
  env: NodeJS.ProcessEnv,
  tmux: TmuxPort = systemTmux,
): CopyResult {
  if (!text) return { ok: false, message: 'nothing to copy yet: no reply in this session' };
  const size = Buffer.byteLength(text, 'utf8');
  if (env.TMUX) return copyInTmux(text, size, out, tmux);
  if (!out.isTTY) return { ok: false, message: 'not copied: the output is not a terminal' };
  if (Math.ceil(size / 3) * 4 > MAX_BASE64) {
    return {
      ok: false,
      message: `not copied: the reply is ${size} bytes, more than terminals accept through OSC 52`,
      hint: 'use /export to write it to a file',
    };
  }
  out.write(osc52(text, false));
  return {
    ok: true,
    message: `sent ${size} bytes to the terminal clipboard (OSC 52); terminals without OSC 52 support ignore it silently`,
  };
}
