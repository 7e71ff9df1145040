/**
 * runTurn, the centre of core, against real services on a throw-away home and a scripted in-process model: what it
 * yields, what it stores, what it reports to the engine, on the paths docs/domain.md ("The chat turn") describes.
 */
import { createUlidFactory } from '../ids.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProgenyError } from '../errors.js';
import { act } from '../hints.js';
import { NoticeBus, type EngineEvent, type Mode } from '../events.js';
import { createHeritageService } from '../heritage/service.js';
import { loadTemplate } from '../heritage/templates.js';
import { createLimbicService } from '../limbic/service.js';
import type { ChatRequest, LlmChunk, LlmProvider } from '../llm/types.js';
import type { MemoryApi } from '../memory/api.js';
import { createJournal } from '../sync/journal.js';
import { memoryFixture, type MemoryFixture } from '../../testing/memory-fixture.js';
import { commitsIn } from '../../testing/sql-trace.js';
import { createConversationService } from './conversations.js';
import { MAX_MESSAGE_CHARS, runTurn, type TurnInput } from './turn.js';
import type { TurnDeps } from './turn-deps.js';

/** A model that streams `tokens`, then fails with `fail` if given; `gate` holds the stream after the first token. */
function scriptedModel(script: { tokens: string[]; fail?: ProgenyError; gate?: Promise<void> }) {
  const requests: ChatRequest[] = [];
  const llm: LlmProvider = {
    id: 'replay',
    model: 'scripted',
    async *chat(req): AsyncIterable<LlmChunk> {
      requests.push(req);
      for (const [i, text] of script.tokens.entries()) {
        if (i === 1 && script.gate) await script.gate;
        if (req.signal?.aborted) throw new ProgenyError('INTERRUPTED', 'aborted');
        yield { type: 'token', text };
      }
      if (script.fail) throw script.fail;
      yield { type: 'done', usage: { promptTokens: 7, completionTokens: script.tokens.length } };
    },
    embed: () => Promise.reject(new Error('not used')),
    probe: () => Promise.reject(new Error('not used')),
    close: async () => undefined,
  };
  return { llm, requests };
}

let fx: MemoryFixture;
let reports: string[];

function depsFor(llm: LlmProvider | null, opts: { mode?: Mode; memory?: MemoryApi } = {}): TurnDeps {
  const journal = createJournal(fx.db, fx.clock, 'DEVICETEST');
  const limbic = createLimbicService(fx.db, journal, fx.clock, {
    maxDelta: 0.05,
    elasticMaxDelta: 0.15,
    reunionHours: 48,
  });
  const heritage = createHeritageService(fx.db, journal, fx.clock, () => limbic.read().trust);
  if (!heritage.exists()) heritage.update(loadTemplate('companion'), 'test');
  return {
    clock: fx.clock,
    ids: createUlidFactory(),
    config: fx.config,
    limbic,
    heritage,
    memory: opts.memory ?? fx.memory,
    conversations: createConversationService(fx.db, journal, fx.clock),
    llm,
    cache: null,
    notices: new NoticeBus(),
    refreshMode: async () => opts.mode ?? (llm ? 'FULL' : 'OFFLINE'),
    offlineHint: () => ({ text: 'start a model', actions: [act('doctor')] }),
    reportLlmFailure: (err) => reports.push(`llm failure ${(err as ProgenyError).code}`),
    reportLlmSuccess: () => reports.push('llm ok'),
    reportMemoryFailure: (err) => reports.push(`memory failure ${(err as Error).message}`),
    observeTurn: (_stats, status, flags) =>
      reports.push(`turn ${status} cached=${flags.cached} offline=${flags.offline}`),
  };
}

async function collect(deps: TurnDeps, input: TurnInput | string, signal?: AbortSignal): Promise<EngineEvent[]> {
  const events: EngineEvent[] = [];
  for await (const e of runTurn(deps, typeof input === 'string' ? { message: input } : input, signal)) events.push(e);
  return events;
}

const last = <T extends EngineEvent['type']>(events: EngineEvent[], type: T) =>
  events.filter((e): e is Extract<EngineEvent, { type: T }> => e.type === type).at(-1);

