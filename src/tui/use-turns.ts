/**
 * Running turns: engine.turn() events folded into the reducer (tokens batched per frame), a queue for messages sent
 * while a reply streams (issue 13: Enter while streaming was silently ignored), and replacing the last exchange
 * (regenerate, edit and resend): the replaced messages stay in scrollback and in the store, but the prompts of this
 * session leave them out.
 */
import { useCallback, useRef, useState, type Dispatch } from 'react';
import { type ErrorJson, toProgenyError } from '../core/errors.js';
import type { EngineEvent } from '../core/events.js';
import type { ChatMessage } from '../core/llm/types.js';
import type { TurnInput } from '../core/engine/engine.js';
import type { ChatEngine } from './engine-port.js';
import { wellFormed } from './editor.js';
import { useBatcher } from './hooks.js';
import type { Action, Entry } from './state.js';

export interface TurnsOptions {
  engine: ChatEngine;
  dispatch: Dispatch<Action>;
  entries: () => readonly Entry[];
  /** Called when a turn ended (counts and mode are read again). */
  onSettled: () => void;
  conversationId?: string | undefined;
}

export interface Turns {
  /** Sends now, or queues while a reply streams. */
  submit(text: string): void;
  /** Asks the model to go on with the last reply, which was cut at the token limit; false while a reply streams. */
  continueReply(): boolean;
  /** Sends `text` in place of the last message (the last exchange is left out of this session's prompts). */
  replaceLast(text?: string): boolean;
  /** Cancels the streaming reply (and drops the queue); false when nothing streams. */
  cancel(): boolean;
  busy(): boolean;
  queued: readonly string[];
  conversation: { current: string | undefined };
  lastUserText(): string | null;
}

const toHistory = (entries: readonly Entry[], skip: ReadonlySet<string>): ChatMessage[] =>
  entries.flatMap((e): ChatMessage[] =>
    skip.has(e.id)
      ? []
      : e.kind === 'user'
        ? [{ role: 'user', content: e.text }]
        : e.kind === 'assistant' && e.text
          ? [{ role: 'assistant', content: e.text }]
          : [],
  );

/**
 * What one turn sends. Prompts leave replaced exchanges out once there are any (`history`); until then the engine
 * uses the stored conversation. A continuation always reads the stored conversation (its last reply is the one it
 * continues).
 */
function turnInput(
  raw: string,
  continueReply: boolean,
  conversationId: string | undefined,
  history: () => ChatMessage[] | undefined,
): TurnInput {
  const prompt = continueReply ? undefined : history();
  return {
    message: continueReply ? '' : wellFormed(raw),
    ...(conversationId ? { conversationId } : {}),
    ...(prompt ? { history: prompt } : {}),
    ...(continueReply ? { continueReply: true } : {}),
  };
}

/**
 * Marks the newest user message not replaced yet, and everything after it, as replaced (they stay on screen and in
 * the store, but leave this session's prompts); returns its text, or undefined when there is none.
 */
function supersedeLast(list: readonly Entry[], superseded: Set<string>): string | undefined {
  const user = [...list].reverse().find((e) => e.kind === 'user' && !superseded.has(e.id));
  if (!user || user.kind !== 'user') return undefined;
  for (const e of list.slice(list.indexOf(user))) superseded.add(e.id);
  return user.text;
}

interface TurnScreen {
  dispatch: Dispatch<Action>;
  batcher: { add(text: string): void; flush(): void };
  onStart(conversationId: string): void;
}

/**
 * Feeds one turn's events to the screen: tokens through the per-frame batcher, everything else to the reducer once
 * the batched tokens before it are out. A thrown failure, or a stream that stops without done or error (it should
 * not), becomes an error event, so the screen never stays busy; `start` runs inside that guard.
 */
