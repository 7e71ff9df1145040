/** The fenced (or indented) code blocks of a reply, in order, as /copy code [N] and the block labels number them. */
import { Lexer, type Token } from 'marked';

export function codeBlocks(markdown: string): { lang: string; text: string }[] {
  const out: { lang: string; text: string }[] = [];
  const walk = (tokens: readonly Token[]): void => {
    for (const t of tokens) {
      if (t.type === 'code')
        out.push({ lang: ((t.lang as string | undefined) ?? '').split(/\s/)[0] ?? '', text: t.text as string });
      if ('tokens' in t && Array.isArray(t.tokens)) walk(t.tokens as Token[]);
      if (t.type === 'list') for (const item of (t as { items: { tokens: Token[] }[] }).items) walk(item.tokens);
    }
  };
  walk(new Lexer({ gfm: true }).lex(markdown.replace(/\r\n?/g, '\n')));
  return out;
}
