/**
 * The LLM test double as a command: `npm run llm-double -- [options]` (or `npx tsx src/testing/llm-double-cli.ts`).
 * It is how a contributor tries `progeny chat` without a model server: it answers every chat with one recorded reply
 * from fixtures/llm (chosen with --fixture, listed with --list), over Ollama's API and the OpenAI-compatible one.
 * stdout gets one JSON line {"url","ollamaUrl","openaiUrl","pid"} (for scripts and tests), stderr what to run next.
 * Bad flags are one line and exit 2, never a stack trace.
 */
import { readdirSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import type { LlmFault } from './llm-double-faults.js';
import { FIXTURES_DIR, loadRecording } from './llm-double-fixtures.js';
import type { LlmTestDouble, LlmTestDoubleOptions } from './llm-double.js';

export const HELP = `Usage: npm run llm-double -- [options]

A stand-in for a model server, for trying progeny without one. It is NOT a model: every chat request is answered
with the same recorded reply, streamed token by token; embeddings are deterministic hashes.

Options:
  --fixture NAME|FILE     the recorded reply to send (default: greeting; see --list), or a path such as
                          fixtures/llm/greeting.ollama.ndjson (its .openai.sse pair is used too)
  --list                  list the recorded replies and exit
  --port N                port on 127.0.0.1 (default: 0, a free one)
  --models A,B            the models it claims to have (default: llama3.2:latest,nomic-embed-text:latest)
  --api-key KEY           demand this bearer token on the OpenAI-compatible routes
  --token-delay-ms N      pause between streamed tokens (default: 0)
  --embed-dims N          dimension of its embeddings (default: 16)
  --load-ms N             cold start: no model is in memory, loading one holds its first reply's headers N ms
                          (as Ollama does), and it unloads after --keep-alive-ms idle (default: 300000)
  --thinking-models A,B   models that stream their reasoning before the answer (Ollama message.thinking,
                          OpenAI-compatible --reasoning-field: reasoning_content (default) or reasoning)
  --reasoning-models A,B  models that refuse max_tokens and a non-default temperature with a 400, as OpenAI's
                          o-series do
  --fault JSON            misbehave on every request, e.g. '{"status":500}', '{"cutAfterChunks":3}',
                          '{"midStreamError":{"afterChunks":3}}', '{"doneReasonLoad":true}' or
                          '{"tokenDelayMs":200}' (the options of LlmFault in src/testing/llm-double-faults.ts)
  -h, --help              this help

Then, in another terminal (the URL is printed when it starts):
  PROGENY_LLM_URL=http://127.0.0.1:PORT progeny chat
  PROGENY_LLM_PROVIDER=openai PROGENY_LLM_URL=http://127.0.0.1:PORT/v1 progeny chat -m hello
Stop it with Ctrl+C.`;

class CliError extends Error {}

/** "greeting", or a path such as fixtures/llm/greeting.ollama.ndjson (the pair beside it is used). */
function fixtureOption(value: string): Pick<LlmTestDoubleOptions, 'fixture' | 'fixturesDir'> {
  if (!value.includes('/')) return { fixture: value };
  return { fixture: basename(value).replace(/\.(ollama\.ndjson|openai\.sse)$/, ''), fixturesDir: dirname(value) };
}

function intOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new CliError(`--${name} must be a whole number ≥ 0, got "${value}"`);
  return n;
}

/** The recordings in fixtures/llm: name, token count and the reply's first words. */
export function listRecordings(dir = FIXTURES_DIR): string[] {
  const names = readdirSync(dir)
    .filter((f) => f.endsWith('.ollama.ndjson'))
    .map((f) => f.replace(/\.ollama\.ndjson$/, ''))
    .sort();
  return names.map((name) => {
    const r = loadRecording(name, dir);
    const start = r.text.replace(/\s+/g, ' ').slice(0, 60);
    return `${name.padEnd(12)} ${String(r.tokens).padStart(4)} tokens  ${start}…`;
  });
}

function parse(argv: string[]): ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'] {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: false }).values;
  } catch (err) {
    throw new CliError((err as Error).message);
  }
}

