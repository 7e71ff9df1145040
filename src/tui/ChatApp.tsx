/**
 * The chat screen: turns (use-turns.ts), the engine's status (use-engine-status.ts), slash commands, the keys the
 * input box hands up, and the layout: scrollback, then a live region kept shorter than the screen. Nothing here
 * throws to the user: failures become inline notices with hints.
 */
import { Box, useApp, useStdin, useStdout } from 'ink';
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { toProgenyError } from '../core/errors.js';
import type { Mode } from '../core/events.js';
import type { CopyResult } from './clipboard.js';
import { Composer, type Injected } from './components/Composer.js';
import { Conversation } from './components/Conversation.js';
import { Gauges } from './components/Gauges.js';
import { Picker, type PickerSpec } from './components/Picker.js';
import { StatusBar, statusItems } from './components/StatusBar.js';
import type { EditorEffect } from './editor.js';
import type { ChatEngine } from './engine-port.js';
import { editExternally, type EditorOutcome } from './external-editor.js';
import type { InputHistory } from './history.js';
import { useTerminalSize } from './hooks.js';
import { gaugeRows, statusRows } from './screen-rows.js';
import { runSlash, type SlashContext } from './slash-actions.js';
import { parseSlash } from './slash.js';
import { initialState, isBusy, reducer, type NewEntry } from './state.js';
import type { SyncPort } from './sync-port.js';
import type { Theme } from './theme.js';
import { useEngineStatus } from './use-engine-status.js';
import { useTurns } from './use-turns.js';
import { cliHint } from '../commands/hints.js';

export interface ChatAppProps {
  engine: ChatEngine;
  name: string;
  conversationId?: string;
  /** The mode when known (probed before start); otherwise the app probes in the background. */
  mode?: Mode;
  theme: Theme;
  history: InputHistory;
  sync: SyncPort | null;
  copy(text: string): CopyResult;
  /** Messages of a continued conversation; the last `historyShown` go to scrollback. */
  initialEntries?: NewEntry[];
  historyShown?: number;
  now?: () => Date;
  /** Benchmark hook: called after a keystroke was applied. */
  onKey?: () => void;
  /** Text typed before the screen was ready (it starts in the input box). */
  initialInput?: string;
  /** Called when the user quits (before the screen closes). */
  onExit?: () => void;
  /** Edits text in $EDITOR (tests pass a fake). */
  editText?: (text: string) => EditorOutcome;
  /** How often the mode is probed again while not FULL. */
  reprobeMs?: number;
}

