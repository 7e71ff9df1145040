import { describe, expect, it } from 'vitest';
import type { LlmChunk, LlmProvider } from '../llm/types.js';
import { llmSummariser, wholeSentences } from './summariser.js';

const provider = (text: string, finishReason: string): LlmProvider =>
  ({
    id: 'ollama',
    model: 'm',
    async *chat(): AsyncGenerator<LlmChunk> {
      yield { type: 'thinking', text: 'Let me think.' };
      yield { type: 'token', text };
      yield { type: 'done', finishReason };
    },
  }) as unknown as LlmProvider;

describe('the dream summariser', () => {
  it('keeps a whole summary, drops the unfinished sentence of one cut at its token limit, never the reasoning', async () => {
    expect(await llmSummariser(provider('I met Maya. We talked', 'stop'), () => 'me')(['a'])).toBe(
      'I met Maya. We talked',
    );
    expect(await llmSummariser(provider('I met Maya. We talked about Lis', 'length'), () => 'me')(['a'])).toBe(
      'I met Maya.',
    );
  });

  it('a cut summary with no whole sentence is an error (summarising stops; the memories stay as they are)', async () => {
    await expect(llmSummariser(provider('I met Maya and', 'length'), () => 'me')(['a'])).rejects.toThrow(/token limit/);
    expect(wholeSentences('Yes! Then… and')).toBe('Yes! Then…');
  });
});
