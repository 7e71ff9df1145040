/**
 * Words of the scripts written without spaces between words, for the full-text channel (docs/memory-recall.md,
 * "Texts in other scripts"). FTS5's unicode61 tokenizer keeps an unspaced run of Han, kana, Hangul or Thai as one
 * token, so "北京" would never find "我昨天在北京吃了烤鸭", nor "서울" find "서울에서". As search engines do for these
 * scripts (no dictionary to install, and a query and its memory are always cut the same way), such a run is indexed
 * as its overlapping pairs of characters plus the characters themselves; a query asks for its pairs, or for the
 * character when its run has only one.
 */

const SCRIPTS =
  '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}\\p{Script=Thai}\\p{Script=Lao}\\p{Script=Khmer}\\p{Script=Myanmar}';
const ASCII = /^[\0-\x7f]*$/;
/** True for a text of ASCII only: no letter of any script but Latin, no Unicode class needed to read it. */
export const isAscii = (text: string): boolean => ASCII.test(text);
/**
 * Made on first use: a Unicode script class costs about a millisecond to build, and db.ts loads this module in every
 * command that opens a home, while most texts are ASCII and never need them.
 */
let patterns: { any: RegExp; run: RegExp; unit: RegExp } | undefined;
function regexes() {
  return (patterns ??= {
    any: new RegExp(`[${SCRIPTS}]`, 'u'),
    // Runs of the scripts that do not separate words with spaces (Hangul separates phrases, not a word from its particle).
    run: new RegExp(`(?:[${SCRIPTS}ー々]\\p{M}*)+`, 'gu'),
    // One character with its combining marks (Thai vowels and tone marks stay with their consonant).
    unit: /\P{M}\p{M}*/gu,
  });
}

function runs(text: string): string[][] {
  if (isAscii(text)) return [];
  const { any, run, unit } = regexes();
  if (!any.test(text)) return [];
  return [...text.normalize('NFKC').matchAll(run)].map((m) => m[0].match(unit) ?? []);
}

/** The terms a memory's text is indexed by in memories_cjk: '' for a text without such a run (most texts). */
export function cjkGrams(text: string): string {
  const out: string[] = [];
  for (const units of runs(text)) {
    out.push(...units);
    for (let i = 0; i + 1 < units.length; i++) out.push(units[i]! + units[i + 1]!);
  }
  return out.join(' ');
}

/** The terms a query asks for: each run's pairs, or its one character. */
export function cjkQueryTerms(text: string): string[] {
  const out = new Set<string>();
  for (const units of runs(text)) {
    if (units.length === 1) out.add(units[0]!);
    for (let i = 0; i + 1 < units.length; i++) out.add(units[i]! + units[i + 1]!);
  }
  return [...out];
}
