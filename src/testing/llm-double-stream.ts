/**
 * The chat stream the double sends for one request: the recording, with the requested model's name, preceded by its
 * reasoning when the model thinks, and cut at the request's token limit as real servers cut it (`num_predict`,
 * `max_tokens`, `max_completion_tokens`; thinking tokens count too), the final message then saying
 * `done_reason: "length"` / `finish_reason: "length"`.
 */
import type { Recording, StreamPiece } from './llm-double-fixtures.js';

/** The double's reasoning, one token per piece. */
export const THINKING = [
  'The',
  ' user',
  ' is',
  ' greeting',
  ' me',
  ' again',
  '.',
  ' I',
  ' should',
  ' answer',
  ' warmly',
  ' and',
  ' briefly',
  '.',
];

export interface StreamShape {
  thinking: readonly string[];
  /** The request's token limit, if it set one. */
  limit: number | undefined;
  /** Where an OpenAI-compatible stream puts the reasoning: vLLM and DeepSeek `reasoning_content`, Ollama's /v1 and OpenRouter `reasoning`. */
  reasoningField: 'reasoning_content' | 'reasoning';
}

export interface ShapedStream {
  pieces: StreamPiece[];
  /** The reply's text and token count as sent (for the non-streaming answer). */
  text: string;
  thinking: string;
  tokens: number;
  truncated: boolean;
}

type Json = Record<string, unknown>;

/** Spends the token budget: the reasoning first, then the answer's tokens, in order. */
function budget<T>(shape: StreamShape, content: T[]): { thinking: string[]; content: T[]; truncated: boolean } {
  let left = shape.limit ?? Infinity;
  const thinking = shape.thinking.slice(0, Math.max(0, Math.min(shape.thinking.length, left)));
  left -= thinking.length;
  const kept = content.slice(0, Math.max(0, Math.min(content.length, left)));
  return { thinking, content: kept, truncated: kept.length < content.length };
}

export function ollamaStream(rec: Recording, model: string, shape: StreamShape): ShapedStream {
  const lines: Json[] = rec.ollama.map((p) => ({ ...(JSON.parse(p.text) as Json), model }));
  const final = lines.find((l) => l['done'] === true) ?? { model, done: true, done_reason: 'stop' };
  const spent = budget(
    shape,
    lines.filter((l) => l['done'] !== true),
  );
  const createdAt = lines[0]?.['created_at'] ?? new Date().toISOString();
  const think = spent.thinking.map((t) => ({
    model,
    created_at: createdAt,
    message: { role: 'assistant', content: '', thinking: t },
    done: false,
  }));
  const last: Json = { ...final };
  if (spent.truncated) {
    last['done_reason'] = 'length';
    last['eval_count'] = spent.thinking.length + spent.content.length;
  }
  const line = (o: Json, isFinal = false): StreamPiece => ({ text: `${JSON.stringify(o)}\n`, final: isFinal });
  const text = spent.content.map((l) => String((l['message'] as Json | undefined)?.['content'] ?? '')).join('');
  return {
    pieces: [...think.map((o) => line(o)), ...spent.content.map((o) => line(o)), line(last, true)],
    text,
    thinking: spent.thinking.join(''),
    tokens: spent.content.length,
    truncated: spent.truncated,
  };
}

const choiceOf = (o: Json): Json => ((o['choices'] as Json[] | undefined)?.[0] ?? {}) as Json;

export function openaiStream(rec: Recording, model: string, shape: StreamShape): ShapedStream {
  const blocks = rec.openai.map((p) => p.text.replace(/^data: /, ''));
  const chunks: Json[] = blocks.filter((b) => b !== '[DONE]').map((b) => ({ ...(JSON.parse(b) as Json), model }));
  const isContent = (o: Json): boolean => Boolean((choiceOf(o)['delta'] as Json | undefined)?.['content']);
  const isFinal = (o: Json): boolean => choiceOf(o)['finish_reason'] != null;
  const head = chunks.filter((o) => !isContent(o) && !isFinal(o) && o['usage'] == null);
  const tail = chunks.filter((o) => isFinal(o) || (o['usage'] != null && !isContent(o)));
  const spent = budget(shape, chunks.filter(isContent));
  const template = head[0] ?? chunks[0] ?? { object: 'chat.completion.chunk', model };
  const think = spent.thinking.map((t) => ({
    ...template,
    choices: [{ index: 0, delta: { [shape.reasoningField]: t }, logprobs: null, finish_reason: null }],
  }));
  const closing = tail.map((o) => {
    if (!spent.truncated || !isFinal(o)) return o;
    return { ...o, choices: [{ ...choiceOf(o), finish_reason: 'length' }] };
  });
  const event = (o: Json | string, final = false): StreamPiece => ({
    text: `data: ${typeof o === 'string' ? o : JSON.stringify(o)}\n\n`,
    final,
  });
  const text = spent.content.map((o) => String((choiceOf(o)['delta'] as Json)['content'])).join('');
  return {
    pieces: [
      ...head.map((o) => event(o)),
      ...think.map((o) => event(o)),
      ...spent.content.map((o) => event(o)),
      ...closing.map((o) => event(o, true)),
      event('[DONE]', true),
    ],
    text,
    thinking: spent.thinking.join(''),
    tokens: spent.content.length,
    truncated: spent.truncated,
  };
}

/** The request's token limit: Ollama's options.num_predict, OpenAI's max_completion_tokens or max_tokens. */
export function tokenLimit(protocol: 'ollama' | 'openai', body: Json): number | undefined {
  const raw =
    protocol === 'ollama'
      ? (body['options'] as Json | undefined)?.['num_predict']
      : (body['max_completion_tokens'] ?? body['max_tokens']);
  return typeof raw === 'number' && raw > 0 ? raw : undefined;
}
