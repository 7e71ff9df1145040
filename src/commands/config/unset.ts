import type { CommandContext } from '../context.js';
import type { CommandResult } from '../output.js';
import { requireKey, setConfigValue } from '../../core/config/load.js';
import { CONFIG_SCHEMA } from '../../core/config/schema.js';

export async function run(ctx: CommandContext, args: string[]): Promise<CommandResult> {
  const key = requireKey(args[0] as string);
  setConfigValue(ctx.paths.config, key, undefined);
  return {
    data: { key, unset: true },
    view: { kind: 'text', text: `${key} unset (default: ${String(CONFIG_SCHEMA[key].default)})` },
  };
}
