/**
 * Conversations and their messages. Messages are append-only and journalled for sync (docs/sync.md: ordered by
 * (hlc, deviceId)); a reply cut short is kept with status `interrupted`, one the model cut at the token limit with
 * status `truncated` (a continuation is a reply of its own with meta.continues), a failed one with status `error`.
 */
import type { Clock } from '../clock.js';
import { notFound } from '../errors.js';
import { createUlidFactory, type UlidFactory } from '../ids.js';
import type { ChatMessage } from '../llm/types.js';
import { immediate, relaxed, type Db } from '../store/db.js';
import type { Journal } from '../sync/journal.js';
import type { MessageStatus, Conversation, Message, ConversationService } from './conversation-types.js';
import { act } from '../hints.js';
export { type MessageStatus, type Conversation, type Message, type ConversationService } from './conversation-types.js';

interface Row {
  id: string;
  conversation_id: string;
  turn_id: string;
  role: 'user' | 'assistant';
  text: string;
  created_at: number;
  status: MessageStatus;
  meta: string;
}

const toMessage = (r: Row): Message => ({
  id: r.id,
  conversationId: r.conversation_id,
  turnId: r.turn_id,
  role: r.role,
  text: r.text,
  createdAt: r.created_at,
  status: r.status,
  meta: JSON.parse(r.meta) as Record<string, unknown>,
});

const toConversation = (r: {
  id: string;
  actor: string;
  title: string;
  created_at: number;
  updated_at: number;
}): Conversation => ({
  id: r.id,
  actor: r.actor,
  title: r.title,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** The last turns as prompt history: failed and empty messages left out, a continuation joined to the reply it continues. */
function historyFrom(rows: Row[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const r of rows) {
    if (r.status === 'error' || r.text.trim() === '') continue;
    const prev = out.at(-1);
    const continues =
      r.role === 'assistant' && prev?.role === 'assistant' && 'continues' in (JSON.parse(r.meta) as object);
    if (prev && continues) prev.content += r.text;
    else out.push({ role: r.role, content: r.text });
  }
  return out;
}

/** Appends a message: journalled for sync, and the conversation touched (its title from the first user message). */
function messageWriter(db: Db, journal: Journal, clock: Clock, ulid: UlidFactory): ConversationService['append'] {
  const insertMsg = db.prepare(
    'INSERT INTO messages (id, conversation_id, turn_id, role, text, created_at, status, meta, hlc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const touch = db.prepare(
    "UPDATE conversations SET updated_at = ?, title = CASE WHEN title = '' THEN ? ELSE title END WHERE id = ?",
  );
  return (msg, opts = {}) => {
    const write = (): Message => {
      const now = clock.now();
      const id = ulid(now);
      const hlc = journal.recordChange('message', id, '*', { ...msg, createdAt: now });
      insertMsg.run(
        id,
        msg.conversationId,
        msg.turnId,
        msg.role,
        msg.text,
        now,
        msg.status,
        JSON.stringify(msg.meta),
        hlc,
      );
      touch.run(now, msg.role === 'user' ? msg.text.slice(0, 60) : '', msg.conversationId);
      return { ...msg, id, createdAt: now };
    };
    return opts.durable === false ? relaxed(db, write) : immediate(db, write);
  };
}

export function createConversationService(
  db: Db,
  journal: Journal,
  clock: Clock,
  ulid: UlidFactory = createUlidFactory(),
): ConversationService {
  const getConv = db.prepare('SELECT * FROM conversations WHERE id = ?');
  const recent = db.prepare(
    'SELECT * FROM messages WHERE conversation_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?',
  );

  const svc: ConversationService = {
    create(actor, title = '') {
      const now = clock.now();
      const id = ulid(now);
      immediate(db, () => {
        db.prepare('INSERT INTO conversations (id, actor, title, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run(
          id,
          actor,
          title,
          now,
          now,
        );
        // Conversations travel with the message collection: the receiving device creates one before its messages.
        journal.recordChange('message', id, 'conversation', { actor, title, createdAt: now });
      });
      return { id, actor, title, createdAt: now, updatedAt: now };
    },
    get(id) {
      const row = getConv.get(id) as Parameters<typeof toConversation>[0] | undefined;
      if (!row)
        throw notFound('conversation', id, { text: 'list the conversations', actions: [act('conversation.list')] });
      return toConversation(row);
    },
    latest(actor) {
      const row = db
        .prepare('SELECT * FROM conversations WHERE actor = ? ORDER BY updated_at DESC, id DESC LIMIT 1')
        .get(actor);
      return row ? toConversation(row as Parameters<typeof toConversation>[0]) : undefined;
    },
    list(opts = {}) {
      const rows = db
        .prepare(
          `SELECT * FROM conversations WHERE (@actor IS NULL OR actor = @actor) AND (@before IS NULL OR updated_at < @before)
           ORDER BY updated_at DESC LIMIT @limit`,
        )
        // Named parameters: better-sqlite3 counts each numbered ?N occurrence as a separate value.
        .all({ actor: opts.actor ?? null, before: opts.before ?? null, limit: opts.limit ?? 50 }) as Parameters<
        typeof toConversation
      >[0][];
      return rows.map(toConversation);
    },
    messages(conversationId, opts = {}) {
      svc.get(conversationId);
      return (recent.all(conversationId, opts.limit ?? 1000) as Row[]).reverse().map(toMessage);
    },
    recentTurns(conversationId, n) {
      if (n <= 0) return [];
      return historyFrom((recent.all(conversationId, n * 2) as Row[]).reverse());
    },
    append: messageWriter(db, journal, clock, ulid),
    count: () => db.prepare('SELECT count(*) FROM messages').pluck().get() as number,
  };
  return svc;
}
