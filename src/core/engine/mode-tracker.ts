/**
 * The degradation mode (docs/domain.md, "Degradation modes") from two healths: the model's (an LlmHealth, which
 * probes and backs off) and the memory store's (reported by the store itself, by a failed recall, or by a probe).
 *
 *     model ok, memory ok → FULL     model ok, memory down → AMNESIA
 *     no model, memory ok → OFFLINE  no model, memory down → DEAD
 *
 * Every report re-reads the mode; a `mode` notice goes out once per change, with the detail of the report that
 * changed it, so subscribers (the TUI's status line, WebSocket clients) never see the same mode twice in a row.
 */
import type { Mode } from '../events.js';
import type { LlmHealth } from '../llm/health.js';

export interface ModeChange {
  type: 'mode';
  mode: Mode;
  detail: string;
}

export interface ModeTracker {
  /** The mode from the latest reports, without probing. */
  current(): Mode;
  /** Re-probes the model when its backoff has passed (LlmHealth.refresh), then tells the mode. */
  refresh(signal?: AbortSignal): Promise<Mode>;
  /** A model call failed (the health decides whether that makes it unavailable). */
  llmFailed(err: unknown): void;
  /** A model call succeeded. */
  llmSucceeded(): void;
  /** The memory store's word on itself (the Qdrant store entering AMNESIA, or recovering). */
  memoryHealth(ok: boolean, detail: string): void;
  /** A memory operation failed: the store is down until it says otherwise or a probe finds it up. */
  memoryFailed(err: unknown): void;
  /** Both probed now: the model's outcome (`failure` when it is not ok) and the store's. */
  probed(result: { llmOk: boolean; llmFailure?: unknown; memoryOk: boolean; detail: string }): Mode;
}

/** `health` is null when there is no model at all (llm.provider offline): the mode is then OFFLINE or DEAD. */
export function createModeTracker(health: LlmHealth | null, emit: (change: ModeChange) => void): ModeTracker {
  let memoryOk = true;
  const current = (): Mode => {
    const llmOk = health?.current().ok ?? false;
    if (llmOk) return memoryOk ? 'FULL' : 'AMNESIA';
    return memoryOk ? 'OFFLINE' : 'DEAD';
  };
  let last = current();
  const note = (detail: string): void => {
    const mode = current();
    if (mode === last) return;
    last = mode;
    emit({ type: 'mode', mode, detail });
  };
  const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

  return {
    current,
    async refresh(signal) {
      await health?.refresh(signal);
      note(health?.current().detail ?? 'offline');
      return current();
    },
    llmFailed(err) {
      health?.reportFailure(err);
      note(messageOf(err));
    },
    llmSucceeded() {
      health?.reportSuccess();
      note('model reachable');
    },
    memoryHealth(ok, detail) {
      memoryOk = ok;
      note(detail);
    },
    memoryFailed(err) {
      memoryOk = false;
      note(messageOf(err));
    },
    probed(result) {
      if (result.llmOk) health?.reportSuccess();
      else if (result.llmFailure !== undefined) health?.reportFailure(result.llmFailure);
      memoryOk = result.memoryOk;
      note(result.detail);
      return current();
    },
  };
}
