/** Conversations and messages as the engine's API shows them; conversations.ts stores them. */
import type { ChatMessage } from '../llm/types.js';

export type MessageStatus = 'complete' | 'interrupted' | 'truncated' | 'error';

export interface Conversation {
  id: string;
  actor: string;
  title: string;
  createdAt: number;
  updatedAt: number;
}

export interface Message {
  id: string;
  conversationId: string;
  turnId: string;
  role: 'user' | 'assistant';
  text: string;
  createdAt: number;
  status: MessageStatus;
  meta: Record<string, unknown>;
}

export interface ConversationService {
  create(actor: string, title?: string): Conversation;
  get(id: string): Conversation;
  /** The most recently active conversation of an actor, if any. */
  latest(actor: string): Conversation | undefined;
  list(opts?: { actor?: string; limit?: number; before?: number }): Conversation[];
  messages(conversationId: string, opts?: { limit?: number }): Message[];
  /**
   * The last n user/assistant exchanges as prompt history (complete, interrupted and truncated replies; a
   * continuation is joined to the reply it continues, so roles keep alternating).
   */
  recentTurns(conversationId: string, n: number): ChatMessage[];
  /**
   * Stores a message. `durable: false` commits without its own fsync (it survives a crash of any process, and the
   * next durable commit, e.g. the reply's, makes it power-safe): for the user's message at the start of a turn,
   * which is acknowledged together with the reply at the end of the turn.
   */
  append(msg: Omit<Message, 'id' | 'createdAt'>, opts?: { durable?: boolean }): Message;
  count(): number;
}
