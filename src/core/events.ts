/**
 * The typed event stream of a chat turn (engine.turn) and the engine-wide notices that the TUI, the headless CLI and
 * the server all consume. Every turn yields `start`, then `recall`, `token`s and `limbic`, and ends with exactly one
 * `done` or `error`. Before the first token may come `loading` (the model server is loading the model: the reply
 * can take tens of seconds to start) and `thinking` events (a thinking model's reasoning, shown apart and never part
 * of the reply, the cache or memory).
 */
import type { ErrorJson } from './errors.js';
import type { Hint } from './hints.js';
import type { LimbicChange, LimbicSnapshot, Posture } from './limbic/types.js';
import type { RecallInfo, RecalledMemory } from './memory/types.js';

/** Degradation modes (docs/domain.md). */
export type Mode = 'FULL' | 'AMNESIA' | 'OFFLINE' | 'DEAD';

export interface TurnStats {
  latencyMs: number;
  /** Time to the first token, or null when none came. */
  firstTokenMs: number | null;
  /** Tokens (stream chunks) received. */
  tokens: number;
  tokensPerSecond: number | null;
  /** Reasoning chunks a thinking model streamed before its answer (absent when none). */
  thinkingTokens?: number;
  /** Tokens of the prompt and of the reply as the model server counted them (absent when it did not say). */
  promptTokens?: number;
  completionTokens?: number;
}

export type EngineEvent =
  | {
      type: 'start';
      turnId: string;
      conversationId: string;
      mode: Mode;
      posture: Posture;
      model: string | null;
      /** The id of the truncated reply this turn continues (TurnInput.continueReply). */
      continues?: string;
    }
  /** `recall`: whether the vectors were used (absent when nothing was recalled: a continuation, a failed store). */
  | { type: 'recall'; turnId: string; memories: RecalledMemory[]; recall?: RecallInfo }
  /** The model server is loading `model` into memory before it answers (Ollama: it was not in /api/ps). */
  | { type: 'loading'; turnId: string; model: string }
  /** A piece of a thinking model's reasoning. */
  | { type: 'thinking'; turnId: string; text: string }
  | { type: 'token'; turnId: string; text: string }
  | { type: 'limbic'; turnId: string; state: LimbicSnapshot; changes: LimbicChange[] }
  | {
      type: 'done';
      turnId: string;
      messageId: string;
      reply: string;
      interrupted: boolean;
      /** The model stopped at the token limit (llm.maxTokens): the reply is cut, stored as such, and not cached. */
      truncated: boolean;
      offline: boolean;
      cached: boolean;
      mode: Mode;
      stats: TurnStats;
      /** With an OFFLINE reply: how to connect a model, for the front end to show apart from the reply. */
      hint?: Hint;
    }
  | { type: 'error'; turnId: string; error: ErrorJson; partial: string; messageId: string | null };

export type EngineEventType = EngineEvent['type'];

/** Pushed to subscribers (e.g. WebSocket clients) whenever shared state changes. */
export type EngineNotice =
  | { type: 'limbic'; state: LimbicSnapshot }
  | { type: 'memory'; op: 'add' | 'edit' | 'forget' | 'pin' | 'archive' | 'restore'; ids: string[] }
  | { type: 'heritage'; version: number }
  | { type: 'mode'; mode: Mode; detail: string }
  /**
   * `fallback`: the semantic embedder could not load or stopped: memories are embedded by `id` (the hash embedder)
   * meanwhile. `unavailable`: the embedder `id` (a provider's) did not embed a recall query: recall answers by words
   * until it does again (once per outage).
   */
  | { type: 'embedder'; id: string; state: 'fallback' | 'unavailable'; detail: string };

export class NoticeBus {
  private subscribers = new Set<(n: EngineNotice) => void>();
  subscribe(fn: (n: EngineNotice) => void): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }
  emit(n: EngineNotice): void {
    for (const fn of this.subscribers) {
      try {
        fn(n);
      } catch {
        // A faulty subscriber must not break the engine or the other subscribers.
      }
    }
  }
  get size(): number {
    return this.subscribers.size;
  }
}
