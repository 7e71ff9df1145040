/**
 * Whether Ollama has the model in memory. Ollama loads a model on the first request after it was unloaded (5 minutes
 * after its last use by default) and sends no response headers until the model is loaded and the prompt processed:
 * tens of seconds for a large model or on a CPU. GET /api/ps lists the models in memory with when each unloads; a
 * model it does not list will be loaded by the next request, which then waits up to llm.loadTimeoutMs for its
 * headers instead of the usual connect + idle timeouts (docs/domain.md, "The chat turn").
 */
import { isProgenyError } from '../errors.js';
import { hasModel } from './http-provider.js';
import { ollamaRunning } from './ollama-wire.js';
import { jsonRequest, type Caller } from './request.js';

export interface LoadWatch {
  /** true: in memory; false: the next request loads it; undefined: the server did not say (no /api/ps). */
  loaded(signal?: AbortSignal): Promise<boolean | undefined>;
}

/** A listed model is not asked about again until shortly before it is due to unload. */
const MARGIN_MS = 5_000;

export function createLoadWatch(caller: Caller, model: string, timeoutMs: number): LoadWatch {
  let loadedUntil = 0;
  return {
    async loaded(signal) {
      if (Date.now() < loadedUntil) return true;
      try {
        const running = await jsonRequest(
          caller,
          { method: 'GET', path: '/api/ps', retries: 0, timeoutMs, ...(signal ? { signal } : {}) },
          ollamaRunning,
        );
        const hit = running.find((r) => hasModel([r.name], model));
        if (!hit) return false;
        loadedUntil = Number.isFinite(hit.expiresAt) ? hit.expiresAt - MARGIN_MS : 0;
        return true;
      } catch (err) {
        if (isProgenyError(err) && err.code === 'INTERRUPTED') throw err;
        return undefined; // an old server or a proxy without /api/ps: wait as for any reply
      }
    },
  };
}
