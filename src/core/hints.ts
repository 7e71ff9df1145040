/**
 * Structured hints (docs/errors.md, "Hints"): what a person can do about a failure or a degraded turn, as plain words
 * that read right on any front end plus the actions that do it, each with its arguments. Core never writes a command
 * line: the CLI and the TUI render an action as the `progeny …` command that does it (src/commands/hints.ts); the
 * server sends the words and the actions as data, for an API client to offer in its own way.
 */

/** Every action a hint can name; the arguments each takes are listed with it (all strings). */
export const HINT_ACTIONS = {
  /** Check the home, its database, the model server and the vector backend. */
  doctor: [],
  /** Create the companion (its first heritage version); `force` adds a new version to an existing one. */
  init: ['force'],
  'config.list': [],
  'config.get': ['key'],
  'config.set': ['key', 'value'],
  /** Make a model reachable: the configured server at `url` (provider ollama or openai) serving `model`. */
  'start-model': ['provider', 'url', 'model'],
  /** Fetch `model` onto the Ollama server. */
  'pull-model': ['model'],
  'heritage.edit': [],
  'heritage.history': [],
  'memory.add': [],
  'memory.edit': [],
  'memory.forget': [],
  /** `status`: which memories to list (all: also forgotten and archived ones). */
  'memory.list': ['status'],
  'memory.reindex': [],
  'memory.migrate': ['to'],
  'conversation.list': [],
  /** Why a limbic value is what it is (`key`: e.g. trust). */
  'state.why': ['key'],
  'token.show': [],
  /** Run the server (API and sync relay). */
  serve: [],
  'sync.status': [],
  'sync.init': ['relay'],
  'sync.join': ['relay', 'vault'],
  'sync.pull': [],
  'sync.push': [],
  'sync.passphrase': [],
  'device.list': [],
  'device.pair': [],
  'device.approve': ['id'],
  'device.caps': ['id', 'capabilities'],
  'continue-reply': [],
} as const satisfies Record<string, readonly string[]>;

export type HintActionName = keyof typeof HINT_ACTIONS;

export interface HintAction {
  action: HintActionName;
  /** The action's arguments (HINT_ACTIONS names them); absent ones are for the person to fill in. */
  args?: Record<string, string>;
}

/** A hint on its own (a turn's `done` event carries one when the reply came from memory, OFFLINE). */
export interface Hint {
  /** What to do, in plain words with no command syntax. */
  text: string;
  /** The actions that do it, in the order to try them; empty when the words say it all. */
  actions: HintAction[];
}

export const act = (action: HintActionName, args?: Record<string, string>): HintAction =>
  args === undefined ? { action } : { action, args };

export function isHintActionName(name: unknown): name is HintActionName {
  return typeof name === 'string' && Object.hasOwn(HINT_ACTIONS, name);
}

/** The actions of a hint that crossed a boundary as JSON, keeping only well-formed ones this version knows. */
export function hintActionsFrom(value: unknown): HintAction[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((v: unknown) => {
    const a = v as { action?: unknown; args?: unknown } | null;
    if (!a || !isHintActionName(a.action)) return [];
    const args = a.args && typeof a.args === 'object' ? (a.args as Record<string, unknown>) : undefined;
    const strings = args && Object.entries(args).filter((e): e is [string, string] => typeof e[1] === 'string');
    return [act(a.action, strings ? Object.fromEntries(strings) : undefined)];
  });
}
