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
  { name: 'copy', usage: '/copy', help: 'copy the last reply (OSC 52)' },
  { name: 'export', usage: '/export [FILE]', help: 'write this conversation to Markdown' },
  { name: 'raw', usage: '/raw', help: 'toggle raw Markdown for new replies' },
  { name: 'quit', usage: '/quit', help: 'leave (also /exit, Ctrl+D)' },
];

export const KEYS_HELP: readonly [string, string][] = [
  ['Enter', 'send'],
  ['Alt+Enter, Ctrl+J or \\ then Enter', 'new line'],
  ['Up / Down', 'input history (on the first/last line)'],
  ['Tab', 'complete a slash command'],
  ['Ctrl+O', "expand the last reply's recalled memories"],
  ['Ctrl+C', 'cancel a streaming reply; twice to quit'],
  ['Ctrl+D', 'quit (on an empty line)'],
  ['Esc', 'clear the input'],
];

const ALIASES: Record<string, string> = { exit: 'quit', q: 'quit', '?': 'help', mem: 'memory' };

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

/** Tab: the single match, or the longest common prefix of several. */
export function completeInput(input: string): string {
  const matches = completions(input);
  if (matches.length === 1) return `/${matches[0]?.name ?? ''} `;
  if (!matches.length) return input;
  const names = matches.map((c) => c.name);
  let common = names[0] ?? '';
  for (const n of names) while (!n.startsWith(common)) common = common.slice(0, -1);
  return common.length + 1 > input.length ? `/${common}` : input;
}

export function helpText(): string {
  const w = Math.max(...SLASH_COMMANDS.map((c) => c.usage.length));
  const cmds = SLASH_COMMANDS.map((c) => `  ${c.usage.padEnd(w)}  ${c.help}`);
  const kw = Math.max(...KEYS_HELP.map(([k]) => k.length));
  const keys = KEYS_HELP.map(([k, v]) => `  ${k.padEnd(kw)}  ${v}`);
  return ['Commands:', ...cmds, 'Keys:', ...keys].join('\n');
}
