/**
 * Comments and docs cite the repository's own documents: every `docs/NAME.md` named in the code, the scripts, the
 * tests or the docs exists, and every `docs/NAME.md, "Section"` names a heading of that document.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: ROOT })
  .toString()
  .split('\n')
  .filter((f) => /\.(ts|tsx|mjs|js|md)$/.test(f) && f !== 'test/docs/references.test.ts' && existsSync(join(ROOT, f)));
const text = new Map(files.map((f) => [f, readFileSync(join(ROOT, f), 'utf8')]));

const headings = (doc: string): string[] =>
  (text.get(doc) ?? '').split('\n').flatMap((l) => (/^#+ /.test(l) ? [l.replace(/^#+ /, '').replaceAll('`', '')] : []));

describe('document references', () => {
  it('name documents that exist in the repository', () => {
    const missing: string[] = [];
    for (const [file, body] of text)
      for (const m of body.matchAll(/(?<![\w/.-])docs\/([\w-]+\.md)/g))
        if (!existsSync(join(ROOT, 'docs', m[1]!))) missing.push(`${file}: docs/${m[1]}`);
    expect(missing).toEqual([]);
  });

  it('name sections that are headings of the cited document', () => {
    const wrong: string[] = [];
    for (const [file, body] of text)
      for (const m of body.matchAll(/docs\/([\w-]+\.md),\s+"([^"]+)"/g)) {
        const doc = `docs/${m[1]}`;
        const section = m[2]!.replace(/\s*\n\s*(\*\s*|\/\/\s*)?/g, ' ');
        if (!headings(doc).some((h) => h.startsWith(section))) wrong.push(`${file}: ${doc}, "${section}"`);
      }
    expect(wrong).toEqual([]);
  });

  it('never point outside the repository for a specification', () => {
    const outside = [...text].filter(
      ([f, body]) => !f.startsWith('docs/') && /\.\.\/shared\/|design README/.test(body),
    );
    expect(outside.map(([f]) => f)).toEqual([]);
  });

  it('are linked from every section of the README', () => {
    const sections = (text.get('README.md') ?? '').split(/^## /m).slice(1);
    const unlinked = sections.filter((sec) => !/\]\(docs\/[\w-]+\.md/.test(sec)).map((sec) => sec.split('\n')[0]);
    expect(unlinked).toEqual([]);
  });
});
