/**
 * The command tree. Only commander is imported at start-up: each command's module (and the core, ink, the server…)
 * is imported when that command runs, so `progeny --help` stays close to a bare `node` start.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { ProgenyError } from './core/errors.js';
import type { GlobalOptions } from './commands/context.js';
import type { Output } from './commands/output.js';
import { EXIT_CODE_HELP } from './commands/exit-codes.js';
import { addBenchCommands, addProfileCommand } from './commands/bench/define.js';
import {
  addConfigCommands,
  addDeviceCommands,
  addHeritageCommands,
  addStateCommands,
  addSyncCommands,
  addTokenCommands,
} from './commands/define-groups.js';
import { addMemoryCommands } from './commands/memory/define.js';
import { addressOption, intOption, secondsOption } from './commands/options.js';
import type { CommandModule, Runner } from './commands/runner.js';
import type * as MakeContextModule from './commands/make-context.js';

export interface Runtime {
  out: Output;
  exitCode: number;
  cleanup: (() => Promise<void> | void)[];
}

const version = (): string =>
  (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Loads one of the CommonJS bundles of dist/ (bin/progeny.js passes one that uses V8's code cache). */
export type BundleLoader = (name: string) => unknown;
let loadBundle: BundleLoader | undefined;
export function useBundleLoader(loader: BundleLoader): void {
  loadBundle = loader;
}

/**
 * Command modules load on demand: from dist/commands.cjs, the bundle of every command with the core
 * (scripts/bundle-commands.mjs: one CommonJS file instead of ~85 ES modules), or, where there is no bundle (the
 * sources run through tsx), from ./commands beside this file. The specifiers are computed so the bundler of the CLI
 * entry (scripts/bundle-cli.mjs) leaves them alone instead of pulling every command into start-up.
 */
type Bundle = { load(module: string): Promise<unknown> };
let commands: Bundle | null | undefined;

/**
 * dist/commands.cjs, or null where there is none. bin/progeny.js's loader is tried first: it knows dist/ already,
 * and building this module's file URL would cost ~1 ms of every command.
 */
