/**
 * Continuing a reply the model cut at the token limit (docs/domain.md, "The chat turn"): the continuation turn sends
 * the conversation, whose last reply is the cut one, and asks the model to go on from where it stopped. Asking in a
 * user message works with every chat server (prefilling the assistant's turn does not).
 */
import { usageError } from '../errors.js';
import type { Conversation, Message } from './conversations.js';
import type { TurnDeps } from './turn-deps.js';

export const CONTINUE_INSTRUCTION =
  'Your previous reply was cut off by the length limit. Continue it exactly where it stopped, without repeating ' +
  'anything and without any preamble.';

/** The conversation and its last message, which must be a truncated reply. */
export function truncatedReplyOf(
  deps: Pick<TurnDeps, 'conversations'>,
  conversationId: string | undefined,
): { conversation: Conversation; last: Message } {
  if (!conversationId) throw usageError('continuing a reply needs the conversation it is in');
  const conversation = deps.conversations.get(conversationId);
  const last = deps.conversations.messages(conversationId, { limit: 1 })[0];
  if (!last || last.role !== 'assistant' || last.status !== 'truncated') {
    throw usageError(
      'nothing to continue: the last reply of this conversation was not cut off',
      'only a reply that stopped at llm.maxTokens (marked truncated) can be continued',
    );
  }
  return { conversation, last };
}
