/** What each slash command does. Results are said as notices in the conversation; failures carry a hint. */
import { toProgenyError } from '../core/errors.js';
import type { CopyResult } from './clipboard.js';
import type { ChatEngine } from './engine-port.js';
import { conversationMarkdown, exportPath, writeExport } from './export.js';
import { gaugeLines } from './gauge.js';
import stringWidth from 'string-width';
import { helpText, SLASH_COMMANDS, type SlashCall } from './slash.js';
import type { PickerSpec } from './components/Picker.js';
import * as session from './slash-session.js';
import type { Entry, NewEntry, StatusInfo } from './state.js';
import type { SyncPort } from './sync-port.js';
import { oneLine } from './wrap.js';
import { cliHint } from '../commands/hints.js';

export interface SlashContext {
  engine: ChatEngine;
  sync: SyncPort | null;
  say(text: string, tone?: 'info' | 'error', hint?: string): void;
  entries(): readonly Entry[];
  lastReply(): string;
  conversationId(): string | undefined;
  newConversation(): void;
  exit(): void;
  toggleRaw(): boolean;
  copy(text: string): CopyResult;
  now(): Date;
  /** The terminal's width now (cells), for output laid out in columns. */
  width(): number;
  /** Asks before `action`: the next input answers (y runs it). */
  confirm(question: string, action: () => Promise<void> | void): void;
  /** Continues another stored conversation on screen. */
  resumeConversation(id: string, entries: NewEntry[]): void;
  /** Continues the last reply, cut at the token limit; false when a reply streams or there is no conversation. */
  continueReply(): boolean;
  /** The last reply's reasoning (a thinking model), '' when it did not think. */
  lastThinking(): string;
  /** Regenerates the last reply; false when there is none (or a reply streams). */
  retry(): boolean;
  /** Puts the last message in the input box, to be sent in its place; false when there is none. */
  editLast(): boolean;
  /** Opens $EDITOR for a new message. */
  editInput(): void;
  setModel(model: string): void;
  pick(spec: PickerSpec): void;
  usage(): StatusInfo;
}

const SYNC_HINT = '`progeny sync init --relay URL` starts a vault; `progeny sync join` adds this device to one';
const short = (id: string): string => id.slice(0, 8);
const ago = (now: Date, t: number): string => {
  const s = Math.max(0, Math.round((now.getTime() - t) / 1000));
  return s < 90
    ? `${s}s`
    : s < 5400
      ? `${Math.round(s / 60)}m`
      : s < 129_600
        ? `${Math.round(s / 3600)}h`
        : `${Math.round(s / 86_400)}d`;
};

/** One line per memory, cut to the width: a long pasted memory must not flood the screen (issue 13, item 5). */
const memoryLine = (c: SlashContext, head: string, text: string): string =>
  head + oneLine(text, c.width() - stringWidth(head));

async function memory(c: SlashContext, args: string): Promise<void> {
  const [sub = 'recent', ...rest] = args.split(/\s+/).filter(Boolean);
  const text = rest.join(' ');
  if (sub === 'search') {
    if (!text) return c.say('usage: /memory search TEXT', 'error');
    const found = await c.engine.memory.recall({ text, k: 8, peek: true });
    if (!found.length) return c.say(`no memory matches "${text}"`);
    const best = [...found].sort((a, b) => b.score.score - a.score.score);
    return c.say(
      best.map((r) => memoryLine(c, `${short(r.memory.id)}  ${r.score.score.toFixed(2)}  `, r.memory.text)).join('\n'),
    );
  }
  if (sub === 'forget') return forget(c, text);
  if (sub === 'recent') {
    const n = Math.min(50, Math.max(1, Number(text) || 10));
    const page = c.engine.memory.list({ limit: n });
    if (!page.items.length) return c.say('no memories yet; /remember TEXT adds one');
    return c.say(
      page.items
        .map((m) =>
          memoryLine(c, `${short(m.id)}  ${ago(c.now(), m.createdAt).padStart(4)}  ${m.pinned ? '📌 ' : ''}`, m.text),
        )
        .join('\n'),
    );
  }
  c.say(`unknown /memory subcommand "${sub}"`, 'error', 'use /memory recent, /memory search TEXT or /memory forget ID');
}

/** Forgetting cannot be undone: like the CLI, the screen asks first (the next input answers). */
async function forget(c: SlashContext, id: string): Promise<void> {
  if (!id) return c.say('usage: /memory forget ID', 'error', 'ids are shown by /memory recent and /memory search');
  const m = c.engine.memory.get(id);
  c.say(`forget ${short(m.id)} "${oneLine(m.text, Math.max(20, c.width() - 40))}"? Its text and vector are purged.`);
  c.confirm('type y and Enter to forget it; anything else keeps it', async () => {
    const gone = await c.engine.memory.forget(m.id);
    c.say(`forgotten ${short(gone.id)} (its text and vector are purged)`);
  });
}

/** Decay applied over no time moves nothing: such entries would crowd out the real changes (issue 13, item 11). */
const moved = (w: { delta: number | null }): boolean => w.delta === null || Math.abs(w.delta) >= 0.0005;

