/** The test double as a separate process: parses flags, prints its URLs as one JSON line, serves until signalled. */
import { basename, dirname } from 'node:path';
import { parseArgs } from 'node:util';
import type { LlmFault } from './llm-double-faults.js';
import type { LlmTestDouble, LlmTestDoubleOptions } from './llm-double.js';

/** "greeting", or a path such as fixtures/llm/greeting.ollama.ndjson (the pair beside it is used). */
function fixtureOption(value: string): Pick<LlmTestDoubleOptions, 'fixture' | 'fixturesDir'> {
  if (!value.includes('/')) return { fixture: value };
  return { fixture: basename(value).replace(/\.(ollama\.ndjson|openai\.sse)$/, ''), fixturesDir: dirname(value) };
}

function intOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number ≥ 0, got ${value}`);
  return n;
}

export async function runDoubleCli(
  argv: string[],
  start: (opts: LlmTestDoubleOptions) => Promise<LlmTestDouble>,
): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '0' },
      fixture: { type: 'string', default: 'greeting' },
      models: { type: 'string' },
      'api-key': { type: 'string' },
      'token-delay-ms': { type: 'string' },
      'embed-dims': { type: 'string' },
      fault: { type: 'string' },
    },
  });
  const opts: LlmTestDoubleOptions = {
    ...fixtureOption(values.fixture ?? 'greeting'),
    port: intOption('port', values.port) ?? 0,
  };
  if (values.models)
    opts.models = values.models
      .split(',')
      .map((m) => m.trim())
      .filter(Boolean);
  if (values['api-key']) opts.apiKey = values['api-key'];
  const tokenDelay = intOption('token-delay-ms', values['token-delay-ms']);
  if (tokenDelay !== undefined) opts.tokenDelayMs = tokenDelay;
  const dims = intOption('embed-dims', values['embed-dims']);
  if (dims !== undefined) opts.embedDims = dims;
  const double = await start(opts);
  if (values.fault) double.failAlways(JSON.parse(values.fault) as LlmFault);
  process.stdout.write(
    `${JSON.stringify({ url: double.url, ollamaUrl: double.ollamaUrl, openaiUrl: double.openaiUrl, pid: process.pid })}\n`,
  );
  const stop = (): void => {
    void double.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
