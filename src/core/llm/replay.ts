/**
 * The replay provider: plays a recorded stream back in process, with no network, optionally pacing the tokens.
 * The chat-turn overhead benchmark and engine tests use it. Recordings are read with the same wire decoders as live
 * replies, so a fixture that would not decode from a server does not decode here either.
 */
import { fileURLToPath } from 'node:url';
import { interrupted, ProgenyError } from '../errors.js';
import { sleep } from '../retry.js';
import { ollamaChatStream } from './ollama-wire.js';
import { openaiChatStream } from './openai-wire.js';
import type { ChatRequest, LlmChunk, LlmProvider, ProbeResult } from './types.js';
import { WireError } from './wire-error.js';

/** Path of a recorded stream shipped in fixtures/llm (src/core/llm and dist/core/llm are both three levels deep). */
export function llmFixturePath(name: string, format: 'ollama' | 'openai' = 'ollama'): string {
  const file = `${name}.${format === 'ollama' ? 'ollama.ndjson' : 'openai.sse'}`;
  return fileURLToPath(new URL(`../../../fixtures/llm/${file}`, import.meta.url));
}

/** Reads a recording: Ollama NDJSON (*.ndjson, *.jsonl) or OpenAI SSE (*.sse). Throws if it does not decode. */
export async function loadRecordedStream(path: string): Promise<LlmChunk[]> {
  // Imported here: node:fs/promises costs ~1.5 ms to load, and every engine imports this module.
  const { readFile } = await import('node:fs/promises');
  const bytes = await readFile(path);
  const decode = path.endsWith('.sse') ? openaiChatStream : ollamaChatStream;
  const chunks: LlmChunk[] = [];
  try {
    for await (const c of decode([new Uint8Array(bytes)])) chunks.push(c);
  } catch (err) {
    const why = err instanceof WireError ? err.message : String(err);
    throw new ProgenyError('LLM_BAD_RESPONSE', `the recorded stream ${path} does not decode: ${why}`, {
      hint: 'fix or re-record it',
    });
  }
  return chunks;
}

export interface ReplayOptions {
  /** Wait before each token, ms (0: no timers at all, for overhead benchmarks). */
  tokenDelayMs?: number;
  model?: string;
}

export interface ReplayProvider extends LlmProvider {
  /** The last request, so tests can check the prompt that was assembled. */
  readonly lastRequest: ChatRequest | undefined;
}

export function createReplayProvider(chunks: readonly LlmChunk[], opts: ReplayOptions = {}): ReplayProvider {
  const delay = opts.tokenDelayMs ?? 0;
  const tokens = chunks.filter((c) => c.type === 'token').length;
  let last: ChatRequest | undefined;

  async function* chat(req: ChatRequest): AsyncGenerator<LlmChunk> {
    last = req;
    for (const chunk of chunks) {
      if (req.signal?.aborted) throw interrupted('the model request was cancelled');
      if (delay > 0 && chunk.type === 'token') {
        await sleep(delay, req.signal).catch(() => {
          throw interrupted('the model request was cancelled');
        });
      }
      yield chunk;
    }
  }

  const probe = async (): Promise<ProbeResult> => ({
    ok: true,
    reachable: true,
    provider: 'replay',
    model: opts.model ?? 'replay',
    latencyMs: 0,
    detail: `replaying a recorded stream of ${tokens} tokens`,
  });

  return {
    id: 'replay',
    model: opts.model ?? 'replay',
    get lastRequest() {
      return last;
    },
    chat,
    embed: async () => {
      throw new ProgenyError('LLM_UNSUPPORTED', 'the replay provider does not embed', {
        hint: 'use embedder.kind=builtin',
      });
    },
    probe,
    close: async () => {},
  };
}
