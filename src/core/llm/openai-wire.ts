/**
 * The OpenAI-compatible wire format: /chat/completions with stream: true sends SSE `data:` events holding
 * chat.completion.chunk objects {choices: [{delta: {content, reasoning_content?}, finish_reason}]} and ends with
 * `data: [DONE]`; comment lines (`: keep-alive`) are skipped and an `event: error` ends the stream with its message;
 * /embeddings answers {data: [{index, embedding}]}; /models answers {data: [{id}]}.
 */
import { array, checkVectors, errorMessageOf, isRecord, optCount, optString, record, string, vector } from './shape.js';
import type { ByteSource } from './lines.js';
import { sseEvents } from './sse.js';
import type { LlmChunk, TokenUsage } from './types.js';
import { snippet, WireError } from './wire-error.js';

export interface OpenAiChunkInfo {
  text?: string;
  /** A reasoning model's thinking: `reasoning_content` (vLLM, DeepSeek, llama.cpp) or `reasoning` (Ollama, OpenRouter). */
  thinking?: string;
  finishReason?: string;
  model?: string;
  usage?: TokenUsage;
}

/** Reads one chat.completion.chunk (the JSON of one `data:` event). */
export function openaiChunkInfo(data: string): OpenAiChunkInfo {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    throw new WireError('bad_response', `an event of the stream is not JSON: ${snippet(data)}`);
  }
  const obj = record(value, 'a chat.completion.chunk');
  if (obj['error'] !== undefined) throw new WireError('server_error', errorMessageOf(obj) ?? snippet(data));
  const choices = array(obj['choices'], 'choices');
  const info: OpenAiChunkInfo = {};
  const model = optString(obj['model'], 'model');
  if (model !== undefined) info.model = model;
  if (isRecord(obj['usage'])) info.usage = usageOf(obj['usage']);
  const first = choices[0];
  if (first === undefined) return info; // The usage-only chunk has no choices.
  const choice = record(first, 'choices[0]');
  const delta = choice['delta'] === undefined ? {} : record(choice['delta'], 'choices[0].delta');
  const text = optString(delta['content'], 'choices[0].delta.content');
  const reason = optString(choice['finish_reason'], 'choices[0].finish_reason');
  const thinking =
    optString(delta['reasoning_content'], 'choices[0].delta.reasoning_content') ??
    optString(delta['reasoning'], 'choices[0].delta.reasoning');
  if (thinking) info.thinking = thinking;
  if (text) info.text = text;
  if (reason !== undefined) info.finishReason = reason;
  return info;
}

function usageOf(u: Record<string, unknown>): TokenUsage {
  const usage: TokenUsage = {};
  const prompt = optCount(u['prompt_tokens'], 'usage.prompt_tokens');
  const completion = optCount(u['completion_tokens'], 'usage.completion_tokens');
  if (prompt !== undefined) usage.promptTokens = prompt;
  if (completion !== undefined) usage.completionTokens = completion;
  return usage;
}

/**
 * Decodes a streamed /chat/completions body. The reply is complete at `[DONE]`; a stream that ends cleanly after a
 * finish_reason but without `[DONE]` is accepted too (some compatible servers omit it). Otherwise stream_cut.
 */
export async function* openaiChatStream(body: ByteSource): AsyncGenerator<LlmChunk> {
  const final: Extract<LlmChunk, { type: 'done' }> = { type: 'done' };
  let sawDone = false;
  for await (const ev of sseEvents(body)) {
    if (sawDone) continue;
    if (ev.event === 'error') throw new WireError('server_error', errorMessageOfData(ev.data));
    if (ev.data.trim() === '[DONE]') {
      sawDone = true;
      continue;
    }
    const info = openaiChunkInfo(ev.data);
    if (info.model !== undefined) final.model = info.model;
    if (info.usage !== undefined) final.usage = info.usage;
    if (info.finishReason !== undefined) final.finishReason = info.finishReason;
    if (info.thinking !== undefined) yield { type: 'thinking', text: info.thinking };
    if (info.text !== undefined) yield { type: 'token', text: info.text };
  }
  if (!sawDone && final.finishReason === undefined) {
    throw new WireError('stream_cut', 'ended before its final message (data: [DONE])');
  }
  yield final;
}

function errorMessageOfData(data: string): string {
  try {
    return errorMessageOf(JSON.parse(data)) ?? snippet(data);
  } catch {
    return snippet(data);
  }
}

export function openaiEmbeddings(value: unknown, expected: number): Float32Array[] {
  const items = array(record(value, 'the /embeddings reply')['data'], 'data');
  const indexed = items.map((item, i) => {
    const o = record(item, `data[${i}]`);
    const index = optCount(o['index'], `data[${i}].index`) ?? i;
    return { index, vector: vector(o['embedding'], `data[${i}].embedding`) };
  });
  indexed.sort((a, b) => a.index - b.index);
  if (indexed.some((e, i) => e.index !== i)) {
    throw new WireError('bad_response', 'the /embeddings reply has missing or repeated indexes');
  }
  return checkVectors(
    indexed.map((e) => e.vector),
    expected,
    'the /embeddings reply',
  );
}

export function openaiModelIds(value: unknown): string[] {
  const items = array(record(value, 'the /models reply')['data'], 'data');
  return items.map((m, i) => string(record(m, `data[${i}]`)['id'], `data[${i}].id`));
}
