/**
 * The error catalogue: every stable error code progeny can produce, with the process exit code the CLI ends with,
 * the HTTP status the server answers with, and the hint shown when the thrower has no more specific one. A code's
 * exit code and status are looked up here and nowhere else, so the CLI and the server always agree on a failure.
 * docs/errors.md lists the same codes; src/core/error-codes.test.ts fails when the two drift.
 */

/** Process exit codes (README "Exit codes"; `progeny --help` prints them from src/commands/exit-codes.ts). */
export const ExitCode = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  config: 3,
  llm: 4,
  store: 5,
  sync: 6,
  auth: 7,
  environment: 8,
  benchThreshold: 10,
  benchRegression: 11,
  benchInvalid: 12,
  interrupted: 130,
} as const;
export type ExitCodeName = keyof typeof ExitCode;

import { act, type HintAction } from './hints.js';

export interface ErrorSpec {
  exit: ExitCodeName;
  /** The HTTP status of this failure on the API, the OpenAI endpoint and the relay. */
  status: number;
  /** Shown when the thrower gives no hint; null when the message already says what to do. */
  hint: string | null;
  /** The actions that do what the hint says (src/core/hints.ts); each front end renders them its own way. */
  actions?: readonly HintAction[];
}

const BUG = 'this is a bug in progeny; run again with --debug and report the stack trace';
const DOCTOR = { hint: 'check the home, its database and the model server', actions: [act('doctor')] };
const RELAY_BUSY = 'the relay is busy or failing; try again later';
const SYNC_STATUS = { hint: 'the sync status has the details', actions: [act('sync.status')] };
const MIGRATE_QDRANT = [act('memory.migrate', { to: 'qdrant' })];

