/**
 * Slash commands about the session rather than the companion: /model, /conversations, /usage, /copy [code [N]],
 * /retry, /edit and /edit-last.
 */
import { codeBlocks } from './code-blocks.js';
import { contextUse, kilo } from './components/StatusBar.js';
import { entriesOf } from './conversation-entries.js';
import type { SlashContext } from './slash-actions.js';

const when = (now: Date, t: number): string => {
  const d = new Date(t);
  return d.toDateString() === now.toDateString() ? d.toTimeString().slice(0, 5) : d.toISOString().slice(0, 10);
};

export async function model(c: SlashContext, args: string): Promise<void> {
  if (args) {
    c.engine.useModel(args);
    c.setModel(args);
    return c.say(`model ${args} from the next message on (saved as llm.model)`);
  }
  const list = await c.engine.models();
  if (!list.available.length)
    return c.say(
      `model: ${list.current ?? 'none'}; the server lists no models${list.detail ? ` (${list.detail})` : ''}`,
      'info',
      '/model NAME switches to a model by name',
    );
  const initial = Math.max(0, list.available.indexOf(list.current ?? ''));
  c.pick({
    title: `Models on the server (now: ${list.current ?? 'none'})`,
    items: list.available.map((m) => ({ label: m, ...(m === list.current ? { detail: '(in use)' } : {}) })),
    initial,
    onPick: (i) => {
      const name = list.available[i];
      if (name && name !== list.current) void model(c, name).catch((e: unknown) => c.say(String(e), 'error'));
    },
  });
}

export function conversations(c: SlashContext): void {
  const list = c.engine.conversations.list({ limit: 30 });
  const now = c.now();
  const current = c.conversationId();
  c.pick({
    title: 'Conversations (most recent first)',
    items: list.map((v) => ({
      label: `${when(now, v.updatedAt)}  ${v.title || 'untitled'}`,
      ...(v.id === current ? { detail: '(this one)' } : {}),
    })),
    onPick: (i) => {
      const v = list[i];
      if (!v || v.id === current) return;
      c.resumeConversation(v.id, entriesOf(c.engine.conversations.messages(v.id, { limit: 100_000 })));
      c.say(`resumed "${v.title || 'untitled'}"`);
    },
    extra: { key: 'n', label: 'new conversation', run: () => c.newConversation() },
  });
}

export function usage(c: SlashContext): void {
  const s = c.usage();
  if (s.promptTokens === null && s.completionTokens === null)
    return c.say('no token counts yet: the model server gives them with each reply (offline replies have none)');
  const lines = [
    `last reply: ${s.promptTokens ?? '?'} prompt tokens + ${s.completionTokens ?? '?'} reply tokens`,
    `this session: ${kilo(s.sessionTokens)} tokens over its replies`,
    s.contextTokens
      ? `context: ${contextUse(s) ?? ''} of ${s.contextTokens} (the next prompt grows with the conversation)`
      : 'context window unknown: set llm.contextTokens to see how full it is',
  ];
  c.say(lines.join('\n'));
}

/** /copy, /copy code, /copy code N: the last reply, or one of its code blocks (numbered as shown). */
export function copy(c: SlashContext, args: string): void {
  const reply = c.lastReply();
  const m = /^code(?:\s+(\d+))?$/.exec(args.trim());
  if (args.trim() && !m) return c.say('usage: /copy or /copy code [N]', 'error');
  let text = reply;
  if (m) {
    const blocks = codeBlocks(reply);
    if (!blocks.length) return c.say('the last reply has no code block', 'error');
    const n = m[1] ? Number(m[1]) : blocks.length;
    const block = blocks[n - 1];
    if (!block)
      return c.say(`the last reply has ${blocks.length} code block(s): /copy code 1…${blocks.length}`, 'error');
    text = block.text;
  }
  const r = c.copy(text);
  c.say(r.message, r.ok ? 'info' : 'error', r.hint);
}

export function retry(c: SlashContext): void {
  if (!c.retry()) return c.say('nothing to regenerate yet (or a reply is still streaming)', 'error');
}

export function continueReply(c: SlashContext): void {
  if (!c.continueReply()) return c.say('nothing to continue yet (or a reply is still streaming)', 'error');
}

/** The last reply's reasoning, in full (the reply shows it collapsed). */
export function thinking(c: SlashContext): void {
  const text = c.lastThinking().trim();
  c.say(text ? `thinking: ${text}` : 'the last reply came without thinking');
}

export function editLast(c: SlashContext): void {
  if (!c.editLast()) return c.say('no message of yours to edit yet', 'error');
}
