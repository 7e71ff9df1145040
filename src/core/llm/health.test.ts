import { describe, expect, it } from 'vitest';
import { fixedClock } from '../clock.js';
import { interrupted, ProgenyError } from '../errors.js';
import { startLlmTestDouble } from '../../testing/llm-double.js';
import { closedPort, quickOptions } from '../../testing/llm-provider-helpers.js';
import { createLlmHealth, llmFailureKind } from './health.js';
import { createOllamaProvider } from './ollama.js';
import type { LlmProvider, ProbeResult } from './types.js';

/** A provider whose probe answers from a script and counts its calls. */
function scripted(results: boolean[]): LlmProvider & { probes: number } {
  const p = {
    id: 'ollama' as const,
    model: 'm',
    probes: 0,
    chat: () => {
      throw new Error('not used');
    },
    embed: async () => [],
    probe: async (): Promise<ProbeResult> => {
      const ok = results[Math.min(p.probes, results.length - 1)] ?? false;
      p.probes++;
      return ok
        ? { ok, reachable: true, provider: 'ollama', latencyMs: 1, detail: 'up' }
        : {
            ok,
            reachable: false,
            provider: 'ollama',
            latencyMs: 1,
            detail: 'down',
            error: { code: 'LLM_UNREACHABLE', message: 'down' },
          };
    },
    close: async () => {},
  };
  return p;
}

describe('LLM health', () => {
  it('probes once when first asked, then trusts the result while healthy', async () => {
    const p = scripted([true]);
    const h = createLlmHealth(p, fixedClock(0));
    expect(h.current()).toMatchObject({ ok: false, checkedAt: null });
    expect(await h.refresh()).toMatchObject({ ok: true, reachable: true, checkedAt: 0, nextProbeAt: null });
    for (let i = 0; i < 5; i++) await h.refresh();
    expect(p.probes).toBe(1);
  });

  it('re-probes a down model only after a backoff that doubles up to the cap', async () => {
    const clock = fixedClock(0);
    const p = scripted([false]);
    const h = createLlmHealth(p, clock, { initialBackoffMs: 1_000, maxBackoffMs: 4_000 });
    await h.check();
    const gaps: number[] = [];
    let lastProbe = 0;
    for (let i = 0; i < 5; i++) {
      const due = h.current().nextProbeAt as number;
      clock.set(due - 1);
      await h.refresh();
      const before = p.probes;
      clock.set(due);
      await h.refresh();
      expect(p.probes).toBe(before + 1); // not a moment earlier
      gaps.push(due - lastProbe);
      lastProbe = due;
    }
    expect(gaps).toEqual([1_000, 2_000, 4_000, 4_000, 4_000]);
  });

  it('comes back up on a successful probe and resets the backoff', async () => {
    const clock = fixedClock(0);
    const p = scripted([false, false, true, false]);
    const h = createLlmHealth(p, clock, { initialBackoffMs: 1_000 });
    await h.check(); // down, next at 1000
    clock.set(1_000);
    await h.refresh(); // down, next at 1000 + 2000
    clock.set(3_000);
    expect(await h.refresh()).toMatchObject({ ok: true });
    h.reportFailure(new ProgenyError('LLM_UNREACHABLE', 'refused'));
    expect(h.current()).toMatchObject({
      ok: false,
      reachable: false,
      nextProbeAt: 4_000,
      error: { code: 'LLM_UNREACHABLE' },
    });
  });

  it('marks the model down at once when unavailable, after three transient failures otherwise', () => {
    const h = createLlmHealth(scripted([true]), fixedClock(0));
    h.reportSuccess();
    expect(h.current().ok).toBe(true);
    h.reportFailure(interrupted());
    h.reportFailure(new Error('a bug elsewhere'));
    h.reportFailure(new ProgenyError('LLM_STREAM_CUT', 'cut'));
    h.reportFailure(new ProgenyError('LLM_HTTP', '500'));
    expect(h.current().ok).toBe(true);
    h.reportFailure(new ProgenyError('LLM_TIMEOUT', 'slow'));
    expect(h.current()).toMatchObject({ ok: false, reachable: true, detail: 'slow' });
    h.reportSuccess();
    h.reportFailure(new ProgenyError('LLM_MODEL_MISSING', 'pull it', { hint: 'ollama pull m' }));
    expect(h.current()).toMatchObject({
      ok: false,
      reachable: true,
      error: { code: 'LLM_MODEL_MISSING', hint: 'ollama pull m' },
    });
  });

  it('classifies failures for the engine', () => {
    expect(llmFailureKind(new ProgenyError('LLM_AUTH', 'x'))).toBe('unavailable');
    expect(llmFailureKind(new ProgenyError('LLM_RATE_LIMITED', 'x'))).toBe('transient');
    expect(llmFailureKind(interrupted())).toBe('cancelled');
    expect(llmFailureKind(new TypeError('x'))).toBe('other');
  });

  it('is never ok, and never probes, without a provider (llm.provider=offline)', async () => {
    const h = createLlmHealth(null, fixedClock(0));
    expect(await h.refresh()).toMatchObject({ ok: false, error: { code: 'LLM_OFFLINE' } });
  });

  it('follows a real server going away and coming back', async () => {
    const clock = fixedClock(0);
    const port = await closedPort();
    const p = createOllamaProvider(quickOptions(`http://127.0.0.1:${port}`));
    const h = createLlmHealth(p, clock);
    expect(await h.refresh()).toMatchObject({ ok: false, reachable: false, error: { code: 'LLM_UNREACHABLE' } });
    const double = await startLlmTestDouble({ port });
    try {
      clock.advance(1_000);
      expect(await h.refresh()).toMatchObject({ ok: true, reachable: true });
      expect(h.current().detail).toContain('model llama3.2 is available');
    } finally {
      await p.close();
      await double.close();
    }
  });
});
