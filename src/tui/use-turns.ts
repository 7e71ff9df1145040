/**
 * Running turns: engine.turn() events folded into the reducer (tokens batched per frame), a queue for messages sent
 * while a reply streams (issue 13: Enter while streaming was silently ignored), and replacing the last exchange
 * (regenerate, edit and resend): the replaced messages stay in scrollback and in the store, but the prompts of this
 * session leave them out.
 */
import { useCallback, useRef, useState, type Dispatch } from 'react';
import { toProgenyError } from '../core/errors.js';
import type { ChatMessage } from '../core/llm/types.js';
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

export function useTurns(o: TurnsOptions): Turns {
  const { engine, dispatch, onSettled } = o;
  const entries = useRef(o.entries);
  entries.current = o.entries;
  const conversation = useRef(o.conversationId);
  const turn = useRef<AbortController | null>(null);
  const partial = useRef('');
  const queue = useRef<string[]>([]);
  const [queued, setQueued] = useState<readonly string[]>([]);
  const superseded = useRef(new Set<string>());
  const batcher = useBatcher((text) => dispatch({ type: 'tokens', text }));

  const run = useCallback(
    async (raw: string, o: { continueReply?: boolean } = {}): Promise<void> => {
      const message = o.continueReply ? '' : wellFormed(raw);
      // Prompts leave replaced exchanges out once there are any; until then the engine uses the stored conversation.
      // A continuation always reads the stored conversation (its last reply is the one it continues).
      const history =
        superseded.current.size && !o.continueReply ? toHistory(entries.current(), superseded.current) : undefined;
      dispatch(
        o.continueReply ? { type: 'continue', at: Date.now() } : { type: 'submit', text: message, at: Date.now() },
      );
      const ac = new AbortController();
      turn.current = ac;
      partial.current = '';
      let ended = false;
      try {
        const input = {
          message,
          ...(conversation.current ? { conversationId: conversation.current } : {}),
          ...(history ? { history } : {}),
          ...(o.continueReply ? { continueReply: true } : {}),
        };
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
        ended = true;
        const error = toProgenyError(err).toJSON();
        dispatch({
          type: 'event',
          event: { type: 'error', turnId: '', error, partial: partial.current, messageId: null },
        });
      } finally {
        batcher.flush();
        turn.current = null;
        // A stream that ended without done/error (it should not) must not leave the screen stuck busy.
        if (!ended) {
          const error = { code: 'INTERRUPTED' as const, message: 'the reply ended unexpectedly' };
          dispatch({
            type: 'event',
            event: { type: 'error', turnId: '', error, partial: partial.current, messageId: null },
          });
        }
        onSettled();
        const next = queue.current.shift();
        setQueued([...queue.current]);
        // After React commits this turn's end, so the next one starts from a settled screen.
        if (next !== undefined) setTimeout(() => void run(next), 0);
      }
    },
    [engine, batcher, dispatch, onSettled],
  );

  const submit = useCallback(
    (text: string) => {
      if (!turn.current) return void run(text);
      queue.current.push(text);
      setQueued([...queue.current]);
    },
    [run],
  );

  const lastUser = (): Entry | undefined => [...entries.current()].reverse().find((e) => e.kind === 'user');

  const replaceLast = useCallback(
    (text?: string): boolean => {
      const list = entries.current();
      const user = [...list].reverse().find((e) => e.kind === 'user' && !superseded.current.has(e.id));
      if (!user || user.kind !== 'user' || turn.current) return false;
      for (const e of list.slice(list.indexOf(user))) superseded.current.add(e.id);
      void run(text ?? user.text);
      return true;
    },
    [run],
  );

  const cancel = useCallback((): boolean => {
    if (!turn.current) return false;
    turn.current.abort();
    const dropped = queue.current.length;
    queue.current = [];
    setQueued([]);
    if (dropped) dispatch({ type: 'notice', text: `not sent: ${dropped} queued message${dropped === 1 ? '' : 's'}` });
    return true;
  }, [dispatch]);

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
      const u = lastUser();
      return u && u.kind === 'user' ? u.text : null;
    },
  };
}
