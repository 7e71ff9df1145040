import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProgenyError } from '../../core/errors.js';
import { parseEvalFile, readEvalFile } from './eval-file.js';

const valid = () => ({
  conversations: [
    {
      id: 'c1',
      sessions: [
        {
          date: '2026-01-05',
          turns: [
            { id: 't1', speaker: 'Maya', text: 'I moved to Lisbon.' },
            { id: 't2', speaker: 'Wren', text: 'How is it?' },
          ],
        },
        { date: '2026-01-12T18:30:00Z', turns: [{ id: 't3', speaker: 'Maya', text: 'Sunny!' }] },
      ],
      questions: [
        { question: 'Where do I live?', evidence: ['t1'], category: 'single-hop' },
        { question: 'How is the weather?', evidence: ['t3', 't3'], category: 2 },
        { question: 'Anything?', evidence: ['t2'] },
      ],
    },
  ],
});

/** The message of the usage error a text raises. */
function refusal(text: string): string {
  try {
    parseEvalFile(text, 'eval.json');
  } catch (err) {
    expect(err).toBeInstanceOf(ProgenyError);
    expect((err as ProgenyError).exitCode).toBe(2);
    return (err as Error).message;
  }
  throw new Error('the file was accepted');
}

describe('the recall evaluation file', () => {
  it('reads conversations, dated sessions, turns and questions', () => {
    const f = parseEvalFile(JSON.stringify(valid()));
    const c = f.conversations[0]!;
    expect(c.sessions.map((s) => s.at)).toEqual([Date.UTC(2026, 0, 5, 12), Date.UTC(2026, 0, 12, 18, 30)]);
    expect(c.sessions[0]!.turns[1]).toEqual({ id: 't2', speaker: 'Wren', text: 'How is it?' });
    expect(c.questions.map((q) => q.category)).toEqual(['single-hop', '2', 'uncategorised']);
    expect(c.questions[1]!.evidence).toEqual(['t3']);
  });

  it('names the line and the field of the first problem', () => {
    const pretty = (o: unknown) => JSON.stringify(o, null, 1);
    const noEvidence = valid();
    noEvidence.conversations[0]!.questions[1]!.evidence = [];
    expect(refusal(pretty(noEvidence))).toMatch(
      /^eval\.json:\d+: conversations\[0\]\.questions\[1\]\.evidence must be a non-empty array/,
    );
    const unknownTurn = valid();
    unknownTurn.conversations[0]!.questions[0]!.evidence = ['t9'];
    const text = pretty(unknownTurn);
    const line = text.split('\n').findIndex((l) => l.includes('"t9"')) + 1;
    expect(refusal(text)).toBe(
      `eval.json:${line}: conversations[0].questions[0].evidence[0] must be the id of a turn of this conversation (got "t9")`,
    );
    const duplicate = valid();
    duplicate.conversations[0]!.sessions[1]!.turns[0]!.id = 't1';
    expect(refusal(pretty(duplicate))).toMatch(/sessions\[1\]\.turns\[0\]\.id repeats the turn id "t1"/);
    const badDate = valid();
    badDate.conversations[0]!.sessions[0]!.date = 'last Tuesday';
    expect(refusal(pretty(badDate))).toMatch(/sessions\[0\]\.date must be an ISO date/);
    const emptyText = valid();
    emptyText.conversations[0]!.sessions[0]!.turns[0]!.text = '  ';
    expect(refusal(pretty(emptyText))).toMatch(/turns\[0\]\.text must be a non-empty string/);
    expect(refusal('[]')).toMatch(/eval\.json:1: the document must be a JSON object with "conversations"/);
    expect(refusal('{"conversations": {}}')).toMatch(/conversations must be a non-empty array/);
    expect(refusal('{\n"conversations": [\n{"sessions": [}]}')).toMatch(/^eval\.json:3:15: not valid JSON/);
  });

  it('refuses a missing file or a directory with a usage error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'progeny-eval-'));
    try {
      expect(() => readEvalFile(join(dir, 'nope.json'))).toThrow(/no such file/);
      expect(() => readEvalFile(dir)).toThrow(/is a directory/);
      writeFileSync(join(dir, 'ok.json'), JSON.stringify(valid()));
      expect(readEvalFile(join(dir, 'ok.json')).conversations).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads the project evaluation sets', () => {
    for (const name of ['eval-conversation.json', 'eval-conversation-2.json', 'eval-conversation-3.json']) {
      const f = readEvalFile(new URL(`../../../fixtures/memory/${name}`, import.meta.url).pathname);
      expect(f.conversations[0]!.questions.length).toBeGreaterThanOrEqual(20);
    }
  });
});