function commandsBundle(): Bundle | null {
  if (loadBundle) {
    try {
      return loadBundle('commands.cjs') as Bundle;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  const path = fileURLToPath(new URL('./commands.cjs', import.meta.url));
  return !existsSync(path) ? null : (createRequire(import.meta.url)(path) as Bundle);
}

function importCommand(module: string): Promise<unknown> {
  commands ??= commandsBundle();
  return commands ? commands.load(module) : import(new URL(`./commands/${module}.js`, import.meta.url).href);
}

/** The action of a command: builds the context, imports the command's module on demand, runs it, prints the result. */
function makeRunner(rt: Runtime, signal: AbortSignal): Runner {
  return (module: string) =>
    async (...actionArgs: unknown[]): Promise<void> => {
      const cmd = actionArgs.at(-1) as Command;
      const opts = cmd.optsWithGlobals() as Record<string, unknown> & GlobalOptions;
      const args = (actionArgs.slice(0, -2) as (string | string[] | undefined)[]).flatMap((a) =>
        a === undefined ? [] : a,
      );
      const { makeContext } = (await importCommand('make-context')) as typeof MakeContextModule;
      const ctx = makeContext(rt, opts, signal);
      const mod = (await importCommand(module)) as CommandModule;
      const result = await mod.run(ctx, args, opts);
      if (result) {
        if (!('streamed' in result)) rt.out.print(result);
        if (result.exitCode !== undefined) rt.exitCode = result.exitCode;
      }
    };
}

/**
 * The root command: its global options, help text and error handling (errors are printed by src/main.ts). The
 * version is read from package.json only when the line asks for it (~0.9 ms of every start otherwise, most of it
 * building the file URL).
 */
function rootProgram(argv: string[]): Command {
  const wantsVersion = argv.slice(2).some((a) => a === '-V' || a === '--version');
  const program = new Command('progeny')
    .description('A local-first AI companion for the terminal')
    .version(wantsVersion ? version() : '', '-V, --version')
    .option('--json', 'machine-readable JSON on stdout (errors too)')
    .option('--home <dir>', 'progeny home (default: $PROGENY_HOME or the platform data directory)')
    .option('--debug', 'show stack traces and debug details')
    .option('--no-color', 'disable colours (NO_COLOR is honoured too)')
    .showSuggestionAfterError(true)
    .configureHelp({ sortSubcommands: false })
    .addHelpText(
      'after',
      `\nText that starts with "-" goes after \`--\` (everything after it is text, not flags):\n  progeny memory search -- "-5 °C in the garden"\n\n${EXIT_CODE_HELP}`,
    );
  program.exitOverride();
  program.configureOutput({ writeErr: () => undefined, outputError: () => undefined });
  return program;
}

function addInitCommand(program: Command, run: Runner): void {
  program
    .command('init')
    .description('create a companion in this home (from a template or a short interview)')
    .option('-t, --template <name>', 'heritage template (see --list-templates)', 'companion')
    .option('--list-templates', 'list the heritage templates')
    .option('--interview', 'answer the convergence interview (on a TTY) to shape the heritage')
    .option('--answers <file>', 'interview answers as a JSON file (non-interactive)')
    .option('--name <name>', "the companion's name")
    .option('--creator <name>', 'what the companion calls you')
    .option('--force', 'add a new heritage version even if this home is initialised')
    .action(run('init'));
}

function addChatCommand(program: Command, run: Runner): void {
  program
    .command('chat')
    .description('talk to your companion (a TUI on a terminal; headless with -m or piped stdin)')
    .option('-m, --message <text>', 'send one message and print the reply')
    .option('--stream', 'print engine events as NDJSON while the reply streams')
    .option('-c, --conversation <id>', 'continue a conversation (default: a new one)')
    .option('--continue', 'continue the most recent conversation')
    .option('--continue-reply', "continue the conversation's last reply, which was cut at llm.maxTokens")
    .option('--plain', 'plain line mode instead of the TUI')
    .option('--require-model', 'fail (exit 4) instead of answering OFFLINE when no model is reachable')
    .option('--list', 'list recent conversations')
    .addHelpText(
      'after',
      '\n-m takes the next argument whole, even one that starts with "-": progeny chat -m "-5 °C, coat?"',
    )
    .action(run('chat'));
}

function addDreamCommand(program: Command, run: Runner): void {
  program
    .command('dream')
    .description('consolidate memory: merge near-duplicates, fade old unrecalled ones (never deletes)')
    .option('--dry-run', 'report what would change without changing anything')
    .option(
      '--summarise',
      'condense the memories that fade out into summaries written by the model first (memory.dream.summarise)',
    )
    .option('--no-summarise', 'do not, whatever memory.dream.summarise says')
    .action(run('dream'));
}

function addServeAndMcpCommands(program: Command, run: Runner): void {
  program
    .command('serve')
    .description('serve the HTTP + WebSocket API and an OpenAI-compatible endpoint (see docs/api.md)')
    .option('-p, --port <n>', 'port to listen on; 0 picks a free one (default: server.port)', intOption(0, 65_535))
    .option('--host <address>', 'address to bind (default: server.host, 127.0.0.1)', addressOption)
    .addOption(new Option('--log <level>', 'structured JSON request logs on stderr').choices(['off', 'info', 'debug']))
    .action(run('serve'));

  program
    .command('mcp')
    .description(
      'serve the companion to MCP clients (Claude Desktop, gemini-cli, editors) on stdin/stdout (see docs/mcp.md)',
    )
    .action(run('mcp'));
}

export function buildProgram(rt: Runtime, signal: AbortSignal, argv: string[] = process.argv): Command {
  const run = makeRunner(rt, signal);
  const program = rootProgram(argv);
  // Commands are added in the order `progeny --help` lists them (sortSubcommands is off).
  addInitCommand(program, run);
  addChatCommand(program, run);

  // A group's subcommands are defined only when the command line names that group: building the whole tree (dozens
  // of commands and options) at every start cost milliseconds; the top-level help needs only the groups' names.
  const wanted = commandNamed(argv);
  const group = (name: string, description: string, fill: (cmd: Command, run: Runner) => void): Command => {
    const cmd = program.command(name).description(description);
    if (wanted === name) fill(cmd, run);
    return cmd;
  };
  group('memory', 'inspect and curate what your companion remembers', addMemoryCommands);
  group('state', 'the limbic state: trust, warmth, arousal, valence, posture', addStateCommands);
  group('heritage', 'the companion’s identity and its versions', addHeritageCommands);
  addDreamCommand(program, run);
  group('config', 'read and change settings (defaults ← file ← env ← flags)', addConfigCommands);
  group('bench', 'measure latency (P50/P95/P99), throughput and resources; gate CI on them', addBenchCommands);
  addProfileCommand(program, run);
  group('sync', 'end-to-end encrypted sync with your other devices (alone: pull, then push)', addSyncCommands)
    .option('--budget <seconds>', 'time allowed for retries, in seconds', secondsOption, 60)
    .action(run('sync/both'));
  group('device', 'the devices of your sync vault: list, approve, revoke, rename', addDeviceCommands);
  addServeAndMcpCommands(program, run);
  group('token', 'API tokens (with capabilities) for clients of `progeny serve`', addTokenCommands);
  program
    .command('doctor')
    .description('check the home, the store, the model server and the embedder, with fixes')
    .action(run('doctor'));
  return program;
}

/** The command the line names (`memory` in `progeny --home h memory list`, or in `progeny help memory`). */
export function commandNamed(argv: string[]): string | undefined {
  const args = argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--') return undefined;
    if (a === '--home') i++;
    else if (!a.startsWith('-')) return a === 'help' ? args.slice(i + 1).find((x) => !x.startsWith('-')) : a;
  }
  return undefined;
}

/** Maps commander's own errors (unknown option, missing argument…) to a usage error, or lets help/version exit 0. */
export function commanderToProgeny(err: unknown, argv: string[] = []): ProgenyError | 'exit-ok' | undefined {
  if (!(err instanceof CommanderError)) return undefined;
  if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help')
    return 'exit-ok';
  const message =
    err.code === 'commander.invalidArgument'
      ? invalidValueMessage(err.message, argv)
      : err.message.replace(/^error:\s*/, '');
  return new ProgenyError('USAGE', message, {
    hint: 'see `progeny --help`, or `progeny <command> --help`',
  });
}

/**
 * Commander says "option '-k, --limit <n>' argument '0' is invalid. must be …"; the user typed one of those forms,
 * so the message names that one: `-k must be a whole number from 1 to 100, got "0"`.
 */
export function invalidValueMessage(raw: string, argv: string[]): string {
  const text = raw.replace(/^error:\s*/, '');
  const option = /^option '([^']+)' argument '([\s\S]*)' is invalid\.\s*([\s\S]*)$/.exec(text);
  const argument = /^command-argument value '([\s\S]*)' is invalid for argument '([^']+)'\.\s*([\s\S]*)$/.exec(text);
  const reason = (r: string): string =>
    r.replace(/^Allowed choices are (.*)\.$/, 'must be one of $1').replace(/\.$/, '');
  if (argument) return `<${argument[2]}> ${reason(argument[3] ?? '')}, got "${argument[1]}"`;
  if (!option) return text;
  const forms = (option[1] ?? '')
    .replace(/\s*[<[].*$/, '')
    .split(/[\s,|]+/)
    .filter(Boolean);
  const typed = argv.findLast((a) =>
    forms.some((f) => a === f || a.startsWith(`${f}=`) || (f.length === 2 && a.startsWith(f))),
  );
  const flag = forms.find((f) => typed?.startsWith(f)) ?? forms.at(-1) ?? option[1];
  return `${flag} ${reason(option[3] ?? '')}, got "${option[2]}"`;
}
