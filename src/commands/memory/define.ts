/**
 * The `memory` command definitions (flags and their typed parsers only; the implementations load when they run).
 * Kept apart from src/cli.ts so the command tree stays one readable file.
 */
import { Option, type Command } from 'commander';
import { MEMORY_KINDS } from '../../core/memory/types.js';
import { intOption, listOption, nameOption, unitOption } from '../options.js';
import type { Runner } from '../runner.js';

const DASH_NOTE = '\nText that starts with "-" goes after `--`, e.g. progeny memory add -- "-5 °C in the garden".';

/** Defined in the order `progeny memory --help` lists them. */
export function addMemoryCommands(memory: Command, run: Runner): void {
  addRecordAndRecallCommands(memory, run);
  addCurationCommands(memory, run);
  addTransferCommands(memory, run);
}

/** add, search, list, show. */
function addRecordAndRecallCommands(memory: Command, run: Runner): void {
  memory
    .command('add')
    .argument('<text...>', 'what to remember')
    .addOption(new Option('-k, --kind <kind>', 'what kind of memory').choices(MEMORY_KINDS).default('fact'))
    .option('-s, --salience <0..1>', 'importance', unitOption, 0.5)
    .option('--actor <name>', 'whose memory', nameOption, 'creator')
    .option('--pin', 'pin it')
    .description('remember something now')
    .addHelpText('after', DASH_NOTE)
    .action(run('memory/add'));
  memory
    .command('search')
    .argument('[query...]', 'what to recall; - reads it from stdin')
    .option('-k, --limit <n>', 'how many to recall', intOption(1, 100), 5)
    .option('--actor <name>', "whose memories: a name, or '*' for every actor (the default)", nameOption)
    .option('--kind <kinds>', 'only these kinds (comma-separated)', listOption(MEMORY_KINDS))
    .option('--batch', 'NDJSON queries on stdin ({"query": …} per line), NDJSON results on stdout, in one process')
    .description('recall memories for a query, with the parts of each score (read-only: recall counts stay)')
    .addHelpText(
      'after',
      `${DASH_NOTE.replace('memory add', 'memory search')}
Batch: each stdin line is {"query": TEXT, "k"?: N, "actor"?: NAME, "kinds"?: [KIND…], "id"?: ANY}; each stdout line
is {"id"?, "query", "results"} or {"line", "error"} for a line that is not a valid query.`,
    )
    .action(run('memory/search'));
  memory
    .command('list')
    .option('-n, --limit <n>', 'page size', intOption(1, 1000), 20)
    .option('--cursor <cursor>', 'continue from a previous page')
    .addOption(new Option('--kind <kind>', 'only this kind').choices(MEMORY_KINDS))
    .option('--actor <name>', 'only this actor’s memories', nameOption)
    .addOption(
      new Option('--status <status>', 'which memories')
        .choices(['active', 'archived', 'forgotten', 'all'] as const)
        .default('active'),
    )
    .description('list memories, newest first')
    .action(run('memory/list'));
  memory.command('show').argument('<id>').description('show one memory').action(run('memory/show'));
}

/** edit, forget, pin, restore, history. */
function addCurationCommands(memory: Command, run: Runner): void {
  memory
    .command('edit')
    .argument('<id>')
    .option('--text <text>')
    .option('--salience <0..1>', 'importance', unitOption)
    .addOption(new Option('--kind <kind>').choices(MEMORY_KINDS))
    .option('--reason <why>', 'why it changed', 'edited by the creator')
    .description('edit a memory (the previous text is kept in its history)')
    .action(run('memory/edit'));
  memory
    .command('forget')
    .argument('<id>')
    .option('-y, --yes', 'do not ask')
    .description('forget a memory: its text and vector are purged')
    .action(run('memory/forget'));
  memory
    .command('pin')
    .argument('<id>')
    .option('--unpin', 'unpin instead')
    .description('pin (or unpin) a memory')
    .action(run('memory/pin'));
  memory
    .command('restore')
    .argument('<id>')
    .description('bring back a memory archived by dream')
    .action(run('memory/restore'));
  memory.command('history').argument('<id>').description('the revisions of a memory').action(run('memory/history'));
}

/** export, import, reindex, migrate. */
function addTransferCommands(memory: Command, run: Runner): void {
  memory
    .command('export')
    .option('-o, --out <file>', 'write to a file instead of stdout')
    .description('export memories as JSONL')
    .action(run('memory/export'));
  memory
    .command('import')
    .argument('<file>', 'a JSONL file, or - for stdin')
    .description('import memories from JSONL (invalid lines are reported, not applied; re-importing changes nothing)')
    .action(run('memory/import'));
  memory
    .command('reindex')
    .option('--all', 'also re-embed the memories that already have a vector of the current embedder')
    .description('embed the memories that lack a vector of the current embedder (resumable) and rebuild the index')
    .action(run('memory/reindex'));
  memory
    .command('migrate')
    .addOption(
      new Option('--to <backend>', 'the backend to copy into').choices(['qdrant', 'embedded']).makeOptionMandatory(),
    )
    .option('--batch <n>', 'memories per acknowledged batch', intOption(1, 10_000), 256)
    .option('--sample <n>', 'memories whose recall is checked against exact search', intOption(0, 1_000), 20)
    .option('--restart', 'ignore the checkpoint of an interrupted run and copy everything')
    .description('copy every memory into the other vector backend (resumable, verified)')
    .action(run('memory/migrate'));
}
