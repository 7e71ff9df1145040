/** `progeny init`: a companion from a template, optionally shaped by the convergence interview. */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import type { CommandContext } from './context.js';
import type { CommandResult } from './output.js';
import { usageError } from '../core/errors.js';
import { INTERVIEW, type InterviewAnswers } from '../core/heritage/interview.js';
import { listTemplates } from '../core/heritage/templates.js';

async function askInterview(ctx: CommandContext): Promise<InterviewAnswers> {
  if (!ctx.stdin.isTTY)
    throw usageError('--interview needs a terminal', 'pass the answers with --answers answers.json instead');
  const rl = createInterface({ input: ctx.stdin, output: ctx.out.stderr });
  const answers: InterviewAnswers = {};
  try {
    let phase = '';
    for (const q of INTERVIEW) {
      if (q.phase !== phase) {
        phase = q.phase;
        ctx.out.notice(`— ${phase} —`);
      }
      answers[q.id] = (await rl.question(`${q.text}\n> `, { signal: ctx.signal })).trim();
    }
  } finally {
    rl.close();
  }
  return answers;
}

function readAnswers(file: string): InterviewAnswers {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw usageError(`cannot read answers from ${file}: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw usageError(`${file} must hold a JSON object of answers`);
  const ids = INTERVIEW.map((q) => q.id);
  for (const [k, v] of Object.entries(parsed)) {
    if (!ids.includes(k))
      throw usageError(`unknown interview question "${k}" in ${file}`, `questions: ${ids.join(', ')}`);
    if (typeof v !== 'string') throw usageError(`answer "${k}" in ${file} must be a string`);
  }
  return parsed as InterviewAnswers;
}

export interface InitOptions {
  template: string;
  listTemplates?: boolean;
  interview?: boolean;
  answers?: string;
  name?: string;
  creator?: string;
  force?: boolean;
}

export async function run(ctx: CommandContext, _args: string[], opts: InitOptions): Promise<CommandResult> {
  if (opts.listTemplates) {
    const templates = listTemplates();
    return { data: templates, view: { kind: 'text', text: templates.join('\n') } };
  }
  const answers =
    opts.answers !== undefined ? readAnswers(opts.answers) : opts.interview ? await askInterview(ctx) : undefined;
  const engine = await ctx.engine({ create: 'quietly' });
  const { initializeHome } = await import('../core/engine/init.js');
  const r = initializeHome(engine, {
    template: opts.template,
    ...(answers ? { answers } : {}),
    ...(opts.name !== undefined ? { name: opts.name } : {}),
    ...(opts.creator !== undefined ? { creator: opts.creator } : {}),
    force: opts.force === true,
  });
  return {
    data: r,
    view: {
      kind: 'text',
      text: `${r.created ? 'Created' : 'Updated'} ${r.name} in ${r.home} (heritage version ${r.heritageVersion}, template ${r.template}${r.answered ? `, ${r.answered} interview answers` : ''}).\nNext: progeny chat`,
    },
  };
}
