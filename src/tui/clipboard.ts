/**
 * /copy through OSC 52: the terminal puts the text on the system clipboard. Nothing answers back, so the message
 * says what we know: sent, refused before sending (too large, not a terminal), or likely dropped by tmux.
 */
import { execFileSync } from 'node:child_process';

export interface CopyResult {
  ok: boolean;
  message: string;
  hint?: string;
}

// Many terminals cap OSC 52 payloads around 100 kB (xterm's default, tmux's buffer limits).
const MAX_BASE64 = 100_000;

export function osc52(text: string, inTmux: boolean): string {
  const seq = `\x1b]52;c;${Buffer.from(text, 'utf8').toString('base64')}\x07`;
  // tmux forwards an escape sequence to the outer terminal only inside a DCS passthrough with doubled ESCs.
  return inTmux ? `\x1bPtmux;${seq.split('\x1b').join('\x1b\x1b')}\x1b\\` : seq;
}

function tmuxSetClipboard(): string | null {
  try {
    return execFileSync('tmux', ['show-options', '-gv', 'set-clipboard'], {
      encoding: 'utf8',
      timeout: 500,
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null;
  }
}

export function copyToClipboard(
  text: string,
  out: NodeJS.WriteStream,
  env: NodeJS.ProcessEnv,
  probeTmux = tmuxSetClipboard,
): CopyResult {
  if (!text) return { ok: false, message: 'nothing to copy yet: no reply in this session' };
  if (!out.isTTY) return { ok: false, message: 'not copied: the output is not a terminal' };
  const size = Buffer.byteLength(text, 'utf8');
  if (Math.ceil(size / 3) * 4 > MAX_BASE64) {
    return {
      ok: false,
      message: `not copied: the reply is ${size} bytes, more than terminals accept through OSC 52`,
      hint: 'use /export to write it to a file',
    };
  }
  const inTmux = Boolean(env.TMUX);
  out.write(osc52(text, inTmux));
  if (inTmux) {
    const setting = probeTmux();
    if (setting === 'off') {
      return {
        ok: false,
        message: 'sent, but tmux has set-clipboard off and will drop it',
        hint: 'run `tmux set -g set-clipboard on`, or use /export',
      };
    }
    return {
      ok: true,
      message: `sent ${size} bytes through tmux (set-clipboard ${setting ?? 'unknown'}); your terminal must allow OSC 52 clipboard writes`,
    };
  }
  return {
    ok: true,
    message: `sent ${size} bytes to the terminal clipboard (OSC 52); terminals without OSC 52 support ignore it silently`,
  };
}
