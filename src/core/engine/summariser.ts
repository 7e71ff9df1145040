/**
 * The model behind dream's summarising step: it condenses the companion's own faded memories into a short note, in its
 * own voice (the heritage summary is the system prompt), keeping the names, places, dates and feelings recall needs.
 */
import type { LlmProvider } from '../llm/types.js';
import type { Summariser } from '../memory/dream-summary.js';

const INSTRUCTION =
  'You are consolidating your own old memories of the person you talk with. Condense the numbered memories below into ' +
  'one short paragraph of at most five sentences, in the first person, keeping every name, place, date and feeling. ' +
  'Write only the paragraph.';

export function llmSummariser(llm: LlmProvider, identity: () => string): Summariser {
  return async (texts, signal) => {
    const messages = [
      { role: 'system' as const, content: `${identity()}\n\n${INSTRUCTION}` },
      { role: 'user' as const, content: texts.map((t, i) => `${i + 1}. ${t.replace(/\s+/g, ' ')}`).join('\n') },
    ];
    let out = '';
    for await (const chunk of llm.chat({ messages, temperature: 0.2, maxTokens: 300, ...(signal ? { signal } : {}) })) {
      if (chunk.type === 'token') out += chunk.text;
    }
    return out;
  };
}
