/**
 * Prompt assembly (docs/domain.md, "The chat turn", step 4): system = identity summary + posture block + tone guidance +
 * limbic numbers; then the recalled memories, numbered with relevance and date; then recent turns; then the message.
 */
import type { ChatMessage } from '../llm/types.js';
import { POSTURE_BLOCKS, toneGuidance } from '../limbic/posture.js';
import type { LimbicState } from '../limbic/types.js';
import type { RecalledMemory } from '../memory/types.js';

export interface PromptParts {
  identity: string;
  state: LimbicState;
  memories: RecalledMemory[];
  history: ChatMessage[];
  message: string;
}

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

export function formatMemories(memories: RecalledMemory[]): string {
  if (!memories.length) return 'You recall nothing relevant to this message.';
  return [
    'What you remember that may be relevant (use it only if it helps):',
    ...memories.map(
      (m, i) => `${i + 1}. [relevance ${m.score.score.toFixed(2)}, ${day(m.memory.createdAt)}] ${m.memory.text}`,
    ),
  ].join('\n');
}

export function buildPrompt(p: PromptParts): ChatMessage[] {
  const s = p.state;
  const tone = toneGuidance(s);
  const system = [
    p.identity,
    '',
    POSTURE_BLOCKS[s.posture],
    ...(tone.length ? [`Tone: ${tone.join(' ')}`] : []),
    `Your state: trust ${s.trust.toFixed(2)}, warmth ${s.warmth.toFixed(2)}, arousal ${s.arousal.toFixed(2)}, valence ${s.valence.toFixed(2)}.`,
    '',
    formatMemories(p.memories),
  ].join('\n');
  return [{ role: 'system', content: system }, ...p.history, { role: 'user', content: p.message }];
}
