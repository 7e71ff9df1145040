/** /export: the conversation as a Markdown file, written atomically (a crash never leaves half a file). */
import { isAbsolute, join, resolve } from 'node:path';
import { writeFileAtomic } from '../core/fs-atomic.js';
import type { Entry } from './state.js';

export function conversationMarkdown(entries: readonly Entry[], o: { name: string; title?: string; at: Date }): string {
  const parts = [`# ${o.title || `Conversation with ${o.name}`}`, '', `_Exported ${o.at.toISOString()}_`, ''];
  for (const e of entries) {
    if (e.kind === 'user') parts.push('## You', '', e.text, '');
    else if (e.kind === 'assistant') {
      const tags = [e.interrupted ? 'interrupted' : '', e.offline ? 'offline' : ''].filter(Boolean);
      parts.push(`## ${o.name}${tags.length ? ` (${tags.join(', ')})` : ''}`, '', e.text, '');
    } else if (e.kind === 'recall' && e.memories.length) {
      parts.push(
        '<details><summary>Recalled memories</summary>',
        '',
        ...e.memories.map((m) => `- ${m.text} (score ${m.score.toFixed(2)})`),
        '',
        '</details>',
        '',
      );
    }
  }
  return parts.join('\n');
}

/** Resolves the target: an explicit path (relative to cwd), or <home>/exports/<conversation>-<timestamp>.md. */
export function exportPath(
  arg: string,
  exportsDir: string,
  conversationId: string | undefined,
  at: Date,
  cwd = process.cwd(),
): string {
  if (arg) return isAbsolute(arg) ? arg : resolve(cwd, arg);
  const stamp = at.toISOString().replace(/[:.]/g, '-').slice(0, 19);
  return join(exportsDir, `${conversationId ?? 'conversation'}-${stamp}.md`);
}

export function writeExport(path: string, markdown: string): void {
  writeFileAtomic(path, markdown);
}
