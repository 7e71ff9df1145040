/**
 * The recall evaluation file read by `progeny bench recall` (documented in docs/memory-recall.md): conversations of
 * dated sessions of turns `{id, speaker, text}`, and questions `{question, evidence: [turn ids], category?}` asked
 * of each conversation. Validation names the line and the field of the first problem (exit 2), before anything runs.
 */
import { readFileSync, statSync } from 'node:fs';
import { usageError } from '../../core/errors.js';
import { LocatedJsonError, parseLocatedJson } from './located-json.js';

export interface EvalTurn {
  id: string;
  speaker: string;
  text: string;
}

export interface EvalSession {
  date: string;
  /** The session's start (ms since the epoch): a date alone means noon UTC that day. */
  at: number;
  turns: EvalTurn[];
}

export interface EvalQuestion {
  question: string;
  evidence: string[];
  category: string;
}

export interface EvalConversation {
  id: string;
  sessions: EvalSession[];
  questions: EvalQuestion[];
}

export interface EvalFile {
  description?: string;
  conversations: EvalConversation[];
}

/** Larger than any conversation set we know of (the public ones are a few MB); keeps a wrong file from filling memory. */
export const MAX_EVAL_BYTES = 256 * 1024 * 1024;
export const UNCATEGORISED = 'uncategorised';

const HINT = 'see "The evaluation file" in docs/memory-recall.md (or `progeny bench recall --help`)';
type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** Reads and validates an evaluation file; every problem is a usage error naming the file, line and field. */
export function readEvalFile(file: string): EvalFile {
  let text: string;
  try {
    if (statSync(file).size > MAX_EVAL_BYTES)
      throw usageError(`${file} is larger than ${MAX_EVAL_BYTES / 1024 / 1024} MB`, HINT);
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') throw usageError(`no such file: ${file}`);
    if ((err as { code?: string }).code === 'EISDIR') throw usageError(`${file} is a directory, not a file`);
    throw err;
  }
  return parseEvalFile(text, file);
}

export function parseEvalFile(text: string, file = 'the evaluation file'): EvalFile {
  let doc: ReturnType<typeof parseLocatedJson>;
  try {
    doc = parseLocatedJson(text);
  } catch (err) {
    if (err instanceof LocatedJsonError)
      throw usageError(`${file}:${err.line}:${err.column}: not valid JSON: ${err.message}`, HINT);
    throw err;
  }
  const bad = (path: string, why: string): never => {
    throw usageError(`${file}:${doc.lineOf(path)}: ${path || 'the document'} ${why}`, HINT);
  };
  const str = (o: Obj, key: string, path: string): string => {
    const v = o[key];
    if (typeof v !== 'string' || !v.trim()) bad(`${path}.${key}`, 'must be a non-empty string');
    return v as string;
  };
  const list = (v: unknown, path: string): unknown[] => {
    if (!Array.isArray(v) || !v.length) bad(path, 'must be a non-empty array');
    return v as unknown[];
  };
  if (!isObj(doc.value)) bad('', 'must be a JSON object with "conversations"');
  const root = doc.value as Obj;
  const seenConversations = new Set<string>();
  const conversations = list(root.conversations, 'conversations').map((c, ci): EvalConversation => {
    const at = `conversations[${ci}]`;
    if (!isObj(c)) bad(at, 'must be an object');
    const conv = c as Obj;
    const id = conv.id === undefined ? `c${ci + 1}` : str(conv, 'id', at);
    if (seenConversations.has(id)) bad(`${at}.id`, `repeats the conversation id "${id}"`);
    seenConversations.add(id);
    const turnIds = new Set<string>();
    const sessions = list(conv.sessions, `${at}.sessions`).map((s, si): EvalSession => {
      const sp = `${at}.sessions[${si}]`;
      if (!isObj(s)) bad(sp, 'must be an object');
      const date = str(s as Obj, 'date', sp);
      const when = Date.parse(DATE_ONLY.test(date) ? `${date}T12:00:00Z` : date);
      if (!Number.isFinite(when))
        bad(`${sp}.date`, `must be an ISO date such as "2026-01-05" or "2026-01-05T18:30:00Z"`);
      const turns = list((s as Obj).turns, `${sp}.turns`).map((t, ti): EvalTurn => {
        const tp = `${sp}.turns[${ti}]`;
        if (!isObj(t)) bad(tp, 'must be an object');
        const turn = {
          id: str(t as Obj, 'id', tp),
          speaker: str(t as Obj, 'speaker', tp),
          text: str(t as Obj, 'text', tp),
        };
        if (turnIds.has(turn.id))
          bad(`${tp}.id`, `repeats the turn id "${turn.id}" (ids are unique in a conversation)`);
        turnIds.add(turn.id);
        return turn;
      });
      return { date, at: when, turns };
    });
    const questions = list(conv.questions, `${at}.questions`).map((q, qi): EvalQuestion => {
      const qp = `${at}.questions[${qi}]`;
      if (!isObj(q)) bad(qp, 'must be an object');
      const question = str(q as Obj, 'question', qp);
      const evidence = list((q as Obj).evidence, `${qp}.evidence`).map((e, ei) => {
        if (typeof e !== 'string' || !turnIds.has(e))
          bad(`${qp}.evidence[${ei}]`, `must be the id of a turn of this conversation (got ${JSON.stringify(e)})`);
        return e as string;
      });
      const cat = (q as Obj).category;
      if (cat !== undefined && !((typeof cat === 'string' && cat.trim()) || Number.isFinite(cat)))
        bad(`${qp}.category`, 'must be a non-empty string or a number');
      return { question, evidence: [...new Set(evidence)], category: cat === undefined ? UNCATEGORISED : String(cat) };
    });
    return { id, sessions, questions };
  });
  return {
    ...(typeof root.description === 'string' ? { description: root.description } : {}),
    conversations,
  };
}
