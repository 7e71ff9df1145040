/**
 * A small, language-agnostic highlighter for fenced code: comments, strings, numbers and the keywords of the
 * languages people paste most (JS/TS, Python, Rust, Go, shell, SQL). Good enough to read code; not a parser.
 */
import type { Theme } from './theme.js';

const KEYWORDS = new Set(
  (
    'abstract as async await break case catch class const continue def default defer del do elif else enum export ' +
    'extends false fn for from func function go if impl import in interface let lambda loop match mod mut new nil ' +
    'None null pass pub raise return self static struct super switch this throw true True False try type typeof ' +
    'use var void while with yield echo fi then esac done local SELECT FROM WHERE INSERT UPDATE DELETE JOIN'
  ).split(' '),
);

const HASH_COMMENT = new Set([
  'py',
  'python',
  'sh',
  'bash',
  'zsh',
  'shell',
  'rb',
  'ruby',
  'yaml',
  'yml',
  'toml',
  'r',
  'pl',
  'perl',
  'dockerfile',
  'make',
  'makefile',
]);

const TOKEN =
  /(\/\/.*$|#.*$|--.*$)|("(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?|`(?:[^`\\]|\\.)*`?)|(\b\d[\d_.]*(?:e[+-]?\d+)?\b|\b0x[\da-f]+\b)|([A-Za-z_]\w*)/gi;

export function highlightLine(line: string, lang: string, theme: Theme): string {
  const l = lang.toLowerCase();
  let out = '';
  let last = 0;
  for (const m of line.matchAll(TOKEN)) {
    const [tok, comment, str, num, word] = m;
    let painted: string | undefined;
    if (comment !== undefined) {
      const ok = comment.startsWith('#')
        ? HASH_COMMENT.has(l)
        : comment.startsWith('--')
          ? l === 'sql' || l === 'lua'
          : true;
      if (ok) painted = theme.comment(comment);
    } else if (str !== undefined) painted = theme.string(str);
    else if (num !== undefined) painted = theme.number(num);
    else if (word !== undefined && KEYWORDS.has(word)) painted = theme.keyword(word);
    if (painted === undefined) continue;
    out += theme.code(line.slice(last, m.index)) + painted;
    last = m.index + tok.length;
    if (comment !== undefined) break;
  }
  return out + theme.code(line.slice(last));
}
