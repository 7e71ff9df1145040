/**
 * The chat screen: the conversation (use-chat-session.ts: state, engine status, turns), the terminal around it
 * (use-screen.ts), what the input box's keys do (chat-input.ts) and the layout (components/ChatLayout.tsx). Nothing
 * here throws to the user: failures become inline notices with hints.
 */
import { useApp } from 'ink';
import { useCallback, useRef, useState } from 'react';
import type { Mode } from '../core/events.js';
import { applyEffect, type ChatControls } from './chat-input.js';
import type { CopyResult } from './clipboard.js';
import { ChatLayout } from './components/ChatLayout.js';
import type { PickerSpec } from './components/Picker.js';
import type { EditorEffect } from './editor.js';
import type { ChatEngine } from './engine-port.js';
import type { EditorOutcome } from './external-editor.js';
import type { InputHistory } from './history.js';
import { useTerminalSize } from './hooks.js';
import type { NewEntry } from './state.js';
import type { SyncPort } from './sync-port.js';
import type { Theme } from './theme.js';
import { useChatSession } from './use-chat-session.js';
import { useExitArm, useExternalEdit, useRedraw } from './use-screen.js';

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
  const { state, dispatch, stateRef, turns, refreshCounts } = useChatSession({
    engine,
    conversationId: props.conversationId,
    mode: props.mode,
    initialEntries: props.initialEntries,
    historyShown: props.historyShown,
    reprobeMs: props.reprobeMs,
  });
  const { clearScreen, redraw } = useRedraw(columns, rows, dispatch);
  const say = useCallback(
    (text: string, tone?: 'info' | 'error', hint?: string) =>
      dispatch({ type: 'notice', text, ...(tone ? { tone } : {}), ...(hint ? { hint } : {}) }),
    [dispatch],
  );
  const { injected, inject, externalEdit } = useExternalEdit(props.editText, redraw, say);
  const armExit = useExitArm(dispatch);
  const [picker, setPicker] = useState<PickerSpec | null>(null);
  const pending = useRef<(() => Promise<void> | void) | null>(null);

  const controls: ChatControls = {
    engine,
    sync: props.sync,
    state: stateRef,
    dispatch,
    turns,
    history: props.history,
    pending,
    say,
    refreshCounts,
    clearScreen,
    redraw,
    exit,
    armExit,
    inject,
    externalEdit,
    pick: setPicker,
    copy: props.copy,
    now: props.now ?? (() => new Date()),
    width: () => widthRef.current,
  };
  const onEffectRef = useRef((e: EditorEffect) => applyEffect(e, controls));
  onEffectRef.current = (e: EditorEffect) => applyEffect(e, controls);
  // Stable for the input box, so a keystroke never re-creates its input handler.
  const stableEffect = useCallback((e: EditorEffect) => onEffectRef.current(e), []);

  return (
    <ChatLayout
      state={state}
      name={props.name}
      width={width}
      rows={rows}
      theme={theme}
      queued={turns.queued}
      picker={picker}
      closePicker={() => setPicker(null)}
      composer={{
        initialText: props.initialInput ?? '',
        onEffect: stableEffect,
        history: props.history.items,
        injected,
        ...(props.onKey ? { onKey: props.onKey } : {}),
      }}
    />
  );
}
