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
    let cut = false;
    // No reasoning first: a thinking model would spend the 300 tokens reasoning and leave no summary.
    const req = { messages, temperature: 0.2, maxTokens: 300, think: false as const, ...(signal ? { signal } : {}) };
    for await (const chunk of llm.chat(req)) {
      if (chunk.type === 'token') out += chunk.text;
      else if (chunk.type === 'done') cut = chunk.finishReason === 'length';
    }
    return cut ? wholeSentences(out) : out;
  };
}

/**
 * A summary cut at the token limit, without its unfinished last sentence: a half sentence in a memory reads as a
 * fact cut in two. Nothing whole left (a thinking model can spend the limit reasoning) is an error, so summarising
 * stops and the memories are archived as they are.
 */
export function wholeSentences(text: string): string {
  const end = Math.max(...['.', '!', '?', '…'].map((p) => text.lastIndexOf(p)));
  const whole = end < 0 ? '' : text.slice(0, end + 1).trim();
  if (!whole) throw new Error('the model stopped at its token limit before finishing a sentence of the summary');
  return whole;
}
