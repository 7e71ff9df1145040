/** Inline Markdown (code spans, strong, emphasis, strike, links) into styled segments. */
import type { Theme } from './theme.js';
import type { Paint, Segment } from './wrap.js';

// Order matters: code spans first (nothing inside them is parsed), then strong before emphasis.
const INLINE =
  /(`+)([^`]|[^`][\s\S]*?[^`])\1|\*\*([^*]+?)\*\*|__([^_]+?)__|~~([^~]+?)~~|\*([^*\s][^*]*?)\*|(?<![\w])_([^_\s][^_]*?)_(?![\w])|\[([^\]]+)\]\(([^)\s]+)\)/g;

const compose = (outer: Paint | undefined, inner: Paint): Paint => (outer ? (s) => outer(inner(s)) : inner);

export function parseInline(text: string, theme: Theme, base?: Paint): Segment[] {
  const out: Segment[] = [];
  const plain = (t: string): void => {
    if (t) out.push(base ? { text: t, paint: base } : { text: t });
  };
  let last = 0;
  for (const m of text.matchAll(INLINE)) {
    plain(text.slice(last, m.index));
    last = m.index + m[0].length;
    if (m[2] !== undefined) out.push({ text: m[2].trim() || m[2], paint: compose(base, theme.code) });
    else if (m[3] !== undefined) out.push(...parseInline(m[3], theme, compose(base, theme.bold)));
    else if (m[4] !== undefined) out.push(...parseInline(m[4], theme, compose(base, theme.bold)));
    else if (m[5] !== undefined) out.push(...parseInline(m[5], theme, compose(base, theme.strike)));
    else if (m[6] !== undefined) out.push(...parseInline(m[6], theme, compose(base, theme.italic)));
    else if (m[7] !== undefined) out.push(...parseInline(m[7], theme, compose(base, theme.italic)));
    else if (m[8] !== undefined && m[9] !== undefined) {
      out.push(...parseInline(m[8], theme, compose(base, theme.link)));
      if (m[9] !== m[8]) out.push({ text: ` (${m[9]})`, paint: compose(base, theme.dim) });
    }
  }
  plain(text.slice(last));
  return out;
}
