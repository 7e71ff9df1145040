/**
 * OFFLINE mode (docs/domain.md, "Degradation modes"): no model is reachable, so the companion answers from what it
 * remembers. Every such reply is labelled, so nobody mistakes it for the model's words.
 */
import type { Config } from '../config/schema.js';
import { act, type Hint } from '../hints.js';
import type { Posture } from '../limbic/types.js';
import type { RecalledMemory } from '../memory/types.js';

export const OFFLINE_LABEL = '[offline]';

const OPENERS: Record<Posture, string> = {
  COMPANION: "I'm here with you, even without my model right now.",
  COPILOT: 'No model reachable, so here is what I have on record.',
  PEER: "I can't reach a language model at the moment.",
  EXPERT: 'Without a model I can only point you to what I have on record.',
};

/**
 * How to connect a model, for the person and not the reply: the turn's `done` event carries it (docs/errors.md,
 * "Hints") and each front end shows it in its own words, so the companion never speaks the instructions.
 */
export function offlineHint(config: Config): Hint {
  if (config['llm.provider'] === 'offline')
    return {
      text: 'llm.provider is offline; set it to ollama or openai to use a model',
      actions: [act('config.set', { key: 'llm.provider', value: 'ollama' })],
    };
  const provider = config['llm.provider'];
  const server = provider === 'ollama' ? 'Ollama' : 'your OpenAI-compatible server';
  return {
    text: `no model at ${config['llm.url']}: start ${server} or set llm.url`,
    actions: [act('start-model', { provider, url: config['llm.url'], model: config['llm.model'] }), act('doctor')],
  };
}

/**
 * The bars of the embedders whose cosines were measured (docs/memory-recall.md, "The offline reply's bar"): a memory
 * is offered when its cosine reaches `alone`, or when it holds a word of the query and its cosine reaches `withWord`.
 * Chosen on evaluation sets 1 and 3 (set 2 held out) by evidence kept minus unrelated memories kept
 * (scripts/offline-bar.ts).
 */
const BARS: { prefix: string; alone: number; withWord: number }[] = [
  { prefix: 'builtin-use-lite-', alone: 0.475, withWord: 0.325 },
  { prefix: 'builtin-hash-', alone: 0.3, withWord: 0.1 },
];

/**
 * Whether a recalled memory answers at all. Not by its fused similarity: that is relative to the other candidates, so
 * its top is 1 even when nothing fits. By its own evidence: its cosine to the query by the embedder that made its
 * vector (the current one, or the former one during a switch: docs/memory-recall.md) against that embedder's bar,
 * and a word of the query in it (a full-text hit; stopwords never count). Without a cosine (no vector yet, the query
 * not embedded: docs/memory-recall.md, "When the vectors cannot be used") or with an embedder whose cosines were not
 * measured (a provider's model), the words decide.
 */
function fits(m: RecalledMemory): boolean {
  const word = (m.score.lexical ?? 0) > 0;
  // Vectors alone (memory.recall.lexicalWeight 0): the similarity is the cosine.
  const cosine =
    m.score.cosine ?? m.score.oldCosine ?? (m.score.lexical === undefined ? m.score.similarity : undefined);
  const bar = BARS.find((b) => m.memory.embedder.startsWith(b.prefix));
  if (cosine === undefined || !bar) return word;
  return cosine >= bar.alone || (word && cosine >= bar.withWord);
}

/** The companion's own words when no model answers: labelled, and nothing but what it remembers. */
export function offlineReply(memories: RecalledMemory[], posture: Posture): string {
  const lines = [`${OFFLINE_LABEL} ${OPENERS[posture]}`];
  const useful = memories.filter(fits);
  if (useful.length) {
    lines.push('From what I remember:');
    for (const m of useful.slice(0, 3)) {
      lines.push(
        `- ${m.memory.text.length > 200 ? `${m.memory.text.slice(0, 197)}…` : m.memory.text} (${new Date(m.memory.createdAt).toISOString().slice(0, 10)})`,
      );
    }
  } else {
    lines.push("I don't remember anything about this yet, but I've noted what you said.");
  }
  return lines.join('\n');
}

/** Splits a prepared reply into word-sized chunks so offline and cached replies stream like model replies. */
export function chunkReply(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}
