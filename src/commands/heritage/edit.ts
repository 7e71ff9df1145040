/**
 * `heritage edit`: a whole document (--file, or - for stdin), field changes (--set field=value), or $EDITOR on a TTY.
 * Every path validates the result and writes a new version; an invalid document changes nothing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandContext } from '../context.js';
import { readAll } from '../args.js';
import type { CommandResult } from '../output.js';
import { usageError } from '../../core/errors.js';
import { HERITAGE_FIELDS, type Heritage } from '../../core/heritage/types.js';

const LIST_FIELDS = ['core_traits', 'values', 'boundaries', 'interests'];

export function applySets(doc: Heritage, sets: string[]): Heritage {
  const next = structuredClone(doc) as unknown as Record<string, unknown>;
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw usageError(`--set needs field=value, got "${s}"`);
    const field = s.slice(0, eq).trim();
    const value = s.slice(eq + 1);
    if (field.startsWith('voice.')) {
      const key = field.slice(6);
      const voice = next.voice as Record<string, unknown>;
      if (!(key in voice))
        throw usageError(`unknown voice field "${key}"`, `voice fields: ${Object.keys(voice).join(', ')}`);
      voice[key] =
        key === 'formality'
          ? Number(value)
          : key === 'vocabulary_markers'
            ? value
                .split(',')
                .map((x) => x.trim())
                .filter(Boolean)
            : value;
    } else if ((HERITAGE_FIELDS as readonly string[]).includes(field)) {
      next[field] = LIST_FIELDS.includes(field)
        ? value
            .split(',')
            .map((x) => x.trim())
            .filter(Boolean)
        : value;
    } else throw usageError(`unknown heritage field "${field}"`, `fields: ${HERITAGE_FIELDS.join(', ')}, voice.*`);
  }
  return next as unknown as Heritage;
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw usageError(`${where} is not valid JSON: ${(err as Error).message}`, 'nothing was changed');
  }
}

function editInEditor(ctx: CommandContext, doc: Heritage): unknown {
  const editor = ctx.env.VISUAL || ctx.env.EDITOR;
  if (!editor || !ctx.stdin.isTTY)
    throw usageError('nothing to change', 'pass --set field=value, --file heritage.json, or set $EDITOR on a terminal');
  const dir = mkdtempSync(join(tmpdir(), 'progeny-heritage-'));
  const file = join(dir, 'heritage.json');
  try {
    writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600 });
    const r = spawnSync(editor, [file], { stdio: 'inherit', shell: true });
    if (r.status !== 0) throw usageError(`the editor exited with ${r.status}`, 'nothing was changed');
    return parseJson(readFileSync(file, 'utf8'), 'the edited heritage');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface HeritageEditOptions {
  file?: string;
  set?: string[];
  reason?: string;
  allowBaseChange?: boolean;
}

export async function run(ctx: CommandContext, _args: string[], opts: HeritageEditOptions): Promise<CommandResult> {
  const engine = await ctx.engine();
  const current = engine.heritage.current();
  let next: unknown;
  if (opts.file !== undefined) {
    const text = opts.file === '-' ? await readAll(ctx.stdin) : readFileSync(opts.file, 'utf8');
    next = parseJson(text, opts.file === '-' ? 'stdin' : opts.file);
  } else if (opts.set) next = applySets(current.doc, opts.set);
  else next = editInEditor(ctx, current.doc);
  const reason = opts.reason ?? 'edited by the creator';
  const v = engine.heritage.update(next, reason, { allowBase: opts.allowBaseChange === true });
  const { doc: _doc, ...meta } = v;
  return {
    data: meta,
    view: { kind: 'text', text: `Heritage version ${v.version}: changed ${v.changed.join(', ')}.` },
  };
}
