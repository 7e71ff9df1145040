import type { CommandContext } from '../context.js';
import type { CommandResult } from '../output.js';
import { loadConfig, requireKey } from '../../core/config/load.js';
import { CONFIG_SCHEMA, envVarFor } from '../../core/config/schema.js';
import { maskIfSecret } from './mask.js';

export async function run(ctx: CommandContext, args: string[]): Promise<CommandResult> {
  const key = requireKey(args[0] as string);
  const { config, sources } = loadConfig({ path: ctx.paths.config, env: ctx.env });
  const value = maskIfSecret(key, config[key]);
  return {
    data: { key, value, source: sources[key], env: envVarFor(key), doc: CONFIG_SCHEMA[key].doc },
    view: { kind: 'text', text: String(value) },
  };
}
