import { describe, expect, it } from 'vitest';
import { createOllamaProvider } from '../llm/ollama.js';
import type { LlmChunk, LlmProvider } from '../llm/types.js';
import { startLlmTestDouble } from '../../testing/llm-double.js';
import { drain, HELLO, quickOptions } from '../../testing/llm-provider-helpers.js';
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

  it('asks a thinking model (Ollama) not to reason first, so the token limit goes to the summary', async () => {
    const double = await startLlmTestDouble({ thinkingModels: ['llama3.2'] });
    const llm = createOllamaProvider(quickOptions(double.ollamaUrl));
    try {
      const summary = await llmSummariser(llm, () => 'me')(['I met Maya at the lake.']);
      expect(summary.length).toBeGreaterThan(0);
      const sent = double.requests.find((r) => r.path === '/api/chat')?.body as { think?: boolean };
      expect(sent.think).toBe(false);
      // The control: the same model asked without the switch reasons first.
      const plain = await drain(llm.chat(HELLO));
      expect(plain.thinking.length).toBeGreaterThan(0);
    } finally {
      await llm.close();
      await double.close();
    }
  });
});
