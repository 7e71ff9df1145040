/**
 * Code highlighting with lowlight (highlight.js grammars: real lexers, so `//` in Python, `#` in a URL or a JS
 * private field, and `i--` are what the language says they are). The whole block is highlighted at once, so a
 * comment or string spanning lines keeps its colour; each line is painted on its own, so a line cut for the width
 * never leaves a colour open. Loading the grammars costs more than the first frame may, so they load lazily: until
 * they are there, code is shown plain and `onHighlighterReady` tells the screen to draw it again.
 */
import type { Theme } from './theme.js';

interface HastNode {
  type: string;
  value?: string;
  properties?: { className?: string[] };
  children?: HastNode[];
}
interface Lowlight {
  registered(name: string): boolean;
  highlight(lang: string, code: string): { children: HastNode[] };
}

let lowlight: Lowlight | null = null;
let loading: Promise<void> | null = null;
const listeners = new Set<() => void>();

/** Loads the grammars once (about 40 common languages); resolves when highlighting is available. */
export function loadHighlighter(): Promise<void> {
  loading ??= import('lowlight').then(({ createLowlight, common }) => {
    lowlight = createLowlight(common) as unknown as Lowlight;
    for (const fn of listeners) fn();
  });
  return loading;
}

export const highlighterReady = (): boolean => lowlight !== null;

export function onHighlighterReady(fn: () => void): () => void {
  listeners.add(fn);
  return () => void listeners.delete(fn);
}

type Role = 'keyword' | 'string' | 'comment' | 'number' | null;

const ROLES: Record<string, Role> = {
  keyword: 'keyword',
  built_in: 'keyword',
  literal: 'number',
  type: 'keyword',
  meta: 'keyword',
  selector: 'keyword',
  string: 'string',
  regexp: 'string',
  symbol: 'string',
  char: 'string',
  subst: null,
  comment: 'comment',
  quote: 'comment',
  doc: 'comment',
  number: 'number',
};

function roleOf(node: HastNode, inherited: Role): Role {
  for (const c of node.properties?.className ?? []) {
    const name = c.replace(/^hljs-/, '').split('.')[0] ?? '';
    if (name in ROLES) return ROLES[name] ?? null;
  }
  return inherited;
}

/** Painted lines of a code block; plain (code colour) when the language is unknown or the grammars not loaded. */
export function highlightCode(code: string, lang: string, theme: Theme): string[] {
  const name = lang.toLowerCase();
  if (!lowlight && name) void loadHighlighter().catch(() => undefined);
  if (!lowlight || !name || !lowlight.registered(name)) return code.split('\n').map(theme.code);
  const lines: string[] = [''];
  const paint = (role: Role, text: string): void => {
    const p = role ? theme[role] : theme.code;
    text.split('\n').forEach((piece, i) => {
      if (i > 0) lines.push('');
      lines[lines.length - 1] += p(piece);
    });
  };
  const walk = (nodes: HastNode[], role: Role): void => {
    for (const n of nodes) {
      if (n.type === 'text') paint(role, n.value ?? '');
      else if (n.children) walk(n.children, roleOf(n, role));
    }
  };
  try {
    walk(lowlight.highlight(name, code).children, null);
  } catch {
    return code.split('\n').map(theme.code);
  }
  return lines;
}
