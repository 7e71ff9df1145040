/** Slash commands: the table (names, usage, help), parsing and completion. Their actions are in slash-actions.ts. */

export interface SlashSpec {
  name: string;
  usage: string;
  help: string;
}

export const SLASH_COMMANDS: readonly SlashSpec[] = [
  { name: 'help', usage: '/help', help: 'commands and keys' },
  { name: 'memory', usage: '/memory [recent [N] | search TEXT | forget ID]', help: 'what your companion remembers' },
  { name: 'remember', usage: '/remember TEXT', help: 'store a memory now' },
  { name: 'state', usage: '/state', help: 'limbic gauges and why they moved' },
  { name: 'heritage', usage: '/heritage', help: "your companion's identity" },
  { name: 'posture', usage: '/posture', help: 'the current posture and why' },
  { name: 'sync', usage: '/sync [status | push | pull]', help: 'sync with your other devices' },
  { name: 'clear', usage: '/clear', help: 'clear the screen and start a new conversation' },
  { name: 'conversations', usage: '/conversations', help: 'pick a conversation to resume, or start one' },
  { name: 'model', usage: '/model [NAME]', help: 'pick or name the chat model (saved as llm.model)' },
  { name: 'usage', usage: '/usage', help: 'tokens of the last reply and the session, context use' },
  { name: 'retry', usage: '/retry', help: 'regenerate the last reply' },
  { name: 'continue', usage: '/continue', help: 'go on with the last reply, cut at the token limit' },
  { name: 'thinking', usage: '/thinking', help: "show the last reply's reasoning (a thinking model)" },
  { name: 'edit-last', usage: '/edit-last', help: 'edit your last message and send it in its place' },
  { name: 'edit', usage: '/edit', help: 'write a message in $EDITOR (also Ctrl+X Ctrl+E)' },
  { name: 'copy', usage: '/copy [code [N]]', help: 'copy the last reply, or its code block N' },
  { name: 'export', usage: '/export [FILE]', help: 'write this conversation to Markdown' },
  { name: 'raw', usage: '/raw', help: 'toggle raw Markdown for new replies' },
  { name: 'quit', usage: '/quit', help: 'leave (also /exit, Ctrl+D)' },
];

export const KEYS_HELP: readonly [string, string][] = [
  ['Enter', 'send (while a reply streams: queue it)'],
  ['Alt+Enter, Ctrl+J or \\ then Enter', 'new line'],
  ['Up / Down', 'input history (on the first/last line)'],
  ['Tab', 'complete a slash command (again: the next match)'],
  ['Ctrl+O', "expand the last reply's recalled memories"],
  ['Ctrl+R', 'search the input history'],
  ['Ctrl+X Ctrl+E', 'edit the input in $EDITOR'],
  ['Ctrl+L', 'redraw the screen'],
  ['Ctrl+C', 'cancel a streaming reply; twice to quit'],
  ['Ctrl+D', 'quit (on an empty line)'],
  ['Esc', 'clear the input'],
  ['Ctrl+A / Ctrl+E', 'start / end of the line'],
  ['Ctrl+U / Ctrl+K', 'delete to the start / end of the line'],
  ['Ctrl+W', 'delete the word before the cursor'],
];

const ALIASES: Record<string, string> = {
  exit: 'quit',
  q: 'quit',
  '?': 'help',
  mem: 'memory',
  new: 'clear',
  resume: 'conversations',
  models: 'model',
  regenerate: 'retry',
};

export interface SlashCall {
  name: string;
  args: string;
}

/** "/memory search maya" → { name: 'memory', args: 'search maya' }; null when not a slash command. */
export function parseSlash(input: string): SlashCall | null {
  const m = /^\/(\S*)\s*([\s\S]*)$/.exec(input.trim());
  if (!m) return null;
  const raw = (m[1] ?? '').toLowerCase();
  return { name: ALIASES[raw] ?? raw, args: (m[2] ?? '').trim() };
}

/** Commands whose name starts with what was typed after "/" (only while no argument was started). */
export function completions(input: string): SlashSpec[] {
  const m = /^\/(\S*)$/.exec(input);
  if (!m) return [];
  const prefix = (m[1] ?? '').toLowerCase();
  return SLASH_COMMANDS.filter((c) => c.name.startsWith(prefix));
}

/**
 * Tab: the single match, or the longest common prefix of several; when that adds nothing, the first match, and each
 * further Tab the next one (`cycle` is the input the cycle started from and how many Tabs came before).
 */
export function completeInput(input: string, cycle?: { from: string; n: number }): string {
  const matches = completions(cycle?.from ?? input);
  if (!matches.length) return input;
  if (matches.length === 1) return `/${matches[0]?.name ?? ''} `;
  if (!cycle) {
    const names = matches.map((c) => c.name);
    let common = names[0] ?? '';
    for (const n of names) while (!n.startsWith(common)) common = common.slice(0, -1);
    if (common.length + 1 > input.length) return `/${common}`;
  }
  return `/${matches[(cycle?.n ?? 0) % matches.length]?.name ?? ''}`;
}

/** Commands and keys, laid out for the width: two columns when they fit, else each help under its usage. */
export function helpText(width = 100): string {
  const table = (rows: readonly (readonly [string, string])[]): string[] => {
    const w = Math.max(...rows.map(([k]) => k.length));
    return width >= w + 30
      ? rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`)
      : rows.flatMap(([k, v]) => [`  ${k}`, `      ${v}`]);
  };
  return [
    'Commands:',
    ...table(SLASH_COMMANDS.map((c) => [c.usage, c.help] as const)),
    'Keys:',
    ...table(KEYS_HELP),
  ].join('\n');
}
