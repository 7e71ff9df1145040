/**
 * The one schema for configuration: type, default and documentation of every key. The README's config table and
 * `progeny config list` are generated from it, and every value from a file, the environment or a flag is checked
 * against it. Env var for key `a.bK` is PROGENY_A_BK (dots become underscores, upper-cased).
 */

export type ConfigKind = 'string' | 'number' | 'integer' | 'boolean' | 'enum';

export interface ConfigKeySpec {
  kind: ConfigKind;
  default: string | number | boolean;
  doc: string;
  values?: readonly string[];
  min?: number;
  max?: number;
  /** Secrets are masked in `config list` and `config get` output. */
  secret?: boolean;
}

type Spec<K extends ConfigKind> = ConfigKeySpec & { kind: K };

const num = (def: number, doc: string, min?: number, max?: number): Spec<'number'> => ({
  kind: 'number',
  default: def,
  doc,
  ...(min === undefined ? {} : { min }),
  ...(max === undefined ? {} : { max }),
});
const int = (def: number, doc: string, min = 0, max?: number): Spec<'integer'> => ({
  kind: 'integer',
  default: def,
  doc,
  min,
  ...(max === undefined ? {} : { max }),
});
const str = (def: string, doc: string, secret = false): Spec<'string'> => ({
  kind: 'string',
  default: def,
  doc,
  secret,
});
const oneOf = (values: readonly string[], def: string, doc: string): Spec<'enum'> => ({
  kind: 'enum',
  default: def,
  doc,
  values,
});
const bool = (def: boolean, doc: string): Spec<'boolean'> => ({ kind: 'boolean', default: def, doc });

