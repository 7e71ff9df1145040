/**
 * How the command tree (src/cli.ts and the define.ts modules) names a command's implementation: `run('memory/add')`
 * returns the commander action that imports dist/commands/memory/add.js when, and only when, that command runs.
 */
import type { CommandContext } from './context.js';
import type { CommandResult, StreamedResult } from './output.js';

export type Runner = (module: string) => (...args: unknown[]) => Promise<void>;

/**
 * A command module. `opts` holds commander's parsed options: values already converted by the typed parsers of
 * ./options.ts and `.choices()`, so each module declares the options it reads as an interface instead of re-parsing.
 */
export interface CommandModule {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each module narrows opts to its own interface
  run(ctx: CommandContext, args: string[], opts: any): Promise<CommandResult | StreamedResult | void>;
}
