import type { CommandContext } from '../context.js';
import type { CommandResult } from '../output.js';
import { requireKey, setConfigValue } from '../../core/config/load.js';
import { maskIfSecret } from './mask.js';

export async function run(ctx: CommandContext, args: string[]): Promise<CommandResult> {
  const key = requireKey(args[0] as string);
  const values = setConfigValue(ctx.paths.config, key, args[1] as string);
  const value = maskIfSecret(key, values[key]);
  return {
    data: { key, value, file: ctx.paths.config },
    view: { kind: 'text', text: `${key} = ${String(value)}  (${ctx.paths.config})` },
  };
}
