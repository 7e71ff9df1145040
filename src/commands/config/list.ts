import type { CommandContext } from '../context.js';
import type { CommandResult } from '../output.js';
import { loadConfig } from '../../core/config/load.js';
import { CONFIG_KEYS, CONFIG_SCHEMA, envVarFor } from '../../core/config/schema.js';
import { maskIfSecret } from './mask.js';

export async function run(ctx: CommandContext): Promise<CommandResult> {
  const { config, sources } = loadConfig({ path: ctx.paths.config, env: ctx.env });
  const rows = CONFIG_KEYS.map((key) => ({
    key,
    value: maskIfSecret(key, config[key]),
    source: sources[key],
    env: envVarFor(key),
    doc: CONFIG_SCHEMA[key].doc,
  }));
  return {
    data: rows,
    view: {
      kind: 'table',
      columns: [
        { key: 'key', label: 'KEY' },
        { key: 'value', label: 'VALUE' },
        { key: 'source', label: 'SOURCE' },
        { key: 'doc', label: 'MEANING', flex: true },
      ],
      rows,
      footer: `file: ${ctx.paths.config}; each key also reads PROGENY_<KEY> (dots → underscores), e.g. PROGENY_LLM_MODEL`,
    },
  };
}