export const ERROR_CATALOGUE = {
  // Anywhere
  UNEXPECTED: { exit: 'unexpected', status: 500, hint: BUG },
  INTERNAL: { exit: 'unexpected', status: 500, hint: 'this is a bug in progeny; the server log has the details' },
  INTERRUPTED: { exit: 'interrupted', status: 499, hint: null },
  USAGE: { exit: 'usage', status: 400, hint: null },
  NOT_FOUND: { exit: 'usage', status: 404, hint: 'list the available ids first' },
  CONFIG: { exit: 'config', status: 500, hint: 'see every key and its value', actions: [act('config.list')] },

  // The home, heritage, memory and devices
  ALREADY_INITIALISED: {
    exit: 'usage',
    status: 409,
    hint: 'edit the heritage to change the companion',
    actions: [act('heritage.edit')],
  },
  NO_HERITAGE: { exit: 'usage', status: 409, hint: 'create the companion first', actions: [act('init')] },
  HERITAGE_BASE: {
    exit: 'usage',
    status: 400,
    hint: 'base fields are who the companion is; change them only on purpose',
  },
  MEMORY_FORGOTTEN: { exit: 'usage', status: 400, hint: 'add it again', actions: [act('memory.add')] },
  NOT_ARCHIVED: { exit: 'usage', status: 400, hint: 'only archived memories can be restored' },
  FORBIDDEN: { exit: 'auth', status: 403, hint: 'ask an admin device to do it, or to grant this device the right' },
  TRUST_TIER: {
    exit: 'auth',
    status: 403,
    hint: 'trust is earned through conversation',
    actions: [act('state.why', { key: 'trust' })],
  },
  SECRET_MODE: { exit: 'auth', status: 403, hint: 'a secret file must be private: chmod 600 it' },
  SECRET_INVALID: { exit: 'auth', status: 403, hint: 'restore the file from a backup, or remove it to start over' },

  // The store and the vector backends
  STORE: { exit: 'store', status: 503, ...DOCTOR },
  STORE_LOCKED: { exit: 'store', status: 503, hint: 'another progeny holds the database; wait for it or stop it' },
  STORE_CORRUPT: {
    exit: 'store',
    status: 503,
    hint: 'restore the home from a backup, then check it',
    actions: [act('doctor')],
  },
  INDEX_CORRUPT: {
    exit: 'store',
    status: 503,
    hint: 'the index is derived data: delete memory.usearch in the home, then rebuild it',
    actions: [act('memory.reindex')],
  },
  STORE_TOO_NEW: { exit: 'store', status: 503, hint: 'a newer progeny wrote this home; upgrade progeny' },
  MIGRATE_MIXED_EMBEDDERS: {
    exit: 'store',
    status: 503,
    hint: 're-embed the memories first',
    actions: [act('memory.reindex')],
  },
  MIGRATE_TARGET_DOWN: { exit: 'store', status: 503, hint: 'start the target backend and run the migration again' },
  QDRANT_UNAVAILABLE: { exit: 'store', status: 503, hint: 'check memory.qdrant.url and that Qdrant is running' },
  QDRANT_REQUEST: { exit: 'store', status: 503, hint: 'Qdrant refused the request; its log has the reason' },
  QDRANT_CLOSED: { exit: 'unexpected', status: 500, hint: BUG },
  QDRANT_DIMENSION_MISMATCH: {
    exit: 'config',
    status: 500,
    hint: 'the embedder and the collection disagree (the doctor shows both): set a new memory.qdrant.collection and migrate the memories to it',
    actions: [act('doctor'), ...MIGRATE_QDRANT],
  },
  QDRANT_DISTANCE: {
    exit: 'config',
    status: 500,
    hint: 'set memory.qdrant.collection to a new name and migrate the memories to it',
    actions: MIGRATE_QDRANT,
  },

  // The model server and the embedder
  DEAD: { exit: 'llm', status: 503, ...DOCTOR },
  EMBEDDER: { exit: 'llm', status: 502, hint: 'check embedder.kind and the model server', actions: [act('doctor')] },
  EMBEDDER_UNAVAILABLE: {
    exit: 'environment',
    status: 503,
    hint: 'reinstall progeny (`npm ci`) to restore the model files, or set embedder.kind to hash',
  },
  LLM_OFFLINE: { exit: 'llm', status: 503, hint: 'set llm.provider to ollama or openai' },
  LLM_UNREACHABLE: {
    exit: 'llm',
    status: 502,
    hint: 'start the model server or fix llm.url',
    actions: [act('doctor')],
  },
  LLM_TIMEOUT: { exit: 'llm', status: 504, hint: 'raise llm.timeoutMs, or use a smaller or already loaded model' },
  LLM_AUTH: {
    exit: 'llm',
    status: 502,
    hint: 'set a valid API key as llm.apiKey',
    actions: [act('config.set', { key: 'llm.apiKey' })],
  },
  LLM_MODEL_MISSING: {
    exit: 'llm',
    status: 502,
    hint: 'set llm.model to a model the server has (the doctor lists them)',
    actions: [act('doctor')],
  },
  LLM_HTTP: { exit: 'llm', status: 502, hint: 'check llm.url and llm.model; the model server log has the reason' },
  LLM_BAD_RESPONSE: { exit: 'llm', status: 502, hint: 'the model server sent something unexpected; check its version' },
  LLM_STREAM_CUT: { exit: 'llm', status: 502, hint: 'the model server stopped mid-reply; try again' },
  LLM_RATE_LIMITED: { exit: 'llm', status: 503, hint: 'the model server asks to slow down; try again later' },
  LLM_UNSUPPORTED: { exit: 'llm', status: 502, hint: 'this provider cannot do that; pick another llm.provider' },

  // The HTTP API
  VALIDATION: { exit: 'usage', status: 400, hint: 'see docs/api.md for the request schema' },
  MALFORMED_JSON: { exit: 'usage', status: 400, hint: 'the body must be valid JSON' },
  BAD_REQUEST: { exit: 'usage', status: 400, hint: 'see docs/api.md' },
  BODY_TOO_LARGE: { exit: 'usage', status: 413, hint: 'send a smaller body (see server.bodyLimit), or split a batch' },
  UNSUPPORTED_MEDIA_TYPE: { exit: 'usage', status: 415, hint: 'send Content-Type: application/json' },
  IDEMPOTENCY_MISMATCH: { exit: 'usage', status: 422, hint: 'reuse an Idempotency-Key only to retry the same request' },
  URI_TOO_LONG: { exit: 'usage', status: 414, hint: 'ids in a path are at most 100 characters' },
  HEADERS_TOO_LARGE: { exit: 'usage', status: 431, hint: 'send at most 16 KiB of request line and headers' },
  REQUEST_TIMEOUT: { exit: 'usage', status: 408, hint: 'send the whole request promptly' },
  UNAUTHENTICATED: { exit: 'auth', status: 401, hint: 'send "Authorization: Bearer <token>"' },
  INVALID_TOKEN: { exit: 'auth', status: 401, hint: 'check the token', actions: [act('token.show')] },
  RATE_LIMITED: { exit: 'usage', status: 429, hint: 'slow down; the Retry-After header says when to try again' },
  TOO_MANY_TURNS: { exit: 'usage', status: 429, hint: 'wait for a running turn to finish' },
  TOO_MANY_CONNECTIONS: {
    exit: 'usage',
    status: 429,
    hint: 'close another WebSocket of this token first (server.wsPerToken)',
  },
  SHUTTING_DOWN: { exit: 'interrupted', status: 503, hint: 'reconnect shortly' },

  // `progeny serve` and `progeny bench`
  PORT_IN_USE: { exit: 'usage', status: 400, hint: 'stop the other server, or pick another port with --port' },
  PORT_DENIED: { exit: 'auth', status: 403, hint: 'ports below 1024 need privileges; use a higher --port' },
  BAD_HOST: { exit: 'usage', status: 400, hint: 'use 127.0.0.1, 0.0.0.0 or an address of this machine with --host' },
  BENCH_CONNECT: { exit: 'environment', status: 503, hint: 'is the server running at that address? check --url' },
  BENCH_IMPORT: { exit: 'usage', status: 400, hint: 'fix the conversation file; the message names the line' },
  BENCH_SPAWN: {
    exit: 'environment',
    status: 503,
    hint: 'start the server by hand to see why it does not start',
    actions: [act('serve')],
  },

  // Sync, on this device
  SYNC_NOT_CONFIGURED: {
    exit: 'sync',
    status: 409,
    hint: 'set sync up: create a vault, or join one',
    actions: [act('sync.init'), act('sync.join')],
  },
  SYNC_ALREADY_CONFIGURED: { exit: 'usage', status: 409, ...SYNC_STATUS },
  SYNC_UNREACHABLE: {
    exit: 'sync',
    status: 502,
    hint: 'check sync.relay and that a progeny server runs there',
    actions: [act('config.get', { key: 'sync.relay' })],
  },
  SYNC_BAD_RESPONSE: { exit: 'sync', status: 502, hint: 'is sync.relay pointing at a progeny relay?' },
  SYNC_RELAY_ERROR: { exit: 'sync', status: 502, ...SYNC_STATUS },
  SYNC_WRONG_PASSPHRASE: { exit: 'auth', status: 403, hint: 'type the vault passphrase again' },
  SYNC_NO_PASSPHRASE: {
    exit: 'auth',
    status: 403,
    hint: 'set a passphrase on an admin device, or pair this device',
    actions: [act('sync.passphrase'), act('device.pair')],
  },
  SYNC_PASSPHRASE_RETIRED: {
    exit: 'usage',
    status: 400,
    hint: 'the revoked device may know it; choose a passphrase you have not used for this vault',
  },
  SYNC_NEED_PASSPHRASE: {
    exit: 'usage',
    status: 400,
    hint: 'give the current passphrase once (PROGENY_SYNC_PASSPHRASE), so this device can learn the join key',
  },
  SYNC_WEAK_PASSPHRASE: {
    exit: 'usage',
    status: 400,
    hint: 'use four or more uncommon words, or a long random passphrase',
  },
  SYNC_SECRETS_INVALID: { exit: 'sync', status: 500, hint: 'join the vault again', actions: [act('sync.join')] },
  SYNC_KDF_DOWNGRADE: {
    exit: 'sync',
    status: 400,
    hint: 'the vault parameters are weaker than allowed; do not trust this relay',
  },
  SYNC_BAD_DATA: { exit: 'sync', status: 400, ...SYNC_STATUS },
  SYNC_PAIRING: { exit: 'sync', status: 400, hint: 'start pairing again on the new device' },
  SYNC_NOT_CAUGHT_UP: { exit: 'sync', status: 409, hint: 'pull first', actions: [act('sync.pull')] },

  // Sync, answered by the relay (and recognised by the device that made the request)
  SYNC_BAD_REQUEST: { exit: 'sync', status: 400, hint: 'see docs/sync.md for the relay routes' },
  SYNC_UNAUTHORIZED: {
    exit: 'auth',
    status: 401,
    hint: 'this device is not registered with the vault on this relay; check sync.relay and the vault id',
  },
  SYNC_REVOKED: {
    exit: 'auth',
    status: 403,
    hint: 'this device was revoked; join the vault again and have an admin approve it',
    actions: [act('sync.join')],
  },
  SYNC_PENDING: {
    exit: 'auth',
    status: 403,
    hint: 'approve this device from an admin device',
    actions: [act('device.approve')],
  },
  SYNC_FORBIDDEN: { exit: 'auth', status: 403, hint: 'ask an admin device to grant this device the capability' },
  SYNC_RATE_LIMITED: { exit: 'sync', status: 429, hint: RELAY_BUSY },
  SYNC_QUOTA: {
    exit: 'sync',
    status: 429,
    hint: "this address reached one of the relay's quotas; Retry-After says when, or ask its operator (relay.*)",
  },
  SYNC_VAULT_FULL: {
    exit: 'sync',
    status: 413,
    hint: 'the vault holds relay.vaultBytes on this relay; a snapshot compacts it, or its operator can raise the limit',
  },
  SYNC_NO_VAULT: {
    exit: 'sync',
    status: 404,
    hint: 'check the relay URL and the vault id',
    actions: [act('sync.status')],
  },
  SYNC_VAULT_EXISTS: { exit: 'sync', status: 409, hint: 'a vault with this id is on the relay already' },
  SYNC_CONFLICT: { exit: 'sync', status: 409, hint: 'the vault changed meanwhile; run the command again' },
  SYNC_DEVICE_EXISTS: {
    exit: 'sync',
    status: 409,
    hint: 'this device is registered already',
    actions: [act('sync.status')],
  },
  SYNC_DEVICE_LOG: { exit: 'sync', status: 400, hint: 'the device log does not verify; do not trust this relay' },
  SYNC_BAD_JOIN: { exit: 'sync', status: 400, hint: 'check the passphrase and join again' },
  SYNC_TOO_LARGE: { exit: 'sync', status: 413, hint: 'a push is at most 64 batches and 1 MiB (docs/sync.md)' },
  SYNC_RELAY_FULL: {
    exit: 'sync',
    status: 507,
    hint: "the relay's storage reached relay.maxBytes; its operator must raise it or free space (docs/monitoring.md)",
  },
  SYNC_BAD_ENVELOPE: {
    exit: 'sync',
    status: 400,
    hint: 'a batch does not verify; the sync status has the details',
    actions: [act('sync.status')],
  },
  SYNC_SEQ_GAP: { exit: 'sync', status: 409, hint: 'push again', actions: [act('sync.push')] },
  SYNC_EQUIVOCATION: {
    exit: 'sync',
    status: 409,
    hint: 'two batches claim one sequence number; do not trust this relay',
  },
  SYNC_NO_SNAPSHOT: { exit: 'sync', status: 404, hint: 'no device has published a snapshot yet' },
  SYNC_NO_KEYS: { exit: 'sync', status: 404, ...SYNC_STATUS },
} as const satisfies Record<string, ErrorSpec>;

/** Every stable error code; a code outside this union does not compile. */
export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export const ERROR_CODES = Object.keys(ERROR_CATALOGUE) as ErrorCode[];

export const isErrorCode = (value: unknown): value is ErrorCode =>
  typeof value === 'string' && Object.hasOwn(ERROR_CATALOGUE, value);

export const specOf = (code: ErrorCode): ErrorSpec => ERROR_CATALOGUE[code];