function state(c: SlashContext): void {
  const s = c.engine.state.read();
  const why = c.engine.state
    .why(undefined, 100)
    .filter(moved)
    .slice(0, 6)
    .map(
      (w) =>
        `  ${String(w.variable).padEnd(8)} ${w.delta !== null ? (w.delta >= 0 ? '+' : '') + w.delta.toFixed(3) : String(w.after)}  ${w.cause}`,
    );
  c.say(
    [
      ...gaugeLines(s, 20),
      `posture ${s.posture}   tier ${s.tier}   turns ${s.interactionCount}`,
      ...(why.length ? ['why (latest changes):', ...why] : ['no change yet beyond the resting drift']),
    ].join('\n'),
  );
}

function heritage(c: SlashContext): void {
  const v = c.engine.heritage.current();
  const d = v.doc;
  const lines = [
    `${d.name}, created by ${d.creator} (heritage v${v.version})`,
    `prime directive: ${d.prime_directive}`,
  ];
  if (d.core_traits.length) lines.push(`traits: ${d.core_traits.join(', ')}`);
  if (d.values.length) lines.push(`values: ${d.values.join(', ')}`);
  if (d.interests.length) lines.push(`interests: ${d.interests.join(', ')}`);
  if (d.style) lines.push(`style: ${d.style}`);
  c.say(lines.join('\n'));
}

function posture(c: SlashContext): void {
  const s = c.engine.state.read();
  const last = c.engine.state.why('posture', 1)[0];
  c.say(`posture ${s.posture}${last ? ` — ${last.cause}` : ' (the default: no posture change yet)'}`);
}

async function sync(c: SlashContext, args: string): Promise<void> {
  if (!c.sync) return c.say('sync is not set up yet', 'error', SYNC_HINT);
  const sub = args || 'status';
  if (sub === 'status') {
    const st = await c.sync.status();
    if (!st.configured) return c.say('sync is not set up yet', 'error', SYNC_HINT);
    return c.say(
      `sync: relay ${st.relay ?? '?'}, ${st.pending ?? 0} change(s) to push, last sync ${st.lastSyncAt ? ago(c.now(), st.lastSyncAt) + ' ago' : 'never'}${st.detail ? ` (${st.detail})` : ''}`,
    );
  }
  if (sub === 'push' || sub === 'pull') {
    const r = await (sub === 'push' ? c.sync.push() : c.sync.pull());
    return c.say(
      `sync ${sub}: ${sub === 'push' ? `${r.pushed ?? 0} change(s) pushed` : `${r.pulled ?? 0} change(s) pulled`}${r.detail ? ` (${r.detail})` : ''}`,
    );
  }
  c.say(`unknown /sync subcommand "${sub}"`, 'error', 'use /sync, /sync push or /sync pull');
}

function exportConversation(c: SlashContext, args: string): void {
  const at = c.now();
  const path = exportPath(args, c.engine.paths.exports, c.conversationId(), at);
  const name = c.engine.heritage.exists() ? c.engine.heritage.current().doc.name : 'Companion';
  writeExport(path, conversationMarkdown(c.entries(), { name, at }));
  c.say(`exported to ${path}`);
}

export async function runSlash(call: SlashCall, c: SlashContext): Promise<void> {
  try {
    switch (call.name) {
      case 'help':
        return c.say(helpText(c.width()));
      case 'memory':
        return await memory(c, call.args);
      case 'remember': {
        if (!call.args) return c.say('usage: /remember TEXT', 'error');
        const [m] = await c.engine.memory.add([{ text: call.args, kind: 'fact', source: { via: 'tui' } }]);
        return c.say(`remembered ${m ? short(m.id) : ''}: ${call.args}`);
      }
      case 'state':
        return state(c);
      case 'heritage':
        return heritage(c);
      case 'posture':
        return posture(c);
      case 'sync':
        return await sync(c, call.args);
      case 'clear':
        return c.newConversation();
      case 'copy':
        return session.copy(c, call.args);
      case 'model':
        return await session.model(c, call.args);
      case 'conversations':
        return session.conversations(c);
      case 'usage':
        return session.usage(c);
      case 'retry':
        return session.retry(c);
      case 'continue':
        return session.continueReply(c);
      case 'thinking':
        return session.thinking(c);
      case 'edit':
        return c.editInput();
      case 'edit-last':
        return session.editLast(c);
      case 'export':
        return exportConversation(c, call.args);
      case 'raw':
        return c.say(c.toggleRaw() ? 'raw Markdown on for new replies' : 'formatted Markdown on for new replies');
      case 'quit':
        return c.exit();
      default: {
        const near = SLASH_COMMANDS.filter((s) => s.name.startsWith(call.name.slice(0, 2))).map((s) => `/${s.name}`);
        return c.say(
          `unknown command /${call.name}`,
          'error',
          near.length ? `did you mean ${near.join(', ')}? /help lists all` : '/help lists the commands',
        );
      }
    }
  } catch (err) {
    const e = toProgenyError(err);
    c.say(e.message, 'error', cliHint(e));
  }
}
