/** Stored messages as the screen's entries (a continued conversation, or one picked with /conversations). */
import type { Message } from '../core/engine/conversations.js';
import type { ChatEngine } from './engine-port.js';
import type { NewEntry } from './state.js';

export const entriesOf = (messages: readonly Message[]): NewEntry[] =>
  messages.map((m): NewEntry =>
    m.role === 'user'
      ? { kind: 'user', text: m.text }
      : {
          kind: 'assistant',
          text: m.text,
          interrupted: m.status === 'interrupted' || m.status === 'error',
          ...(m.status === 'truncated' ? { truncated: true } : {}),
          offline: m.meta.offline === true,
          raw: false,
        },
  );

export function loadEntries(engine: ChatEngine, conversationId: string | undefined): NewEntry[] {
  if (!conversationId) return [];
  return entriesOf(engine.conversations.messages(conversationId, { limit: 100_000 }));
}
