import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ollamaChatChunks, ollamaChatStream, ollamaEmbeddings, ollamaModelNames } from './ollama-wire.js';
import { openaiChatStream, openaiChunkInfo, openaiEmbeddings } from './openai-wire.js';
import { llmFixturePath, loadRecordedStream } from './replay.js';
import type { LlmChunk } from './types.js';
import { WireError } from './wire-error.js';

const enc = (s: string): Uint8Array[] => [new TextEncoder().encode(s)];

async function all(it: AsyncIterable<LlmChunk>): Promise<LlmChunk[]> {
  const out: LlmChunk[] = [];
  for await (const c of it) out.push(c);
  return out;
}

async function failure(p: Promise<unknown>): Promise<WireError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WireError);
  return err as WireError;
}

describe('Ollama wire format', () => {
  it('reads tokens and the final object with usage and reason', () => {
    expect(ollamaChatChunks({ model: 'm', message: { role: 'assistant', content: 'Hi' }, done: false })).toEqual([
      { type: 'token', text: 'Hi' },
    ]);
    const final = {
      model: 'm',
      message: { role: 'assistant', content: '' },
      done: true,
      done_reason: 'length',
      prompt_eval_count: 3,
      eval_count: 9,
    };
    expect(ollamaChatChunks(final)).toEqual([
      { type: 'done', model: 'm', finishReason: 'length', usage: { promptTokens: 3, completionTokens: 9 } },
    ]);
  });

  it('rejects objects of the wrong shape, naming the field', () => {
    expect(() => ollamaChatChunks({ message: 'hi', done: false })).toThrow(/message should be an object, got string/);
    expect(() => ollamaChatChunks({ message: { content: 'x' } })).toThrow(/done should be true or false/);
    expect(() => ollamaChatChunks({ message: { content: 3 }, done: false })).toThrow(
      /message.content should be a string/,
    );
    expect(() => ollamaChatChunks([1])).toThrow(/should be an object, got an array/);
  });

  it('turns an error line into a server_error', () => {
    expect(() => ollamaChatChunks({ error: 'out of memory' })).toThrow(
      expect.objectContaining({ kind: 'server_error' }),
    );
  });

  it('fails a stream that ends before done: true, and emits done only after the body ends', async () => {
    const cut = '{"message":{"content":"a"},"done":false}\n';
    expect((await failure(all(ollamaChatStream(enc(cut))))).kind).toBe('stream_cut');
    const chunks = await all(ollamaChatStream(enc(`${cut}{"done":true}\n`)));
    expect(chunks.at(-1)).toEqual({ type: 'done', usage: {} });
  });

  it('validates embeddings: count, numbers, dimensions', () => {
    expect(
      ollamaEmbeddings(
        {
          embeddings: [
            [0.5, 1],
            [0, -1],
          ],
        },
        2,
      ).map((v) => [...v]),
    ).toEqual([
      [0.5, 1],
      [0, -1],
    ]);
    expect(() => ollamaEmbeddings({ embeddings: [[1, 2]] }, 2)).toThrow(/1 vectors for 2 inputs/);
    expect(() => ollamaEmbeddings({ embeddings: [[1, 2], [1]] }, 2)).toThrow(/different dimensions/);
    expect(() => ollamaEmbeddings({ embeddings: [[1, 'x']] }, 1)).toThrow(
      /embeddings\[0\]\[1\] should be a finite number/,
    );
    expect(() => ollamaModelNames({ models: [{ size: 1 }] })).toThrow(/models\[0\].name should be a string/);
  });
});

describe('OpenAI wire format', () => {
  it('reads content, finish_reason, usage and tolerates null content and empty choices', () => {
    expect(openaiChunkInfo('{"choices":[{"delta":{"content":"Hi"},"finish_reason":null}]}')).toEqual({ text: 'Hi' });
    expect(openaiChunkInfo('{"choices":[{"delta":{"content":null},"finish_reason":"stop"}]}')).toEqual({
      finishReason: 'stop',
    });
    expect(openaiChunkInfo('{"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":7}}')).toEqual({
      usage: { promptTokens: 5, completionTokens: 7 },
    });
  });

  it('rejects malformed events', () => {
    expect(() => openaiChunkInfo('nope')).toThrow(/not JSON: nope/);
    expect(() => openaiChunkInfo('{"choices":"x"}')).toThrow(/choices should be an array/);
    expect(() => openaiChunkInfo('{"error":{"message":"overloaded"}}')).toThrow(
      expect.objectContaining({ kind: 'server_error' }),
    );
  });

  it('needs [DONE] or a finish_reason before the end of the stream', async () => {
    const partial = 'data: {"choices":[{"delta":{"content":"a"}}]}\n\n';
    expect((await failure(all(openaiChatStream(enc(partial))))).kind).toBe('stream_cut');
    const finished = `${partial}data: {"choices":[{"delta":{},"finish_reason":"stop"}]}\n\n`;
    expect((await all(openaiChatStream(enc(finished)))).at(-1)).toEqual({ type: 'done', finishReason: 'stop' });
  });

  it('orders embeddings by index and rejects gaps', () => {
    const v = openaiEmbeddings(
      {
        data: [
          { index: 1, embedding: [2] },
          { index: 0, embedding: [1] },
        ],
      },
      2,
    );
    expect(v.map((x) => x[0])).toEqual([1, 2]);
    expect(() => openaiEmbeddings({ data: [{ index: 1, embedding: [2] }] }, 1)).toThrow(/missing or repeated/);
  });
});

describe('recorded fixtures', () => {
  const dir = dirname(llmFixturePath('greeting'));
  const names = [
    ...new Set(
      readdirSync(dir)
        .filter((f) => f.endsWith('.ollama.ndjson'))
        .map((f) => f.split('.')[0]),
    ),
  ];

  it.each(names)('%s decodes in both formats to the same tokens, ending with done', async (name) => {
    const ollama = await loadRecordedStream(llmFixturePath(name as string, 'ollama'));
    const openai = await loadRecordedStream(llmFixturePath(name as string, 'openai'));
    const text = (cs: LlmChunk[]): string[] => cs.flatMap((c) => (c.type === 'token' ? [c.text] : []));
    expect(text(ollama).length).toBeGreaterThan(10);
    expect(text(openai)).toEqual(text(ollama));
    expect(ollama.at(-1)?.type).toBe('done');
    expect(openai.at(-1)).toMatchObject({ type: 'done', finishReason: 'stop' });
  });
});
