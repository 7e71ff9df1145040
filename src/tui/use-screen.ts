/**
 * The terminal around the chat screen: wiping and redrawing it (on /clear, Ctrl+L and after a resize), handing it to
 * $EDITOR and back, and the second Ctrl+C that quits.
 */
import { useStdin, useStdout } from 'ink';
import { useCallback, useEffect, useRef, useState, type Dispatch } from 'react';
import type { Injected } from './components/Composer.js';
import { editExternally, type EditorOutcome } from './external-editor.js';
import type { Action } from './state.js';

type Say = (text: string, tone?: 'info' | 'error', hint?: string) => void;

export function useRedraw(
  columns: number,
  rows: number,
  dispatch: Dispatch<Action>,
): { clearScreen(): void; redraw(): void } {
  const { write } = useStdout();
  // The screen (and the terminal's scrollback) is wiped on /clear, and for a redraw: Ink then prints its live region
  // again below, and a remounted <Static> the conversation.
  const clearScreen = useCallback(() => write('\x1b[2J\x1b[3J\x1b[H'), [write]);
  const redraw = useCallback(() => {
    clearScreen();
    dispatch({ type: 'redraw' });
  }, [clearScreen, dispatch]);

  // A resize reflows what the terminal already shows (and Ink erases its previous frame by a line count that no longer
  // holds), which leaves stale copies: once the size settles, the screen is wiped and printed again at the new size.
  const sized = useRef({ columns, rows });
  useEffect(() => {
    if (sized.current.columns === columns && sized.current.rows === rows) return;
    sized.current = { columns, rows };
    const t = setTimeout(redraw, 150);
    return () => clearTimeout(t);
  }, [columns, rows, redraw]);
  return { clearScreen, redraw };
}

/** Text handed to the input box from outside it ($EDITOR, editing the last message). */
export function useExternalEdit(
  editText: ((text: string) => EditorOutcome) | undefined,
  redraw: () => void,
  say: Say,
): { injected: Injected | null; inject(text: string, replacing?: boolean): void; externalEdit(text: string): void } {
  const [injected, setInjected] = useState<Injected | null>(null);
  const inject = useCallback((text: string, replacing = false) => {
    setInjected((prev) => ({ text, replacing, seq: (prev?.seq ?? 0) + 1 }));
  }, []);
  const { setRawMode } = useStdin();
  const { write } = useStdout();
  const externalEdit = useCallback(
    (text: string) => {
      // The editor gets the terminal: no raw mode, no bracketed paste; the screen is drawn again after.
      setRawMode(false);
      write('\x1b[?2004l');
      const outcome = (editText ?? ((t: string) => editExternally(t, process.env)))(text);
      setRawMode(true);
      write('\x1b[?2004h');
      redraw();
      if (outcome.text === null) return say(outcome.error ?? 'the editor failed', 'error');
      inject(outcome.text);
    },
    [setRawMode, write, editText, redraw, say, inject],
  );
  return { injected, inject, externalEdit };
}

/** Arms quitting: a second Ctrl+C within 3 s quits; the status line shows the armed state until then. */
export function useExitArm(dispatch: Dispatch<Action>): () => void {
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  return useCallback(() => {
    dispatch({ type: 'armExit', armed: true });
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => dispatch({ type: 'armExit', armed: false }), 3000);
  }, [dispatch]);
}
