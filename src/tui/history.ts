/**
 * The composer's input history, persisted per home in chat-history.jsonl (one JSON string per line, oldest first).
 * Appends are one small write each; the file is rewritten atomically when it grows past twice the limit.
 */
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../core/fs-atomic.js';
import { wellFormed } from './editor.js';

export interface InputHistory {
  readonly items: readonly string[];
  add(entry: string): void;
}

const LIMIT = 1000;

function parse(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      const v: unknown = JSON.parse(line);
      if (typeof v === 'string' && v) out.push(wellFormed(v));
    } catch {
      // A torn last line (crash mid-append) is skipped, the rest kept.
    }
  }
  return out;
}

export function openHistory(path: string, limit = LIMIT): InputHistory {
  let items: string[] = [];
  let onDisk = 0;
  try {
    items = parse(readFileSync(path, 'utf8'));
    onDisk = items.length;
    items = items.slice(-limit);
  } catch {
    // No history yet.
  }
  return {
    get items() {
      return items;
    },
    add(raw: string) {
      const entry = wellFormed(raw);
      if (!entry.trim() || items[items.length - 1] === entry) return;
      items = [...items.slice(-(limit - 1)), entry];
      try {
        if (onDisk + 1 > 2 * limit) {
          writeFileAtomic(path, items.map((i) => JSON.stringify(i)).join('\n') + '\n', 0o600);
          onDisk = items.length;
        } else {
          mkdirSync(dirname(path), { recursive: true });
          appendFileSync(path, JSON.stringify(entry) + '\n', { mode: 0o600 });
          onDisk++;
        }
      } catch {
        // History is a convenience: a read-only home must not break the chat.
      }
    },
  };
}
