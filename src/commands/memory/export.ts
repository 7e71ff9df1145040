/** Streams JSONL to stdout or atomically to a file (a half-written export never replaces a good one). */
import type { CommandContext } from '../context.js';
import type { CommandResult } from '../output.js';
import { checkOutputFile, writeOutputFile } from '../output-file.js';

export async function run(ctx: CommandContext, _args: string[], opts: { out?: string }): Promise<CommandResult | void> {
  if (opts.out !== undefined) checkOutputFile(opts.out, '--out');
  const engine = await ctx.engine();
  let count = 0;
  if (opts.out !== undefined) {
    const lines: string[] = [];
    for (const line of engine.memory.exportJsonl()) {
      lines.push(line);
      count++;
    }
    writeOutputFile(opts.out, lines.length ? `${lines.join('\n')}\n` : '', '--out', 0o600);
    return {
      data: { exported: count, file: opts.out },
      view: { kind: 'text', text: `Exported ${count} memories to ${opts.out}.` },
    };
  }
  for (const line of engine.memory.exportJsonl()) {
    ctx.out.write(`${line}\n`);
    count++;
  }
  ctx.out.notice(`exported ${count} memories`);
}
