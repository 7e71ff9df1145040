/**
 * What the chat screen does with the keys the input box hands up (editor.ts's effects): a submitted line answers a
 * pending confirmation, replaces the last message, runs a slash command or is sent; Ctrl+C cancels the streaming
 * reply, or arms quitting, or quits. And the context slash commands run in (slash-actions.ts).
 */
import type { Dispatch, MutableRefObject } from 'react';
import { toProgenyError } from '../core/errors.js';
import type { CopyResult } from './clipboard.js';
import type { PickerSpec } from './components/Picker.js';
import type { EditorEffect } from './editor.js';
import type { ChatEngine } from './engine-port.js';
import type { InputHistory } from './history.js';
import { runSlash, type SlashContext } from './slash-actions.js';
import { parseSlash } from './slash.js';
import type { Action, ChatState } from './state.js';
import type { SyncPort } from './sync-port.js';
import type { Turns } from './use-turns.js';
import { cliHint } from '../commands/hints.js';

/** Everything the input handling reaches on the screen; built by ChatApp on each render. */
export interface ChatControls {
  engine: ChatEngine;
  sync: SyncPort | null;
  state: MutableRefObject<ChatState>;
  dispatch: Dispatch<Action>;
  turns: Turns;
  history: InputHistory;
  /** The action a question asked with `confirm` waits for; the next line answers it. */
  pending: MutableRefObject<(() => Promise<void> | void) | null>;
  say(text: string, tone?: 'info' | 'error', hint?: string): void;
  refreshCounts(): void;
  clearScreen(): void;
  redraw(): void;
  exit(): void;
  armExit(): void;
  inject(text: string, replacing?: boolean): void;
  externalEdit(text: string): void;
  pick(spec: PickerSpec): void;
  copy(text: string): CopyResult;
  now(): Date;
  width(): number;
}

export function slashContextOf(c: ChatControls): SlashContext {
  const { turns, state, dispatch, say } = c;
  const restart = (): void => {
    c.clearScreen();
    dispatch({ type: 'clear' });
  };
  return {
    engine: c.engine,
    sync: c.sync,
    say,
    entries: () => state.current.entries,
    lastReply: () => [...state.current.entries].reverse().find((e) => e.kind === 'assistant')?.text ?? '',
    conversationId: () => turns.conversation.current,
    newConversation: () => {
      turns.conversation.current = undefined;
      restart();
      say('new conversation (memories are kept)');
    },
    resumeConversation: (id, entries) => {
      turns.conversation.current = id;
      restart();
      dispatch({ type: 'history', entries, show: 50 });
    },
    exit: c.exit,
    toggleRaw: () => {
      dispatch({ type: 'toggleRaw' });
      return !state.current.raw;
    },
    copy: c.copy,
    now: c.now,
    width: c.width,
    confirm: (question, action) => {
      c.pending.current = action;
      say(question);
    },
    retry: () => turns.replaceLast(),
    continueReply: () => turns.continueReply(),
    lastThinking: () => state.current.lastThinking,
    editLast: () => {
      const text = turns.lastUserText();
      if (text === null) return false;
      c.inject(text, true);
      return true;
    },
    editInput: () => c.externalEdit(''),
    setModel: (model) => dispatch({ type: 'status', patch: { model } }),
    pick: c.pick,
    usage: () => state.current.status,
  };
}

/** A submitted line: the answer to a pending question, a replacement of the last message, a command or a message. */
function submitLine(raw: string, replace: boolean, c: ChatControls): void {
  const text = raw.trim();
  c.history.add(text);
  const confirmed = c.pending.current;
  c.pending.current = null;
  if (confirmed) {
    if (!/^y(es)?$/i.test(text)) return c.say('kept: nothing was changed');
    return void Promise.resolve()
      .then(confirmed)
      .catch((err: unknown) => {
        const e = toProgenyError(err);
        c.say(e.message, 'error', cliHint(e));
      })
      .then(c.refreshCounts);
  }
  if (replace) return void c.turns.replaceLast(text);
  const call = parseSlash(text);
  if (!call) return c.turns.submit(text);
  // Counts refresh after a command too: not every store change is announced as a notice.
  return void runSlash(call, slashContextOf(c)).then(c.refreshCounts);
}

export function applyEffect(effect: EditorEffect, c: ChatControls): void {
  if (effect.type !== 'interrupt' && c.state.current.exitArmed) c.dispatch({ type: 'armExit', armed: false });
  switch (effect.type) {
    case 'submit':
      return submitLine(effect.text, effect.replace === true, c);
    case 'interrupt':
      if (c.turns.cancel()) return;
      if (effect.hadText) return;
      if (c.state.current.exitArmed) return c.exit();
      return c.armExit();
    case 'exit':
      c.turns.cancel();
      return c.exit();
    case 'toggleRecall':
      return c.dispatch({ type: 'toggleRecall' });
    case 'redraw':
      return c.redraw();
    case 'external':
      return c.externalEdit(effect.text);
  }
}