export const CONFIG_SCHEMA = {
  'llm.provider': oneOf(['ollama', 'openai', 'offline'], 'ollama', 'LLM provider; offline answers from memory only'),
  'llm.url': str('http://127.0.0.1:11434', 'Base URL of the model server (Ollama, or an OpenAI-compatible /v1 base)'),
  'llm.model': str('llama3.2', 'Chat model name'),
  'llm.apiKey': str('', 'API key for OpenAI-compatible servers (sent as a bearer token)', true),
  'llm.timeoutMs': int(300_000, 'Total time allowed for one model request, a whole streamed reply included', 100),
  'llm.connectTimeoutMs': int(3_000, 'Time allowed to connect to the model server', 50),
  'llm.idleTimeoutMs': int(30_000, 'Longest silence allowed inside a streamed reply', 50),
  'llm.loadTimeoutMs': int(
    180_000,
    'Longest wait for a reply to start while Ollama loads the model into memory (its /api/ps does not list it)',
    50,
  ),
  'llm.retries': int(2, 'Retries for failed model requests (before any token arrived)', 0, 10),
  'llm.retryBaseMs': int(250, 'First retry waits up to this long; each further retry doubles it (full jitter)', 1),
  'llm.retryMaxMs': int(8_000, 'Longest wait between two retries (a server Retry-After may ask for more)', 1),
  'llm.maxTokens': int(1024, 'Upper bound on generated tokens per reply', 1),
  'llm.tokenLimitParam': oneOf(
    ['auto', 'max_tokens', 'max_completion_tokens'],
    'auto',
    'How an OpenAI-compatible request sends llm.maxTokens; auto: max_completion_tokens to api.openai.com, max_tokens elsewhere, switching once when the server refuses one',
  ),
  'llm.contextTokens': int(
    0,
    "The model's context window in tokens, for the usage the chat screen shows (0: unknown)",
    0,
  ),
  'embedder.kind': oneOf(
    ['builtin', 'hash', 'provider'],
    'builtin',
    "Embedder: the built-in semantic model (offline, falls back to hash), the hash embedder, or the LLM provider's",
  ),
  'embedder.model': str('nomic-embed-text', 'Embedding model when embedder.kind=provider'),
  'embedder.queryTimeoutMs': int(
    5_000,
    'Longest wait for the provider embedder to embed a recall query; then recall answers by words (and says so)',
    50,
  ),
  'embedder.idleMs': int(
    300_000,
    'The built-in model is unloaded (its memory released) after this long without work; 0 keeps it loaded',
    0,
  ),
  'embedder.runtime': oneOf(
    ['auto', 'native', 'wasm'],
    'auto',
    'What runs the built-in model: native (our C++ addon), wasm (TensorFlow.js WebAssembly workers), auto (native when it is built)',
  ),
  'embedder.workers': int(
    2,
    'Most batches of the built-in model running at once, one core each (a second starts under bulk load)',
    1,
    8,
  ),
  'memory.backend': oneOf(['embedded', 'qdrant'], 'embedded', 'Where memory vectors are searched'),
  'memory.indexReader': oneOf(
    ['auto', 'usearch'],
    'auto',
    "How a command that only searches reads the saved index: auto (progeny's own reader, usearch when it cannot), usearch",
  ),
  'memory.qdrant.url': str('http://127.0.0.1:6333', 'Qdrant URL when memory.backend=qdrant'),
  'memory.qdrant.apiKey': str(
    '',
    'Qdrant API key (better: $PROGENY_MEMORY_QDRANT_APIKEY or the 0600 file secrets/qdrant.key)',
    true,
  ),
  'memory.qdrant.collection': str('progeny_memories', 'Qdrant collection name'),
  'memory.qdrant.batchSize': int(
    256,
    'Qdrant writes: flush the write queue at this many points (one batch upsert)',
    1,
    10_000,
  ),
  'memory.qdrant.maxRequestMb': int(
    32,
    "Qdrant writes: largest request body in MiB (the server's service.max_request_size_mb); bigger batches are split",
    1,
    1024,
  ),
  'memory.qdrant.batchMs': int(5, 'Qdrant writes: flush the write queue after this many milliseconds', 0, 60_000),
  'memory.qdrant.timeoutMs': int(10_000, 'Time allowed for one Qdrant request', 50),
  'memory.qdrant.retries': int(3, 'Retries for a failed Qdrant request before the store degrades to AMNESIA', 0, 10),
  'memory.recall.k': int(5, 'Memories recalled per turn', 1, 100),
  'memory.recall.lambda': num(
    1,
    'MMR trade-off between relevance (1, no diversity term: measured best) and diversity (0)',
    0,
    1,
  ),
  'memory.recall.duplicate': num(
    0.95,
    'Cosine at or above which a candidate is a near-duplicate of a memory already recalled and is left out (1 = keep all)',
    0.5,
    1,
  ),
  'memory.recall.candidates': int(5, 'Candidates fetched per recalled memory (5 means 5·k)', 1, 50),
  'memory.recall.lexicalWeight': num(
    0.25,
    'Weight of the full-text (BM25) ranking in the rank fusion of hybrid recall (0 = vectors only, 1 = words only)',
    0,
    1,
  ),
  'memory.batch.size': int(256, 'Flush queued memory writes at this many items', 1, 100_000),
  'memory.batch.ms': int(50, 'Flush queued memory writes after this many milliseconds', 0, 60_000),
  'memory.dream.mergeThreshold': num(0.95, 'Cosine similarity at which dream merges near-duplicates', 0.5, 1),
  'memory.dream.staleDays': int(30, 'Unrecalled memories older than this lose salience in dream', 1),
  'memory.dream.everyHours': num(0, '`progeny serve` runs dream every this many hours (0 = never)', 0, 24 * 365),
  'memory.dream.summarise': bool(
    false,
    'Dream condenses the memories that fade out into summaries by the model (`dream --summarise`; scheduled dreams when a model answers)',
  ),
  'limbic.maxDelta': num(0.1, 'Largest change of one limbic variable per turn', 0, 1),
  'limbic.elasticMaxDelta': num(0.3, 'Largest change per turn while elastic mode (the init interview) is on', 0, 1),
  'limbic.reunionHours': num(48, 'Hours away after which the first turn is a reunion', 1),
  'chat.historyTurns': int(8, 'Recent turns of the conversation included in the prompt', 0, 200),
  'cache.response.ttlMs': int(86_400_000, 'How long an exact-match reply stays cached (0 disables)', 0),
  'cache.response.maxEntries': int(1_000, 'Most replies kept in the response cache', 0),
  'server.host': str('127.0.0.1', 'Address `progeny serve` binds'),
  'server.port': int(7437, 'Port `progeny serve` listens on', 0, 65_535),
  'server.bodyLimit': int(
    1_048_576,
    'Largest request body `progeny serve` accepts, in bytes (larger: 413)',
    1_024,
    100 * 1_048_576,
  ),
  'server.rateLimit': num(
    50,
    'Requests per second allowed per device token (0 = no limit; the server token is never limited)',
    0,
  ),
  'server.rateBurst': int(100, 'Requests a device token may send at once before the rate limit applies', 1),
  'server.wsPerToken': int(
    16,
    'WebSocket connections a device token may hold open at once (the server token is not limited)',
    1,
    10_000,
  ),
  'server.log': oneOf(['off', 'info', 'debug'], 'off', 'Structured JSON request logs of `progeny serve` on stderr'),
  'server.relay': bool(true, 'Serve the sync relay (under /v1/sync/) from `progeny serve`'),
  'server.fastPath': bool(
    true,
    'Answer GET /v1/state in front of fastify, with the same checks and reply (false: every request through fastify)',
  ),
  'server.drainMs': int(
    5_000,
    'On shutdown, how long in-flight chat turns may finish before they are interrupted',
    0,
    600_000,
  ),
  'relay.rateLimit': num(
    20,
    'Requests per second the sync relay allows per address, and again per device once signed (0 = no limit)',
    0,
  ),
  'relay.rateBurst': int(200, 'Requests an address (or a device) may send the relay at once before its rate limit', 1),
  'relay.vaultsPerAddress': int(10, 'Vaults one address may create on the relay per 24 hours', 0),
  'relay.vaultBytes': int(
    512 * 1_048_576,
    'Bytes of batches and snapshot the relay stores per vault (a push beyond: SYNC_QUOTA)',
    1_048_576,
  ),
  'relay.snapshotLimit': int(
    // A home of 1M memories and 1M messages uploads ~92 MB (docs/sync.md "Snapshots").
    256 * 1_048_576,
    'Largest snapshot upload the relay accepts, in bytes of request body',
    1_048_576,
    1_024 * 1_048_576,
  ),
  'relay.pairRowsPerAddress': int(
    64,
    'Pairing messages one address may keep in the relay at once (they expire in 10 min)',
    1,
  ),
  'relay.pairRows': int(4_096, 'Pairing messages the relay keeps at once, from all addresses', 16),
  'relay.maxBytes': int(
    1_073_741_824,
    'Largest the relay database (relay.db and its WAL) may grow; uploads past it get 507',
    1_048_576,
  ),
  'sync.relay': str('', 'Relay URL for `progeny sync`'),
  'sync.intervalS': int(0, 'Background sync interval for chat and serve in seconds (0 = off)', 0),
  'ui.theme': oneOf(['auto', 'dark', 'light'], 'auto', 'TUI colour theme'),
  'telemetry.enabled': bool(false, 'Telemetry; progeny sends none, and this stays off'),
} as const satisfies Record<string, ConfigKeySpec>;

export type ConfigKey = keyof typeof CONFIG_SCHEMA;
type ValueOf<S extends ConfigKeySpec> = S['kind'] extends 'boolean'
  ? boolean
  : S['kind'] extends 'number' | 'integer'
    ? number
    : string;
export type Config = { [K in ConfigKey]: ValueOf<(typeof CONFIG_SCHEMA)[K]> };

export const CONFIG_KEYS = Object.keys(CONFIG_SCHEMA) as ConfigKey[];

export function envVarFor(key: string): string {
  return `PROGENY_${key.replace(/\./g, '_').toUpperCase()}`;
}
