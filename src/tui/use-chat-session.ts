/**
 * The conversation behind the chat screen: the reducer's state (with a ref for callbacks that outlive a render), the
 * engine's status (use-engine-status.ts) and the turns (use-turns.ts), wired so that a finished turn refreshes the
 * counts and the mode. A turn still streaming when the screen goes away is cancelled.
 */
import { useCallback, useEffect, useReducer, useRef, type Dispatch, type MutableRefObject } from 'react';
import type { Mode } from '../core/events.js';
import type { ChatEngine } from './engine-port.js';
import { initialState, reducer, type Action, type ChatState, type NewEntry } from './state.js';
import { useEngineStatus } from './use-engine-status.js';
import { useTurns, type Turns } from './use-turns.js';

export interface ChatSessionOptions {
  engine: ChatEngine;
  conversationId?: string | undefined;
  mode?: Mode | undefined;
  initialEntries?: NewEntry[] | undefined;
  historyShown?: number | undefined;
  reprobeMs?: number | undefined;
}

export interface ChatSession {
  state: ChatState;
  dispatch: Dispatch<Action>;
  stateRef: MutableRefObject<ChatState>;
  turns: Turns;
  refreshCounts(): void;
}

export function useChatSession(o: ChatSessionOptions): ChatSession {
  const { engine } = o;
  const [state, dispatch] = useReducer(reducer, undefined, () =>
    initialState({
      mode: o.mode ?? 'PROBING',
      model: engine.config['llm.provider'] === 'offline' ? null : engine.config['llm.model'],
      contextTokens: engine.config['llm.contextTokens'] || null,
    }),
  );
  const stateRef = useRef(state);
  stateRef.current = state;
  const turnsRef = useRef<{ busy(): boolean; cancel(): boolean } | null>(null);
  const { refreshCounts, noteMode } = useEngineStatus({
    engine,
    dispatch,
    opened: { entries: o.initialEntries, shown: o.historyShown, mode: o.mode },
    busy: () => turnsRef.current?.busy() ?? false,
    mode: state.status.mode,
    reprobeMs: o.reprobeMs ?? 10_000,
  });
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
    conversationId: o.conversationId,
  });
  turnsRef.current = turns;
  useEffect(
    () => () => {
      turnsRef.current?.cancel();
    },
    [],
  );
  return { state, dispatch, stateRef, turns, refreshCounts };
}
