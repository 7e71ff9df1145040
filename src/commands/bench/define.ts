/**
 * The `bench` and `profile` command definitions (flags only; the implementations are imported when they run).
 * Kept apart from src/cli.ts so the shared command tree gains one line.
 */
import type { Command } from 'commander';

import { collect } from '../options.js';
import type { Runner } from '../runner.js';

const RECALL_HELP = `
Each conversation is imported into its own throwaway home (one memory per turn, "speaker: text", turns a minute
apart from their session's date, naming their conversation) with this home's configuration plus --set; every
question is asked as \`progeny memory search\` asks it. recall@k is the share of a question's evidence turns among
the first k memories found, averaged over the questions. Thresholds: 'recall@10>=0.6' (all questions),
'recall.temporal:recall@5>=0.5' (one category), 'recall.all:p(99)<20ms' (search latency).

The file (JSON):
  {"conversations": [{"id": "c1",
     "sessions": [{"date": "2026-01-05", "turns": [{"id": "t1", "speaker": "Maya", "text": "I moved to Lisbon."}, …]}, …],
     "questions": [{"question": "Where do I live now?", "evidence": ["t1"], "category": "single-hop"}, …]}]}
Turn ids are unique within their conversation; a date may carry a time ("2026-01-05T18:30:00Z"); category is
optional. A malformed file is refused with the line and field of the problem (exit 2). See docs/memory-recall.md.`;

function judgingOptions(cmd: Command): Command {
  return cmd
    .option('--threshold <expr>', "fail (exit 10) unless e.g. 'state.read:p(99)<0.05ms' holds (repeatable)", collect)
    .option('--thresholds-file <file>', 'thresholds from a JSON file: an array of expressions or {"thresholds": [...]}')
    .option('--baseline <file>', 'compare with a saved report; a regression exits 11')
    .option('--max-regression <pct>', 'tolerance for --baseline (default 10%)')
    .option('--save-baseline <file>', 'save this run as a baseline')
    .option('--out <file>', 'also write the JSON report to a file (atomically)')
    .option('--plot <file>', 'also draw the report: latency per case, growth across --memories sizes (.svg or .html)');
}

/** The subcommands of `bench` (src/cli.ts defines the group, and fills it only when the command line names it). */
export function addBenchCommands(bench: Command, run: Runner): void {
  judgingOptions(
    bench
      .command('core')
      .description('in-process suites (memory, state, sync, chat), each run in a fresh child process')
      .option('--suite <names>', 'comma-separated suites (default: all but scale)')
      .option('--filter <globs>', "only cases matching these globs, e.g. 'state.*,memory.recall*'")
      .option('--runs <n>', 'fresh processes per suite', '3')
      .option('--duration <d>', 'measured time per case and run (e.g. 2s, 500ms)', '2s')
      .option('--warmup <d>', 'warm-up per case and run', '500ms')
      .option('--max-calls <n>', 'upper bound on calls per case and run', '1000000')
      .option(
        '--memories <sizes>',
        'dataset size for the memory, chat and scale suites; a list (10k,100k,1m) runs each size and reports growth',
      )
      .option('--seed <n>', 'seed for all generated data', '42')
      .option('--setup-timeout <d>', 'time allowed to build a suite’s dataset', '10m'),
  ).action(run('bench/core'));
  judgingOptions(
    bench
      .command('http')
      .description(
        'HTTP load: closed model (max rate) and open model (fixed rate, timed from intended send), against a node:http reference',
      )
      .option('--url <url>', 'a running server (default: loopback only, via --spawn)')
      .option('--spawn', 'start `progeny serve` in a separate process (pinned to another core when possible)')
      .option('--token <token>', 'bearer token for --url (default: the home’s server token)')
      .option('--route <route>', "a route to load, e.g. 'GET /v1/state' (repeatable)", collect)
      .option('--connections <n>', 'concurrent connections (closed model)', '10')
      .option('--duration <d>', 'measured time per route and model', '5s')
      .option('--rate <r>', 'open-model rate in requests/s (default: half the measured closed-model rate)')
      .option('--model <m>', 'closed (max rate), open (fixed rate) or both', 'both')
      .option(
        '--closed-generator <g>',
        'closed-model load generator: raw (node:net, low overhead) or autocannon',
        'raw',
      )
      .option('--runs <n>', 'passes per route', '1')
      .option('--no-reference', 'skip the bare node:http reference server'),
  ).action(run('bench/http'));
  judgingOptions(
    bench
      .command('ws')
      .description('WebSocket round trips, timed from each message’s intended send time')
      .option('--url <url>', 'a running server’s ws:// URL (default: --spawn)')
      .option('--spawn', 'start `progeny serve` in a separate process')
      .option('--token <token>', 'bearer token for --url')
      .option('--connections <n>', 'connections', '50')
      .option('--rate <r>', 'messages per second per connection', '20')
      .option('--message <type>', 'what to send: state.get (a state read) or ping', 'state.get')
      .option('--duration <d>', 'measured time', '5s')
      .option('--runs <n>', 'passes', '1'),
  ).action(run('bench/ws'));

  judgingOptions(
    bench
      .command('recall')
      .argument('<file>', 'a conversation file (JSON; format below)')
      .description('evidence recall@k of memory search on a conversation file, overall and per category')
      .option('--k <list>', 'the k of recall@k, comma-separated', '5,10')
      .option(
        '--set <key=value>',
        'a configuration value for this run only, e.g. memory.recall.lambda=1 (repeatable)',
        collect,
      )
      .option(
        '--switch-from <kind>',
        'recall during an embedder switch: import with this embedder.kind (e.g. hash), then ask with the configured one',
      )
      .option('--reembedded <pct>', 'with --switch-from: how much was re-embedded before the questions (0-100)', '0')
      .addHelpText('after', RECALL_HELP),
  ).action(run('bench/recall'));
}

export function addProfileCommand(program: Command, run: Runner): void {
  program
    .command('profile')
    .argument(
      '<target>',
      "a core suite (state, chat, …; optionally suite:case-glob) or an HTTP route like 'GET /v1/state' (profiles a spawned progeny serve)",
    )
    .description(
      'record a CPU profile (.cpuprofile, opens in Chrome DevTools) and print the top functions by self time',
    )
    .option('--duration <d>', 'how long to record', '5s')
    .option('--out <file>', 'where to write the .cpuprofile (default: progeny-<target>-<time>.cpuprofile)')
    .option('--top <n>', 'how many functions to list', '15')
    .option('--memories <n>', 'dataset size for core suites')
    .action(run('profile'));
}
