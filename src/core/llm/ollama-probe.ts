/**
 * Ollama's probe: /api/tags lists the pulled models; /api/version, /api/ps (ollama-load.ts) and /api/show (whether
 * the model thinks) only add detail, so a server without them still probes as up.
 */
import { hasModel } from './http-provider.js';
import { timedProbe, signalField, type ProbeBase } from './http-provider-calls.js';
import { llmErrors, probeError } from './errors.js';
import type { LoadWatch } from './ollama-load.js';
import { ollamaCapabilities, ollamaModelNames, ollamaVersion } from './ollama-wire.js';
import { jsonRequest, type Caller } from './request.js';
import type { ProbeResult } from './types.js';

export function probeOllama(
  caller: Caller,
  model: string,
  timeoutMs: number,
  load: LoadWatch,
  signal?: AbortSignal,
): Promise<ProbeResult> {
  return timedProbe('ollama', caller, async (elapsed) => {
    const spec = { method: 'GET' as const, retries: 0, timeoutMs, ...signalField(signal) };
    const [models, version, loaded, capabilities] = await Promise.all([
      jsonRequest(caller, { ...spec, path: '/api/tags' }, ollamaModelNames),
      // Old servers and some proxies lack /api/version, /api/ps or /api/show; the tags alone prove the server is there.
      jsonRequest(caller, { ...spec, path: '/api/version' }, ollamaVersion).catch(() => undefined),
      load.loaded(signal),
      jsonRequest(caller, { ...spec, method: 'POST', path: '/api/show', body: { model } }, ollamaCapabilities).catch(
        () => undefined,
      ),
    ]);
    const found = { ...elapsed(), models, reachable: true, ...(version ? { version } : {}) };
    const server = `Ollama${version ? ` ${version}` : ''} at ${caller.ctx.url}`;
    if (hasModel(models, model)) return modelFound(found, server, model, loaded, capabilities);
    return {
      ...found,
      ok: false,
      modelAvailable: false,
      detail: `${server} is up, but model ${model} is not pulled`,
      error: probeError(llmErrors.modelMissing(caller.ctx, undefined, undefined)),
    };
  });
}

function modelFound(
  found: ProbeBase & Pick<ProbeResult, 'models' | 'reachable' | 'version'>,
  server: string,
  model: string,
  loaded: boolean | undefined,
  capabilities: string[] | undefined,
): ProbeResult {
  const thinks = capabilities?.includes('thinking');
  const notes = [
    loaded === true ? 'loaded' : loaded === false ? 'not loaded: the first reply waits for it to load' : '',
    thinks ? 'a thinking model' : '',
  ].filter(Boolean);
  return {
    ...found,
    ok: true,
    modelAvailable: true,
    ...(loaded === undefined ? {} : { modelLoaded: loaded }),
    ...(capabilities === undefined ? {} : { modelThinks: thinks === true }),
    detail: `${server}: model ${model} is available${notes.length ? ` (${notes.join('; ')})` : ''}`,
  };
}
