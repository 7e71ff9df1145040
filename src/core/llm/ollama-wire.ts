/**
 * Ollama's native wire format (docs/api.md of ollama/ollama): /api/chat streams NDJSON objects
 * {model, created_at, message: {role, content, thinking?}, done: false} and ends with one {done: true, done_reason,
 * prompt_eval_count, eval_count, …}; a thinking model sends its reasoning in message.thinking with an empty content
 * first. /api/embed answers {embeddings: number[][]}; /api/tags lists {models: [{name}]}, /api/ps the models in
 * memory {models: [{name, expires_at}]}, /api/show a model's {capabilities: string[]}.
 */
import type { ByteSource } from './lines.js';
import { ndjsonValues } from './ndjson.js';
import { array, boolean, checkVectors, errorMessageOf, optCount, optString, record, string, vector } from './shape.js';
import type { LlmChunk, TokenUsage } from './types.js';
import { WireError } from './wire-error.js';

/** The chunks carried by one streamed /api/chat object. */
export function ollamaChatChunks(value: unknown): LlmChunk[] {
  const obj = record(value, 'a chat stream object');
  if (obj['error'] !== undefined) throw new WireError('server_error', errorMessageOf(obj) ?? 'unknown error');
  const done = boolean(obj['done'], 'done');
  const message = obj['message'] === undefined && done ? {} : record(obj['message'], 'message');
  const content = done
    ? (optString(message['content'], 'message.content') ?? '')
    : string(message['content'], 'message.content');
  const thinking = optString(message['thinking'], 'message.thinking');
  const chunks: LlmChunk[] = thinking ? [{ type: 'thinking', text: thinking }] : [];
  if (content !== '') chunks.push({ type: 'token', text: content });
  if (done) {
    const usage: TokenUsage = {};
    const prompt = optCount(obj['prompt_eval_count'], 'prompt_eval_count');
    const completion = optCount(obj['eval_count'], 'eval_count');
    if (prompt !== undefined) usage.promptTokens = prompt;
    if (completion !== undefined) usage.completionTokens = completion;
    const final: LlmChunk = { type: 'done', usage };
    const model = optString(obj['model'], 'model');
    const reason = optString(obj['done_reason'], 'done_reason');
    if (model !== undefined) final.model = model;
    if (reason !== undefined) final.finishReason = reason;
    chunks.push(final);
  }
  return chunks;
}

/**
 * Decodes a /api/chat body; the `done` chunk comes last, after the body ended, or WireError stream_cut. An empty
 * reply with done_reason "load" (Ollama only loaded the model, as for a request without messages) is no answer:
 * stream_cut too, which is retried before any token.
 */
export async function* ollamaChatStream(body: ByteSource): AsyncGenerator<LlmChunk> {
  let final: Extract<LlmChunk, { type: 'done' }> | undefined;
  let said = false;
  for await (const value of ndjsonValues(body)) {
    if (final) continue; // Nothing follows `done` in Ollama's format; ignore rather than fail a finished reply.
    for (const chunk of ollamaChatChunks(value)) {
      if (chunk.type === 'done') final = chunk;
      else {
        said = true;
        yield chunk;
      }
    }
  }
  if (!final) throw new WireError('stream_cut', 'ended before its final message (done: true)');
  if (!said && final.finishReason === 'load') {
    throw new WireError('stream_cut', 'was empty: the server only loaded the model (done_reason "load")');
  }
  yield final;
}

/** The models in memory per /api/ps, with when each unloads (ms since the epoch; NaN when unreadable). */
export function ollamaRunning(value: unknown): { name: string; expiresAt: number }[] {
  const models = array(record(value, 'the /api/ps reply')['models'], 'models');
  return models.map((m, i) => {
    const o = record(m, `models[${i}]`);
    const expires = optString(o['expires_at'], `models[${i}].expires_at`);
    return { name: string(o['name'] ?? o['model'], `models[${i}].name`), expiresAt: Date.parse(expires ?? '') };
  });
}

/** A model's capabilities per /api/show (["completion", "tools", "thinking", …]); [] from servers before 0.6.4. */
export function ollamaCapabilities(value: unknown): string[] {
  const caps = record(value, 'the /api/show reply')['capabilities'];
  return caps === undefined || caps === null ? [] : array(caps, 'capabilities').map(String);
}

export function ollamaEmbeddings(value: unknown, expected: number): Float32Array[] {
  const items = array(record(value, 'the /api/embed reply')['embeddings'], 'embeddings');
  return checkVectors(
    items.map((v, i) => vector(v, `embeddings[${i}]`)),
    expected,
    'the /api/embed reply',
  );
}

export function ollamaModelNames(value: unknown): string[] {
  const models = array(record(value, 'the /api/tags reply')['models'], 'models');
  return models.map((m, i) => {
    const o = record(m, `models[${i}]`);
    return string(o['name'] ?? o['model'], `models[${i}].name`);
  });
}

export function ollamaVersion(value: unknown): string {
  return string(record(value, 'the /api/version reply')['version'], 'version');
}
