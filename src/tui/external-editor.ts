/**
 * Ctrl+X Ctrl+E and /edit: the input is written to a temporary file (0600), $VISUAL or $EDITOR (else vi) edits it
 * with the terminal handed over, and the saved text comes back into the input box. The chat screen gives up the
 * terminal meanwhile (raw mode and bracketed paste off) and redraws after.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface EditorOutcome {
  /** The edited text (a trailing newline, which editors add, removed); null when the editor failed. */
  text: string | null;
  /** Why it failed, for a notice. */
  error?: string;
}

export function editorCommand(env: NodeJS.ProcessEnv): string {
  return env.VISUAL?.trim() || env.EDITOR?.trim() || 'vi';
}

export function editExternally(text: string, env: NodeJS.ProcessEnv): EditorOutcome {
  const dir = mkdtempSync(join(tmpdir(), 'progeny-edit-'));
  const file = join(dir, 'message.md');
  try {
    writeFileSync(file, text, { mode: 0o600 });
    const command = editorCommand(env);
    // The command may carry arguments ("code --wait"): the shell splits it, the file name is passed quoted.
    const r = spawnSync(`${command} "$PROGENY_EDIT_FILE"`, {
      shell: true,
      stdio: 'inherit',
      env: { ...env, PROGENY_EDIT_FILE: file },
    });
    if (r.error) return { text: null, error: `could not start ${command}: ${r.error.message}` };
    if (r.status !== 0)
      return { text: null, error: `${command} exited with status ${r.status ?? r.signal}; the input is unchanged` };
    return { text: readFileSync(file, 'utf8').replace(/\n$/, '') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
