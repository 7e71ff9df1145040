/** Inline Markdown tokens (from marked's lexer) into painted segments: emphasis, code spans, links, breaks. */
import type { Token } from 'marked';
import type { Theme } from './theme.js';
import type { Paint, Segment } from './wrap.js';

const compose = (outer: Paint | undefined, inner: Paint): Paint => (outer ? (s) => outer(inner(s)) : inner);

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** The few HTML entities models write, decoded; numeric ones too. Everything else is shown as written. */
export function decodeEntities(s: string): string {
  return s.replace(/&(#x[\da-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] !== '#') return ENTITIES[e.toLowerCase()] ?? m;
    const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : m;
  });
}

/** Painted segments of inline tokens; `base` paints everything (a heading's colour, a quote's). */
export function inlineSegments(tokens: readonly Token[] | undefined, theme: Theme, base?: Paint): Segment[] {
  const out: Segment[] = [];
  const plain = (text: string, paint = base): void => {
    if (text) out.push(paint ? { text, paint } : { text });
  };
  for (const t of tokens ?? []) {
    switch (t.type) {
      case 'text':
        if ('tokens' in t && t.tokens?.length) out.push(...inlineSegments(t.tokens, theme, base));
        else plain(decodeEntities(t.text as string));
        break;
      case 'escape':
        plain(t.text as string);
        break;
      case 'strong':
        out.push(...inlineSegments(t.tokens, theme, compose(base, theme.bold)));
        break;
      case 'em':
        out.push(...inlineSegments(t.tokens, theme, compose(base, theme.italic)));
        break;
      case 'del':
        out.push(...inlineSegments(t.tokens, theme, compose(base, theme.strike)));
        break;
      case 'codespan':
        plain(decodeEntities(t.text as string), compose(base, theme.code));
        break;
      case 'br':
        plain('\n');
        break;
      case 'link': {
        out.push(...inlineSegments(t.tokens, theme, compose(base, theme.link)));
        const href = t.href as string;
        const shown = (t.text as string).trim();
        if (href && href !== shown && href !== `mailto:${shown}`) plain(` (${href})`, compose(base, theme.dim));
        break;
      }
      case 'image':
        plain(`[image: ${(t.text as string) || 'untitled'}]`, compose(base, theme.dim));
        plain(` (${t.href as string})`, compose(base, theme.dim));
        break;
      case 'html':
        plain(/^<br\s*\/?>$/i.test((t.text as string).trim()) ? '\n' : (t.text as string));
        break;
      case 'checkbox':
        break;
      default:
        plain(t.raw);
    }
  }
  return out;
}
