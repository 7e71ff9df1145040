/**
 * The chat screen's view of the engine outside turns: what it was opened with (history, limbic state, counts), the
 * engine's notices, the mode (probed in the background; probed again every `reprobeMs` while not FULL, so a model
 * server that comes back is noticed without sending a message), and a sentence saying why when the mode drops.
 */
import { useCallback, useEffect, useRef, type Dispatch } from 'react';
import type { EngineNotice, Mode } from '../core/events.js';
import type { ChatEngine } from './engine-port.js';
import type { Action, NewEntry } from './state.js';

/** What a mode means for the person chatting, said when the screen enters it (issue 13, item 10). */
export function explainMode(mode: Mode, detail: string, reprobeMs: number): string | null {
  const why = detail ? ` (${detail})` : '';
  const every = `checked again every ${Math.round(reprobeMs / 1000)} s`;
  switch (mode) {
    case 'AMNESIA':
      return `AMNESIA: the memory store is not answering${why}; replies go on without recalling memories (${every})`;
    case 'OFFLINE':
      return `OFFLINE: no model is answering${why}; replies come from memory until one is (${every})`;
    case 'DEAD':
      return `DEAD: neither the model nor the memory store answers${why} (${every})`;
    case 'FULL':
      return null;
  }
}

/** The chat screen's words for an embedder notice: a stand-in embedder, or a provider that did not embed a query. */
function embedderNotice(n: Extract<EngineNotice, { type: 'embedder' }>): string {
  return n.state === 'unavailable'
    ? `memory: ${n.detail}; finding memories by their words meanwhile`
    : `memory: ${n.detail}; embedding with ${n.id} meanwhile`;
}

export interface EngineStatusOptions {
  engine: ChatEngine;
  dispatch: Dispatch<Action>;
  opened: { entries?: NewEntry[] | undefined; shown?: number | undefined; mode?: Mode | undefined };
  /** True while a turn runs (no probe then: the turn itself reports the model's health). */
  busy: () => boolean;
  mode: Mode | 'PROBING';
  reprobeMs: number;
}

export function useEngineStatus(o: EngineStatusOptions): {
  refreshCounts(): void;
  noteMode(mode: Mode, detail: string): void;
} {
  const { engine, dispatch, reprobeMs } = o;
  const refreshCounts = useCallback(() => {
    try {
      dispatch({ type: 'status', patch: { memoryCount: engine.memory.count() } });
    } catch {
      // The count is decoration; a failing store shows up in the mode.
    }
  }, [engine, dispatch]);

  const said = useRef<Mode | 'PROBING'>(o.opened.mode ?? 'PROBING');
  const noteMode = useCallback(
    (mode: Mode, detail: string) => {
      dispatch({ type: 'status', patch: { mode } });
      if (mode === said.current) return;
      const from = said.current;
      said.current = mode;
      const text = explainMode(mode, detail, reprobeMs);
      if (text) dispatch({ type: 'notice', text, tone: 'info' });
      else if (from !== 'PROBING')
        dispatch({ type: 'notice', text: 'FULL again: the model and the memory store answer' });
    },
    [dispatch, reprobeMs],
  );

  // What the app was opened with: read once at mount, so later renders never replay the history or the probe.
  const opened = useRef(o.opened);
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
      else if (n.type === 'mode') noteMode(n.mode, n.detail);
      else if (n.type === 'memory') refreshCounts();
      else if (n.type === 'embedder')
        dispatch({
          type: 'notice',
          text: embedderNotice(n),
          tone: 'error',
          hint: '`progeny doctor` says more',
        });
    });
    // Quitting aborts a probe still waiting for a slow model server, so the process can exit at once.
    const probing = new AbortController();
    if (!mode) {
      // The first frame does not wait for the model server: the probe fills in the mode when it answers.
      engine.probe(probing.signal).then(
        (r) => noteMode(r.mode, r.llm.ok ? '' : r.llm.detail),
        () => noteMode(engine.mode(), ''),
      );
    }
    return () => {
      off();
      probing.abort();
    };
  }, [engine, dispatch, refreshCounts, noteMode]);

  const busy = useRef(o.busy);
  busy.current = o.busy;
  const degraded = o.mode !== 'FULL' && o.mode !== 'PROBING';
  useEffect(() => {
    if (!degraded) return;
    const ac = new AbortController();
    const timer = setInterval(() => {
      if (busy.current()) return;
      engine.probe(ac.signal).then(
        (r) => noteMode(r.mode, r.llm.ok ? '' : r.llm.detail),
        () => undefined,
      );
    }, reprobeMs);
    return () => {
      clearInterval(timer);
      ac.abort();
    };
  }, [degraded, engine, reprobeMs, noteMode]);

  return { refreshCounts, noteMode };
}