const OPTIONS = {
  port: { type: 'string', default: '0' },
  fixture: { type: 'string', default: 'greeting' },
  list: { type: 'boolean' },
  models: { type: 'string' },
  'api-key': { type: 'string' },
  'token-delay-ms': { type: 'string' },
  'embed-dims': { type: 'string' },
  'load-ms': { type: 'string' },
  'keep-alive-ms': { type: 'string' },
  'thinking-models': { type: 'string' },
  'reasoning-models': { type: 'string' },
  'reasoning-field': { type: 'string' },
  fault: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function optionsFrom(values: ReturnType<typeof parse>): LlmTestDoubleOptions {
  const opts: LlmTestDoubleOptions = {
    ...fixtureOption(values.fixture ?? 'greeting'),
    port: intOption('port', values.port) ?? 0,
  };
  const list = (v: string | undefined): string[] | undefined =>
    v
      ?.split(',')
      .map((m) => m.trim())
      .filter(Boolean);
  if (values.models) opts.models = list(values.models);
  const thinking = list(values['thinking-models']);
  if (thinking) opts.thinkingModels = thinking;
  const reasoning = list(values['reasoning-models']);
  if (reasoning) opts.reasoningModels = reasoning;
  const field = values['reasoning-field'];
  if (field !== undefined && field !== 'reasoning' && field !== 'reasoning_content')
    throw new CliError(`--reasoning-field must be reasoning_content or reasoning, got "${field}"`);
  if (field) opts.reasoningField = field;
  const loadMs = intOption('load-ms', values['load-ms']);
  if (loadMs !== undefined) opts.loadMs = loadMs;
  const keepAlive = intOption('keep-alive-ms', values['keep-alive-ms']);
  if (keepAlive !== undefined) opts.keepAliveMs = keepAlive;
  if (values['api-key']) opts.apiKey = values['api-key'];
  const tokenDelay = intOption('token-delay-ms', values['token-delay-ms']);
  if (tokenDelay !== undefined) opts.tokenDelayMs = tokenDelay;
  const dims = intOption('embed-dims', values['embed-dims']);
  if (dims !== undefined) opts.embedDims = dims;
  try {
    loadRecording(opts.fixture ?? 'greeting', opts.fixturesDir);
  } catch {
    throw new CliError(`no recorded reply "${values.fixture}" (run with --list to see them)`);
  }
  return opts;
}

function faultOption(value: string | undefined): LlmFault | undefined {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value) as LlmFault;
  } catch {
    throw new CliError(`--fault must be JSON, e.g. '{"status":500}', got ${value}`);
  }
}

export async function runDoubleCli(
  argv: string[],
  start: (opts: LlmTestDoubleOptions) => Promise<LlmTestDouble>,
): Promise<void> {
  const values = parse(argv);
  if (values.help) return void process.stdout.write(`${HELP}\n`);
  if (values.list) return void process.stdout.write(`${listRecordings().join('\n')}\n`);
  const opts = optionsFrom(values);
  const fault = faultOption(values.fault);
  const double = await start(opts);
  if (fault) double.failAlways(fault);
  process.stdout.write(
    `${JSON.stringify({ url: double.url, ollamaUrl: double.ollamaUrl, openaiUrl: double.openaiUrl, pid: process.pid })}\n`,
  );
  process.stderr.write(
    `llm-double: replying "${opts.fixture}" at ${double.url} (a test double, not a model). Try:\n  PROGENY_LLM_URL=${double.url} progeny chat\n`,
  );
  const stop = (): void => {
    void double.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/** Runs the CLI with its error boundary: a known problem is one line and exit 2; anything else exit 1. */
export async function main(
  argv: string[],
  start?: (opts: LlmTestDoubleOptions) => Promise<LlmTestDouble>,
): Promise<void> {
  try {
    await runDoubleCli(argv, start ?? (await import('./llm-double.js')).startLlmTestDouble);
  } catch (err) {
    const known = err instanceof CliError || (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
    process.stderr.write(`llm-double: error: ${(err as Error).message}\n  hint: npm run llm-double -- --help\n`);
    process.exitCode = known ? 2 : 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main(process.argv.slice(2));