export function ChatApp(props: ChatAppProps) {
  const { engine, theme } = props;
  const app = useApp();
  const onExit = props.onExit;
  const exit = useCallback(() => {
    onExit?.();
    app.exit();
  }, [app, onExit]);
  const { columns, rows } = useTerminalSize();
  const width = Math.max(20, columns);
  const widthRef = useRef(width);
  widthRef.current = width;
  const [state, dispatch] = useReducer(reducer, undefined, () =>
    initialState({
      mode: props.mode ?? 'PROBING',
      model: engine.config['llm.provider'] === 'offline' ? null : engine.config['llm.model'],
      contextTokens: engine.config['llm.contextTokens'] || null,
    }),
  );
  const stateRef = useRef(state);
  stateRef.current = state;
  const armTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const reprobeMs = props.reprobeMs ?? 10_000;

  const turnsRef = useRef<{ busy(): boolean; cancel(): boolean } | null>(null);
  const status = useEngineStatus({
    engine,
    dispatch,
    opened: { entries: props.initialEntries, shown: props.historyShown, mode: props.mode },
    busy: () => turnsRef.current?.busy() ?? false,
    mode: state.status.mode,
    reprobeMs,
  });
  const { refreshCounts, noteMode } = status;
  const settled = useCallback(() => {
    refreshCounts();
    // The turn may have found the model gone (or back): the status line says what the engine now knows.
    noteMode(engine.mode(), '');
  }, [refreshCounts, noteMode, engine]);
  const turns = useTurns({
    engine,
    dispatch,
    entries: () => stateRef.current.entries,
    onSettled: settled,
    conversationId: props.conversationId,
  });
  turnsRef.current = turns;

  const { write } = useStdout();
  // The screen (and the terminal's scrollback) is wiped on /clear, and for a redraw: Ink then prints its live region
  // again below, and a remounted <Static> the conversation.
  const clearScreen = useCallback(() => write('\x1b[2J\x1b[3J\x1b[H'), [write]);
  const redraw = useCallback(() => {
    clearScreen();
    dispatch({ type: 'redraw' });
  }, [clearScreen]);

  // A resize reflows what the terminal already shows (and Ink erases its previous frame by a line count that no longer
  // holds), which leaves stale copies: once the size settles, the screen is wiped and printed again at the new size.
  const sized = useRef({ columns, rows });
  useEffect(() => {
    if (sized.current.columns === columns && sized.current.rows === rows) return;
    sized.current = { columns, rows };
    const t = setTimeout(redraw, 150);
    return () => clearTimeout(t);
  }, [columns, rows, redraw]);

  const say = useCallback(
    (text: string, tone?: 'info' | 'error', hint?: string) =>
      dispatch({ type: 'notice', text, ...(tone ? { tone } : {}), ...(hint ? { hint } : {}) }),
    [],
  );

  // Text handed to the input box from outside it ($EDITOR, editing the last message).
  const [injected, setInjected] = useState<Injected | null>(null);
  const inject = useCallback((text: string, replacing = false) => {
    setInjected((prev) => ({ text, replacing, seq: (prev?.seq ?? 0) + 1 }));
  }, []);
  const { setRawMode } = useStdin();
  const editText = props.editText;
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

  const [picker, setPicker] = useState<PickerSpec | null>(null);
  const pending = useRef<(() => Promise<void> | void) | null>(null);

  const slashContext = (): SlashContext => ({
    engine,
    sync: props.sync,
    say,
    entries: () => stateRef.current.entries,
    lastReply: () => [...stateRef.current.entries].reverse().find((e) => e.kind === 'assistant')?.text ?? '',
    conversationId: () => turns.conversation.current,
    newConversation: () => {
      turns.conversation.current = undefined;
      clearScreen();
      dispatch({ type: 'clear' });
      say('new conversation (memories are kept)');
    },
    resumeConversation: (id, entries) => {
      turns.conversation.current = id;
      clearScreen();
      dispatch({ type: 'clear' });
      dispatch({ type: 'history', entries, show: 50 });
    },
    exit,
    toggleRaw: () => {
      dispatch({ type: 'toggleRaw' });
      return !stateRef.current.raw;
    },
    copy: props.copy,
    now: props.now ?? (() => new Date()),
    width: () => widthRef.current,
    confirm: (question, action) => {
      pending.current = action;
      say(question);
    },
    retry: () => turns.replaceLast(),
    continueReply: () => turns.continueReply(),
    lastThinking: () => stateRef.current.lastThinking,
    editLast: () => {
      const text = turns.lastUserText();
      if (text === null) return false;
      inject(text, true);
      return true;
    },
    editInput: () => externalEdit(''),
    setModel: (model) => dispatch({ type: 'status', patch: { model } }),
    pick: setPicker,
    usage: () => stateRef.current.status,
  });

  const onEffect = (effect: EditorEffect): void => {
    if (effect.type !== 'interrupt' && stateRef.current.exitArmed) dispatch({ type: 'armExit', armed: false });
    switch (effect.type) {
      case 'submit': {
        const text = effect.text.trim();
        props.history.add(text);
        const confirmed = pending.current;
        pending.current = null;
        if (confirmed) {
          if (!/^y(es)?$/i.test(text)) return say('kept: nothing was changed');
          return void Promise.resolve()
            .then(confirmed)
            .catch((err: unknown) => {
              const e = toProgenyError(err);
              say(e.message, 'error', cliHint(e));
            })
            .then(refreshCounts);
        }
        if (effect.replace) return void turns.replaceLast(text);
        const call = parseSlash(text);
        if (!call) return turns.submit(text);
        // Counts refresh after a command too: not every store change is announced as a notice.
        return void runSlash(call, slashContext()).then(refreshCounts);
      }
      case 'interrupt':
        if (turns.cancel()) return;
        if (effect.hadText) return;
        if (stateRef.current.exitArmed) return exit();
        dispatch({ type: 'armExit', armed: true });
        if (armTimer.current) clearTimeout(armTimer.current);
        armTimer.current = setTimeout(() => dispatch({ type: 'armExit', armed: false }), 3000);
        return;
      case 'exit':
        turns.cancel();
        return exit();
      case 'toggleRecall':
        return dispatch({ type: 'toggleRecall' });
      case 'redraw':
        return redraw();
      case 'external':
        return externalEdit(effect.text);
    }
  };
  const onEffectRef = useRef(onEffect);
  onEffectRef.current = onEffect;
  // Stable for the input box, so a keystroke never re-creates its input handler.
  const stableEffect = useCallback((e: EditorEffect) => onEffectRef.current(e), []);

  useEffect(
    () => () => {
      turnsRef.current?.cancel();
      if (armTimer.current) clearTimeout(armTimer.current);
    },
    [],
  );

  const busy = isBusy(state);
  const [composerRows, setComposerRows] = useState(3);
  // The live region gets the rows the input box, the status line and the gauges leave (see screen-rows.ts).
  const below =
    1 +
    composerRows +
    statusRows(statusItems(state.status, busy, state.exitArmed), width) +
    (state.limbic ? gaugeRows(state.limbic, width) : 0);
  const liveRows = Math.max(3, rows - below - 1);
  return (
    <Box flexDirection="column" width={width}>
      <Conversation state={state} name={props.name} width={width} rows={liveRows} theme={theme} queued={turns.queued} />
      {picker ? (
        <Picker spec={picker} width={width} rows={liveRows} theme={theme} onClose={() => setPicker(null)} />
      ) : null}
      <Box flexDirection="column" marginTop={1}>
        <Composer
          initialText={props.initialInput ?? ''}
          onEffect={stableEffect}
          history={props.history.items}
          busy={busy}
          width={width}
          theme={theme}
          maxLines={Math.max(3, Math.floor(rows / 3))}
          onHeight={setComposerRows}
          active={picker === null}
          injected={injected}
          {...(props.onKey ? { onKey: props.onKey } : {})}
        />
        <StatusBar status={state.status} busy={busy} exitArmed={state.exitArmed} theme={theme} width={width} />
        {state.limbic ? <Gauges state={state.limbic} width={width} theme={theme} /> : null}
      </Box>
    </Box>
  );
}