async function feedTurn(start: () => AsyncIterable<EngineEvent>, screen: TurnScreen): Promise<void> {
  const { dispatch, batcher } = screen;
  // The reply so far, kept with an error so the screen shows what arrived before it.
  let partial = '';
  const fail = (error: ErrorJson): void =>
    dispatch({
      type: 'event',
      event: { type: 'error', turnId: '', error, partial, messageId: null },
    });
  let ended = false;
  try {
    for await (const ev of start()) {
      if (ev.type === 'token') {
        partial += ev.text;
        batcher.add(ev.text);
        continue;
      }
      batcher.flush();
      if (ev.type === 'start') screen.onStart(ev.conversationId);
      if (ev.type === 'done' || ev.type === 'error') ended = true;
      dispatch({ type: 'event', event: ev });
    }
  } catch (err) {
    batcher.flush();
    ended = true;
    fail(toProgenyError(err).toJSON());
  } finally {
    batcher.flush();
    if (!ended) fail({ code: 'INTERRUPTED', message: 'the reply ended unexpectedly' });
  }
}

/**
 * Messages sent while a reply streams (issue 13), sent one by one as each turn ends. The list lives in a closure the
 * turn loop reads synchronously; `queued` mirrors it for the screen. The operations are stable across renders.
 */
function useSendQueue(): {
  queued: readonly string[];
  push(text: string): void;
  next(): string | undefined;
  clear(): number;
} {
  const [queued, setQueued] = useState<readonly string[]>([]);
  const [ops] = useState(() => {
    let items: string[] = [];
    const publish = (): void => setQueued([...items]);
    return {
      push(text: string): void {
        items.push(text);
        publish();
      },
      next(): string | undefined {
        const first = items.shift();
        publish();
        return first;
      },
      clear(): number {
        const n = items.length;
        items = [];
        publish();
        return n;
      },
    };
  });
  return { queued, ...ops };
}

export function useTurns(o: TurnsOptions): Turns {
  const { engine, dispatch, onSettled } = o;
  const entries = useRef(o.entries);
  entries.current = o.entries;
  const conversation = useRef(o.conversationId);
  const turn = useRef<AbortController | null>(null);
  const { queued, push, next, clear } = useSendQueue();
  const superseded = useRef(new Set<string>());
  const batcher = useBatcher((text) => dispatch({ type: 'tokens', text }));

  const run = useCallback(
    async (raw: string, o: { continueReply?: boolean } = {}): Promise<void> => {
      const input = turnInput(raw, o.continueReply === true, conversation.current, () =>
        superseded.current.size ? toHistory(entries.current(), superseded.current) : undefined,
      );
      dispatch(
        o.continueReply
          ? { type: 'continue', at: Date.now() }
          : { type: 'submit', text: input.message, at: Date.now() },
      );
      const ac = new AbortController();
      turn.current = ac;
      try {
        await feedTurn(() => engine.turn(input, { signal: ac.signal }), {
          dispatch,
          batcher,
          onStart: (id) => void (conversation.current = id),
        });
      } finally {
        turn.current = null;
        onSettled();
        const following = next();
        // After React commits this turn's end, so the next one starts from a settled screen.
        if (following !== undefined) setTimeout(() => void run(following), 0);
      }
    },
    [engine, batcher, dispatch, onSettled, next],
  );

  const submit = useCallback(
    (text: string) => {
      if (!turn.current) return void run(text);
      push(text);
    },
    [run, push],
  );

  const replaceLast = useCallback(
    (text?: string): boolean => {
      if (turn.current) return false;
      const last = supersedeLast(entries.current(), superseded.current);
      if (last === undefined) return false;
      void run(text ?? last);
      return true;
    },
    [run],
  );

  const cancel = useCallback((): boolean => {
    if (!turn.current) return false;
    turn.current.abort();
    const dropped = clear();
    if (dropped) dispatch({ type: 'notice', text: `not sent: ${dropped} queued message${dropped === 1 ? '' : 's'}` });
    return true;
  }, [dispatch, clear]);

  const continueReply = useCallback((): boolean => {
    if (turn.current || !conversation.current) return false;
    void run('', { continueReply: true });
    return true;
  }, [run]);

  return {
    submit,
    continueReply,
    replaceLast,
    cancel,
    busy: () => turn.current !== null,
    queued,
    conversation,
    lastUserText: () => {
      const u = [...entries.current()].reverse().find((e) => e.kind === 'user');
      return u && u.kind === 'user' ? u.text : null;
    },
  };
}
