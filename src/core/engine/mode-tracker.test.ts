import { describe, expect, it } from 'vitest';
import type { LlmHealth, LlmHealthSnapshot } from '../llm/health.js';
import { createModeTracker, type ModeChange } from './mode-tracker.js';

/** A model health driven by the test: `up` decides what a probe finds; reports move it like the real one. */
function scriptedHealth(initiallyOk: boolean) {
  let ok = initiallyOk;
  const calls: string[] = [];
  const snap = (): LlmHealthSnapshot => ({
    ok,
    reachable: ok,
    detail: ok ? 'model ok' : 'connection refused',
    checkedAt: 0,
    nextProbeAt: null,
  });
  const health: LlmHealth & { up: boolean } = {
    up: initiallyOk,
    current: snap,
    check: () => Promise.resolve(snap()),
    refresh() {
      calls.push('refresh');
      ok = health.up;
      return Promise.resolve(snap());
    },
    reportFailure: (err) => {
      calls.push(`failure ${(err as Error).message}`);
      ok = false;
    },
    reportSuccess: () => {
      calls.push('success');
      ok = true;
    },
  };
  return { health, calls };
}

function tracked(initiallyOk: boolean | null) {
  const scripted = initiallyOk === null ? null : scriptedHealth(initiallyOk);
  const changes: ModeChange[] = [];
  const modes = createModeTracker(scripted?.health ?? null, (c) => changes.push(c));
  return { modes, changes, health: scripted?.health, calls: scripted?.calls ?? [] };
}

describe('mode tracker', () => {
  it('starts FULL with a healthy model, OFFLINE without one, and says nothing until something changes', () => {
    expect(tracked(true).modes.current()).toBe('FULL');
    expect(tracked(false).modes.current()).toBe('OFFLINE');
    const none = tracked(null);
    expect(none.modes.current()).toBe('OFFLINE');
    none.modes.llmSucceeded();
    expect(none.modes.current()).toBe('OFFLINE');
    expect(none.changes).toEqual([]);
  });

  it('walks every transition, one notice per change with the detail that caused it', () => {
    const { modes, changes } = tracked(true);
    modes.memoryHealth(false, 'qdrant down'); // FULL → AMNESIA
    modes.llmFailed(new Error('refused')); // AMNESIA → DEAD
    modes.memoryHealth(true, 'qdrant back'); // DEAD → OFFLINE
    modes.llmSucceeded(); // OFFLINE → FULL
    modes.llmFailed(new Error('gone')); // FULL → OFFLINE
    modes.memoryFailed(new Error('disk')); // OFFLINE → DEAD
    modes.llmSucceeded(); // DEAD → AMNESIA
    modes.memoryHealth(true, 'recovered'); // AMNESIA → FULL
    expect(changes).toEqual([
      { type: 'mode', mode: 'AMNESIA', detail: 'qdrant down' },
      { type: 'mode', mode: 'DEAD', detail: 'refused' },
      { type: 'mode', mode: 'OFFLINE', detail: 'qdrant back' },
      { type: 'mode', mode: 'FULL', detail: 'model reachable' },
      { type: 'mode', mode: 'OFFLINE', detail: 'gone' },
      { type: 'mode', mode: 'DEAD', detail: 'disk' },
      { type: 'mode', mode: 'AMNESIA', detail: 'model reachable' },
      { type: 'mode', mode: 'FULL', detail: 'recovered' },
    ]);
  });

  it('repeated reports of the same state emit nothing', () => {
    const { modes, changes } = tracked(true);
    modes.memoryFailed(new Error('a'));
    modes.memoryFailed(new Error('b'));
    modes.memoryHealth(false, 'c');
    modes.llmSucceeded();
    expect(changes.map((c) => c.mode)).toEqual(['AMNESIA']);
  });

  it('recovers the model through refresh (the re-probe after the backoff) and passes reports to the health', async () => {
    const { modes, changes, health, calls } = tracked(true);
    health!.up = false;
    modes.llmFailed(new Error('refused'));
    expect(await modes.refresh()).toBe('OFFLINE');
    health!.up = true;
    expect(await modes.refresh()).toBe('FULL');
    expect(changes.map((c) => [c.mode, c.detail])).toEqual([
      ['OFFLINE', 'refused'],
      ['FULL', 'model ok'],
    ]);
    expect(calls).toEqual(['failure refused', 'refresh', 'refresh']);
  });

  it('a probe sets both healths at once: the model by its outcome, the store by its answer', () => {
    const { modes, changes, calls } = tracked(true);
    const failure = new Error('no such model');
    expect(modes.probed({ llmOk: false, llmFailure: failure, memoryOk: false, detail: 'probe' })).toBe('DEAD');
    expect(modes.probed({ llmOk: true, memoryOk: true, detail: 'probe again' })).toBe('FULL');
    expect(changes.map((c) => [c.mode, c.detail])).toEqual([
      ['DEAD', 'probe'],
      ['FULL', 'probe again'],
    ]);
    expect(calls).toEqual(['failure no such model', 'success']);
  });
});
