/**
 * The chat screen: runs turns through engine.turn() and folds their events into the reducer (tokens batched per
 * frame), runs slash commands, and follows engine notices (limbic, mode, memory). Nothing here throws to the user:
 * failures become inline notices with hints.
 */
import { Box, useApp, useStdout } from 'ink';
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { toProgenyError } from '../core/errors.js';
import type { Mode } from '../core/events.js';
import type { CopyResult } from './clipboard.js';
import { Composer } from './components/Composer.js';
import { Conversation } from './components/Conversation.js';
import { Gauges } from './components/Gauges.js';
import { StatusBar, statusItems } from './components/StatusBar.js';
import { wellFormed, type EditorEffect } from './editor.js';
import type { ChatEngine } from './engine-port.js';
import type { InputHistory } from './history.js';
import { useBatcher, useTerminalSize } from './hooks.js';
import { gaugeRows, statusRows } from './screen-rows.js';
import { runSlash } from './slash-actions.js';
import { parseSlash } from './slash.js';
import { initialState, isBusy, reducer, type NewEntry } from './state.js';
import type { SyncPort } from './sync-port.js';
import type { Theme } from './theme.js';

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
    }),
  );
  const stateRef = useRef(state);
  stateRef.current = state;
  const conversation = useRef(props.conversationId);
  const turn = useRef<AbortController | null>(null);
  const partial = useRef('');
  const batcher = useBatcher((text) => dispatch({ type: 'tokens', text }));
  const armTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const refreshCounts = useCallback(() => {
    try {
      dispatch({ type: 'status', patch: { memoryCount: engine.memory.count() } });
    } catch {
      // The count is decoration; a failing store shows up in the mode.
    }
  }, [engine]);

  // What the app was opened with: read once at mount, so later renders never replay the history or the probe.
  const opened = useRef({ entries: props.initialEntries, shown: props.historyShown, mode: props.mode });
  useEffect(() => {
    const { entries, shown, mode } = opened.current;
    if (entries?.length) dispatch({ type: 'history', entries, show: shown ?? 50 });
    try {
      dispatch({ type: 'limbic', state: engine.state.read() });
    } catch {
      // No state yet (a fresh home): the gauges appear after the first turn.
    }
    refreshCounts();
    const off = engine.subscribe((n) => {
      if (n.type === 'limbic') dispatch({ type: 'limbic', state: n.state });
      else if (n.type === 'mode') dispatch({ type: 'status', patch: { mode: n.mode } });
      else if (n.type === 'memory') refreshCounts();
      else if (n.type === 'embedder')
        dispatch({
          type: 'notice',
          text: `memory: ${n.detail}; embedding with ${n.id} meanwhile`,
          tone: 'error',
          hint: '`progeny doctor` says more',
        });
    });
    // Quitting aborts a probe still waiting for a slow model server, so the process can exit at once.
    const probing = new AbortController();
    if (!mode) {
      // The first frame does not wait for the model server: the probe fills in the mode when it answers.
      engine.probe(probing.signal).then(
        (r) => dispatch({ type: 'status', patch: { mode: r.mode } }),
        () => dispatch({ type: 'status', patch: { mode: engine.mode() } }),
      );
    }
    return () => {
      off();
      probing.abort();
    };
  }, [engine, refreshCounts]);

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

  const sendMessage = useCallback(
    async (message: string) => {
      message = wellFormed(message);
      dispatch({ type: 'submit', text: message, at: Date.now() });
      const ac = new AbortController();
      turn.current = ac;
      partial.current = '';
      let ended = false;
      try {
        const input = { message, ...(conversation.current ? { conversationId: conversation.current } : {}) };
        for await (const ev of engine.turn(input, { signal: ac.signal })) {
          if (ev.type === 'token') {
            partial.current += ev.text;
            batcher.add(ev.text);
            continue;
          }
          batcher.flush();
          if (ev.type === 'start') conversation.current = ev.conversationId;
          if (ev.type === 'done' || ev.type === 'error') ended = true;
          dispatch({ type: 'event', event: ev });
        }
      } catch (err) {
        batcher.flush();
        const e = toProgenyError(err);
        ended = true;
        dispatch({
          type: 'event',
          event: { type: 'error', turnId: '', error: e.toJSON(), partial: partial.current, messageId: null },
        });
      } finally {
        batcher.flush();
        turn.current = null;
        // A stream that ended without done/error (it should not) must not leave the screen stuck busy.
        if (!ended)
          dispatch({
            type: 'event',
            event: {
              type: 'error',
              turnId: '',
              error: { code: 'INTERRUPTED', message: 'the reply ended unexpectedly' },
              partial: partial.current,
              messageId: null,
            },
          });
        refreshCounts();
      }
    },
    [engine, batcher, refreshCounts],
  );

  const onEffect = useCallback(
    (effect: EditorEffect) => {
      if (effect.type !== 'interrupt' && stateRef.current.exitArmed) dispatch({ type: 'armExit', armed: false });
      switch (effect.type) {
        case 'submit': {
          const text = effect.text.trim();
          props.history.add(text);
          const call = parseSlash(text);
          if (!call) return void sendMessage(text);
          // Counts refresh after a command too: not every store change is announced as a notice.
          return void runSlash(call, {
            engine,
            sync: props.sync,
            say,
            entries: () => stateRef.current.entries,
            lastReply: () => [...stateRef.current.entries].reverse().find((e) => e.kind === 'assistant')?.text ?? '',
            conversationId: () => conversation.current,
            newConversation: () => {
              conversation.current = undefined;
              clearScreen();
              dispatch({ type: 'clear' });
              say('new conversation (memories are kept)');
            },
            exit,
            toggleRaw: () => {
              dispatch({ type: 'toggleRaw' });
              return !stateRef.current.raw;
            },
            copy: props.copy,
            now: props.now ?? (() => new Date()),
            width: () => widthRef.current,
          }).then(refreshCounts);
        }
        case 'interrupt':
          if (turn.current) return turn.current.abort();
          if (effect.hadText) return;
          if (stateRef.current.exitArmed) return exit();
          dispatch({ type: 'armExit', armed: true });
          if (armTimer.current) clearTimeout(armTimer.current);
          armTimer.current = setTimeout(() => dispatch({ type: 'armExit', armed: false }), 3000);
          return;
        case 'exit':
          turn.current?.abort();
          return exit();
        case 'toggleRecall':
          return dispatch({ type: 'toggleRecall' });
        case 'redraw':
          return redraw();
      }
    },
    [
      engine,
      exit,
      say,
      sendMessage,
      refreshCounts,
      clearScreen,
      redraw,
      props.history,
      props.sync,
      props.copy,
      props.now,
    ],
  );

  useEffect(
    () => () => {
      turn.current?.abort();
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
  return (
    <Box flexDirection="column" width={width}>
      <Conversation state={state} name={props.name} width={width} rows={Math.max(3, rows - below - 1)} theme={theme} />
      <Box flexDirection="column" marginTop={1}>
        <Composer
          initialText={props.initialInput ?? ''}
          onEffect={onEffect}
          history={props.history.items}
          busy={busy}
          width={width}
          theme={theme}
          maxLines={Math.max(3, Math.floor(rows / 3))}
          onHeight={setComposerRows}
          {...(props.onKey ? { onKey: props.onKey } : {})}
        />
        <StatusBar status={state.status} busy={busy} exitArmed={state.exitArmed} theme={theme} width={width} />
        {state.limbic ? <Gauges state={state.limbic} width={width} theme={theme} /> : null}
      </Box>
    </Box>
  );
}
