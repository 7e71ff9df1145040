/** Asks before destructive actions on a TTY; elsewhere requires --yes, so scripts never hang on a prompt. */
import { createInterface } from 'node:readline/promises';
import { interrupted, usageError } from '../core/errors.js';
import type { CommandContext } from './context.js';

export async function confirm(ctx: CommandContext, yes: boolean, question: string): Promise<void> {
  if (yes) return;
  if (!ctx.stdin.isTTY || !ctx.out.stderr.isTTY || ctx.globals.json)
    throw usageError('this needs confirmation', 'pass --yes to confirm');
  const rl = createInterface({ input: ctx.stdin, output: ctx.out.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `, { signal: ctx.signal });
    if (!/^y(es)?$/i.test(answer.trim())) throw interrupted('not confirmed; nothing changed');
  } finally {
    rl.close();
  }
}