beforeEach(async () => {
  fx = await memoryFixture();
  reports = [];
});
afterEach(() => fx.cleanup());

describe('runTurn', () => {
  it('streams the model reply in order, stores both messages and queues the exchange as a memory', async () => {
    await fx.memory.add([{ text: 'my sister Ana lives in Lisbon', kind: 'fact' }]);
    const { llm, requests } = scriptedModel({ tokens: ['Ana ', 'is ', 'in Lisbon.'] });
    const deps = depsFor(llm);
    const events = await collect(deps, 'where does Ana live?');

    expect(events.map((e) => e.type)).toEqual(['start', 'recall', 'token', 'token', 'token', 'limbic', 'done']);
    expect(last(events, 'recall')?.memories[0]?.memory.text).toBe('my sister Ana lives in Lisbon');
    // The recalled memory reaches the prompt, and the user's message ends it.
    expect(JSON.stringify(requests[0]?.messages)).toContain('my sister Ana lives in Lisbon');
    expect(requests[0]?.messages.at(-1)).toMatchObject({ role: 'user', content: 'where does Ana live?' });
    const done = last(events, 'done')!;
    expect(done).toMatchObject({ reply: 'Ana is in Lisbon.', mode: 'FULL', offline: false, interrupted: false });
    expect(done.hint).toBeUndefined();
    expect(done.stats).toMatchObject({ tokens: 3, promptTokens: 7, completionTokens: 3 });

    const start = events[0] as Extract<EngineEvent, { type: 'start' }>;
    const stored = deps.conversations.messages(start.conversationId);
    expect(stored.map((m) => [m.role, m.text, m.status])).toEqual([
      ['user', 'where does Ana live?', 'complete'],
      ['assistant', 'Ana is in Lisbon.', 'complete'],
    ]);
    await fx.memory.flush();
    expect(fx.memory.list({ kind: 'interaction' }).items.map((m) => m.text)).toEqual([
      'where does Ana live?\n— Ana is in Lisbon.',
    ]);
    expect(reports).toEqual(['llm ok', 'turn complete cached=false offline=false']);
  });

  it('answers OFFLINE from memory when the model is unavailable before its first token, and remembers only the message', async () => {
    const { llm } = scriptedModel({ tokens: [], fail: new ProgenyError('LLM_UNREACHABLE', 'connection refused') });
    const deps = depsFor(llm);
    const events = await collect(deps, 'hello there');
    const done = last(events, 'done')!;
    expect(done).toMatchObject({ offline: true, mode: 'OFFLINE' });
    expect(done.reply.length).toBeGreaterThan(0);
    // How to connect a model travels beside the reply, for the front end to word; the companion never says it.
    expect(done.hint).toEqual({ text: 'start a model', actions: [{ action: 'doctor' }] });
    expect(done.reply).not.toContain('start a model');
    const stored = deps.conversations.messages(last(events, 'start')!.conversationId);
    expect(stored.at(-1)).toMatchObject({ role: 'assistant', text: done.reply });
    await fx.memory.flush();
    expect(fx.memory.list({ kind: 'interaction' }).items.map((m) => m.text)).toEqual(['hello there']);
    expect(reports).toEqual(['llm failure LLM_UNREACHABLE', 'turn complete cached=false offline=true']);
  });

  it('a model that fails mid-reply is an error event that keeps the partial reply, stored as an error', async () => {
    const { llm } = scriptedModel({ tokens: ['Half '], fail: new ProgenyError('LLM_TIMEOUT', 'no token for 30 s') });
    const deps = depsFor(llm);
    const events = await collect(deps, 'tell me a story');
    expect(events.map((e) => e.type)).toEqual(['start', 'recall', 'token', 'limbic', 'error']);
    expect(last(events, 'error')).toMatchObject({ partial: 'Half ', error: { code: 'LLM_TIMEOUT' } });
    const start = events[0] as Extract<EngineEvent, { type: 'start' }>;
    expect(deps.conversations.messages(start.conversationId).at(-1)).toMatchObject({ text: 'Half ', status: 'error' });
    expect(reports).toContain('turn error cached=false offline=false');
  });

  it('an abort mid-stream ends the turn as interrupted with the tokens so far', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { llm } = scriptedModel({ tokens: ['One ', 'two ', 'three'], gate });
    const ac = new AbortController();
    const events: EngineEvent[] = [];
    for await (const e of runTurn(depsFor(llm), { message: 'count' }, ac.signal)) {
      events.push(e);
      if (e.type === 'token') {
        ac.abort();
        release();
      }
    }
    expect(last(events, 'done')).toMatchObject({ reply: 'One ', interrupted: true });
    expect(reports).toContain('turn interrupted cached=false offline=false');
  });

  it('pays one fsync: both messages commit relaxed and the memory written at the end of the turn makes them durable', async () => {
    fx.cleanup();
    const sql: string[] = [];
    fx = await memoryFixture({}, undefined, sql);
    const { llm } = scriptedModel({ tokens: ['Hello ', 'there.'] });
    const deps = depsFor(llm);
    const conversationId = deps.conversations.create('creator').id;
    sql.length = 0; // the heritage and the conversation, written before, are not the turn's
    const events = await collect(deps, { message: 'I adopted a kitten', conversationId });
    expect(last(events, 'done')).toMatchObject({ reply: 'Hello there.' });
    await fx.memory.flush();
    // docs/performance.md, "Commits and fsync": a FULL commit fsyncs the WAL, and with it every relaxed one before it.
    const writes = commitsIn(sql).filter((c) => c.statements.some((x) => /^(INSERT|UPDATE|DELETE|REPLACE)\b/i.test(x)));
    const messages = writes.filter((c) => c.statements.some((x) => /^INSERT INTO messages\b/.test(x)));
    expect(messages.map((c) => c.synchronous)).toEqual(['NORMAL', 'NORMAL']);
    const durable = writes.filter((c) => c.synchronous === 'FULL');
    expect(durable).toHaveLength(1);
    expect(durable[0]?.statements.some((x) => /^INSERT INTO memories\b/.test(x))).toBe(true);
    expect(writes.indexOf(durable[0]!)).toBeGreaterThan(writes.indexOf(messages[1]!));
  });

  it('a failing memory store degrades the turn to AMNESIA; with no model either, the turn is DEAD', async () => {
    const broken: MemoryApi = {
      ...fx.memory,
      recall: () => Promise.reject(new Error('store down')),
      search: () => Promise.reject(new Error('store down')),
    };
    const { llm } = scriptedModel({ tokens: ['Hi'] });
    expect(last(await collect(depsFor(llm, { memory: broken }), 'hi'), 'done')).toMatchObject({
      mode: 'AMNESIA',
      reply: 'Hi',
    });
    expect(reports).toContain('memory failure store down');

    const dead = await collect(depsFor(null, { memory: broken }), 'hi');
    expect(last(dead, 'error')).toMatchObject({
      error: { code: 'DEAD', hint: 'start a model', actions: [{ action: 'doctor' }] },
    });
  });

  it('uses the history the client sends instead of the stored conversation, keeping the last chat.historyTurns', async () => {
    const { llm, requests } = scriptedModel({ tokens: ['ok'] });
    const history = Array.from({ length: 20 }, (_, i) => ({
      role: i % 2 ? ('assistant' as const) : ('user' as const),
      content: `turn ${i}`,
    }));
    await collect(depsFor(llm), { message: 'and now?', history });
    const sent = requests[0]!.messages.map((m) => m.content);
    const kept = 2 * fx.config['chat.historyTurns'];
    expect(sent).toContain(`turn ${20 - kept}`);
    expect(sent).not.toContain(`turn ${19 - kept}`);
  });

  it('refuses an empty or oversized message before touching anything', async () => {
    const deps = depsFor(scriptedModel({ tokens: ['x'] }).llm);
    await expect(collect(deps, '   ')).rejects.toMatchObject({ code: 'USAGE' });
    await expect(collect(deps, 'x'.repeat(MAX_MESSAGE_CHARS + 1))).rejects.toMatchObject({ code: 'USAGE' });
    expect(reports).toEqual([]);
  });
});
