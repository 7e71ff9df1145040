/**
 * The CLI's and the TUI's words for a structured hint (docs/errors.md, "Hints"): core says what to do and names the
 * actions; here each action becomes the command that does it, so the person can copy it:
 * "check the token: run `progeny token show`".
 */
import type { Hint, HintAction, HintActionName } from '../core/hints.js';

type Args = Readonly<Record<string, string>>;

/** A device id as an argument of a printed command: after `--` when it starts with `-` (ids made before newDeviceId). */
export const deviceIdArg = (id: string): string => (id.startsWith('-') ? `-- ${id}` : id);

const flag = (name: string, value: string | undefined, placeholder: string): string =>
  ` --${name} ${value ?? placeholder}`;

/**
 * Each action as a command line; an argument the action does not carry is a placeholder for the person to fill. Null:
 * no command does it (an OpenAI-compatible server is started however that server is started).
 */
const COMMANDS: Record<HintActionName, (a: Args) => string | null> = {
  doctor: () => 'progeny doctor',
  init: (a) => `progeny init${a.force === 'true' ? ' --force' : ''}`,
  'config.list': () => 'progeny config list',
  'config.get': (a) => `progeny config get ${a.key ?? '<key>'}`,
  'config.set': (a) => `progeny config set ${a.key ?? '<key>'} ${a.value ?? '<value>'}`,
  'start-model': (a) => (a.provider === 'ollama' ? `ollama serve\`, \`ollama pull ${a.model ?? '<model>'}` : null),
  'pull-model': (a) => `ollama pull ${a.model ?? '<model>'}`,
  'heritage.edit': () => 'progeny heritage edit',
  'heritage.history': () => 'progeny heritage history',
  'memory.add': () => 'progeny memory add',
  'memory.edit': () => 'progeny memory edit',
  'memory.forget': () => 'progeny memory forget',
  'memory.list': (a) => `progeny memory list${a.status ? ` --status ${a.status}` : ''}`,
  'memory.reindex': () => 'progeny memory reindex',
  'memory.migrate': (a) => `progeny memory migrate${flag('to', a.to, 'qdrant|embedded')}`,
  'conversation.list': () => 'progeny chat --list',
  'state.why': (a) => `progeny state why ${a.key ?? '<value>'}`,
  'token.show': () => 'progeny token show',
  serve: () => 'progeny serve',
  'sync.status': () => 'progeny sync status',
  'sync.init': (a) => `progeny sync init${flag('relay', a.relay, 'URL')}`,
  'sync.join': (a) => `progeny sync join${flag('relay', a.relay, 'URL')}${flag('vault', a.vault, 'ID')}`,
  'sync.pull': () => 'progeny sync pull',
  'sync.push': () => 'progeny sync push',
  'sync.passphrase': () => 'progeny sync passphrase',
  'device.list': () => 'progeny device list',
  'device.pair': () => 'progeny device pair',
  'device.approve': (a) => `progeny device approve ${a.id ? deviceIdArg(a.id) : '<id>'}`,
  'device.caps': (a) =>
    `progeny device caps ${a.id ? deviceIdArg(a.id) : '<id>'} ${a.capabilities ?? '<capabilities>'}`,
  'continue-reply': () => 'progeny chat --continue-reply',
};

/** The command line of one action (null when no command does it). */
export const commandOf = (a: HintAction): string | null => COMMANDS[a.action](a.args ?? {});

/** A hint in the CLI's words: the plain words, then the commands that do it. */
export function cliHint(h: { hint?: string | undefined; actions?: readonly HintAction[] } | Hint): string | undefined {
  const text = 'text' in h ? h.text : h.hint;
  const commands = (h.actions ?? []).flatMap((a) => commandOf(a) ?? []);
  if (!commands.length) return text || undefined;
  const run = `run ${commands.map((c) => `\`${c}\``).join(' or ')}`;
  return text ? `${text}: ${run}` : run;
}

/** A failure's hint as the `fix` of a doctor check (absent when there is none). */
export function fixOf(h: { hint?: string | undefined; actions?: readonly HintAction[] }): { fix?: string } {
  const fix = cliHint(h);
  return fix ? { fix } : {};
}
