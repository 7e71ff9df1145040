/**
 * startLlmTestDouble: a real HTTP server on 127.0.0.1 (port 0 by default) that speaks Ollama's native API and the
 * OpenAI-compatible API, replays recorded streams from fixtures/llm, misbehaves on request (llm-double-faults.ts)
 * and records every request it received. Tests use it over real loopback sockets; end-to-end tests may run it as a
 * separate process, `npm run llm-double -- --fixture greeting [--port N] …` (`--help` lists the options),
 * which prints {"url","ollamaUrl","openaiUrl","pid"} as one JSON line and serves until SIGTERM/SIGINT. In that mode,
 * POST /__double/fail {"fault","times","route"}, POST /__double/unload, POST /__double/reset and
 * GET /__double/requests steer it. Besides faults (llm-double-faults.ts) it does what real servers do unasked
 * (llm-double-models.ts): a cold start that holds the headers while a model loads, thinking models, reasoning models
 * that refuse parameters, and replies cut at the request's token limit.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { FaultPlan, type DoubleProtocol, type DoubleRoute, type LlmFault } from './llm-double-faults.js';
import { loadRecording, type Recording } from './llm-double-fixtures.js';
import { handleListing } from './llm-double-listing.js';
import { ModelRoom, type ModelBehaviour } from './llm-double-models.js';
import { handleChat, handleEmbed, sendError, sendJson, sendModelMissing } from './llm-double-protocols.js';

export type { DoubleProtocol, DoubleRoute, LlmFault } from './llm-double-faults.js';

export interface LlmTestDoubleOptions extends ModelBehaviour {
  port?: number;
  /** Recording name in fixtures/llm: <name>.ollama.ndjson and <name>.openai.sse. Default "greeting". */
  fixture?: string;
  fixturesDir?: string;
  /** Models the server has. Default llama3.2:latest and nomic-embed-text:latest. */
  models?: string[];
  /** When set, /v1 routes demand `Authorization: Bearer <apiKey>` (Ollama has no auth). */
  apiKey?: string;
  tokenDelayMs?: number;
  embedDims?: number;
  /** Where the OpenAI-compatible stream carries a thinking model's reasoning. Default reasoning_content. */
  reasoningField?: 'reasoning_content' | 'reasoning';
}

export type RequestOutcome = 'completed' | 'aborted' | 'cut';

export interface RecordedRequest {
  seq: number;
  method: string;
  path: string;
  protocol: DoubleProtocol | 'control' | 'unknown';
  route: DoubleRoute | undefined;
  headers: IncomingHttpHeaders;
  /** The client's port: equal for two requests when they shared a keep-alive connection. */
  remotePort: number | undefined;
  /** The parsed JSON body (undefined when empty or not JSON). */
  body: unknown;
  receivedAt: number;
  /** completed: the reply was sent in full; aborted: the client closed first; cut: the double destroyed it. */
  outcome: RequestOutcome | undefined;
  closed: Promise<RequestOutcome>;
}

export interface LlmTestDouble {
  /** http://127.0.0.1:<port>, the Ollama base URL. */
  readonly url: string;
  readonly ollamaUrl: string;
  /** <url>/v1, the OpenAI-compatible base URL. */
  readonly openaiUrl: string;
  readonly requests: RecordedRequest[];
  /** The next `times` requests (on `route`, else any) misbehave as `fault`. */
  fail(fault: LlmFault, opts?: { times?: number; route?: DoubleRoute }): void;
  /** Every request (on `route`, else any) misbehaves until called with undefined. */
  failAlways(fault: LlmFault | undefined, route?: DoubleRoute): void;
  setFixture(name: string): void;
  /** Unloads every model, as Ollama does when keep_alive runs out (cold doubles only: see ModelBehaviour.loadMs). */
  unloadModels(): void;
  /** Forgets faults and recorded requests. */
  reset(): void;
  close(): Promise<void>;
}

const ROUTES: Record<string, [DoubleProtocol, DoubleRoute]> = {
  'POST /api/chat': ['ollama', 'chat'],
  'POST /api/embed': ['ollama', 'embed'],
  'GET /api/tags': ['ollama', 'tags'],
  'GET /api/version': ['ollama', 'version'],
  'GET /api/ps': ['ollama', 'ps'],
  'POST /api/show': ['ollama', 'show'],
  'POST /v1/chat/completions': ['openai', 'chat'],
  'POST /v1/embeddings': ['openai', 'embed'],
  'GET /v1/models': ['openai', 'models'],
};

async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of req) parts.push(chunk as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

function parseJson(text: string): unknown {
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The double's mutable state, shared by the request handler, the control routes and the returned handle. */
interface DoubleState {
  readonly opts: LlmTestDoubleOptions;
  readonly plan: FaultPlan;
  readonly requests: RecordedRequest[];
  readonly models: string[];
  readonly room: ModelRoom;
  recording: Recording;
  seq: number;
}

/** Records a request (control routes aside) and settles its `closed` promise with how the reply ended. */
function record(
  state: DoubleState,
  req: IncomingMessage,
  res: ServerResponse,
  text: string,
): { rec: RecordedRequest; markCut: () => void } {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const route = ROUTES[`${req.method} ${path}`];
  let cut = false;
  let resolve!: (o: RequestOutcome) => void;
  const rec: RecordedRequest = {
    seq: state.seq++,
    method: req.method ?? 'GET',
    path,
    protocol: route?.[0] ?? (path.startsWith('/__double/') ? 'control' : 'unknown'),
    route: route?.[1],
    headers: req.headers,
    remotePort: req.socket.remotePort,
    body: parseJson(text),
    receivedAt: Date.now(),
    outcome: undefined,
    closed: new Promise((r) => (resolve = r)),
  };
  res.on('close', () => {
    rec.outcome = res.writableFinished ? 'completed' : cut ? 'cut' : 'aborted';
    resolve(rec.outcome);
  });
  if (rec.protocol !== 'control') state.requests.push(rec);
  return { rec, markCut: () => (cut = true) };
}

interface FaultExchange {
  req: IncomingMessage;
  res: ServerResponse;
  protocol: DoubleProtocol;
  rec: RecordedRequest;
  fault: LlmFault;
  markCut: () => void;
}

/** Misbehaves as the fault says (or refuses a bad key); true when the request is answered, dropped or left hanging. */
async function answeredByFault(state: DoubleState, e: FaultExchange): Promise<boolean> {
  const { req, res, fault } = e;
  const x = { res, protocol: e.protocol };
  if (fault.hang) return true;
  if (fault.dropConnection) {
    e.markCut();
    req.socket.destroy();
    return true;
  }
  if (fault.delayHeadersMs) await delay(fault.delayHeadersMs);
  if (res.destroyed) return true;
  const apiKey = state.opts.apiKey;
  if (e.protocol === 'openai' && apiKey && req.headers.authorization !== `Bearer ${apiKey}`) sendError(x, 401);
  else if (fault.status !== undefined) sendError(x, fault.status, fault.message, fault.retryAfter);
  else if (fault.modelMissing) sendModelMissing(x, String((e.rec.body as { model?: unknown })?.model ?? ''));
  else if (fault.html) {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<html><body><h1>Welcome to the network</h1></body></html>');
  } else return false;
  return true;
}

async function handle(state: DoubleState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { rec, markCut } = record(state, req, res, await readBody(req));
  if (rec.protocol === 'control') return control(state, rec, res);
  if (!rec.route || rec.protocol === 'unknown')
    return sendJson(res, 404, { error: `no route ${rec.method} ${rec.path}` });
  const protocol = rec.protocol;
  const fault = state.plan.take(rec.route);
  if (await answeredByFault(state, { req, res, protocol, rec, fault, markCut })) return;
  const x = { res, protocol };
  if (typeof rec.body !== 'object' && rec.method === 'POST') return sendError(x, 400, 'invalid JSON body');
  const body = (rec.body ?? {}) as Record<string, unknown>;
  if (fault.nonJson && rec.route !== 'chat') return sendJson(res, 200, 'upstream error: not json');
  const { opts, recording, models, room } = state;
  const reasoningField = opts.reasoningField ?? 'reasoning_content';
  const exchange = { ...x, route: rec.route, fault, body, recording, models, markCut, room, reasoningField };
  const more = { embedDims: opts.embedDims ?? 16, tokenDelayMs: opts.tokenDelayMs ?? 0 };
  if (rec.route === 'chat') return handleChat({ ...exchange, ...more });
  if (rec.route === 'embed') return handleEmbed({ ...exchange, ...more });
  handleListing({ ...exchange, ...more });
}

/** The /__double/* routes that steer a double running as its own process. */
function control(state: DoubleState, rec: RecordedRequest, res: ServerResponse): void {
  const body = (rec.body ?? {}) as { fault?: LlmFault; times?: number; route?: DoubleRoute; always?: boolean };
  if (rec.path === '/__double/requests') {
    return sendJson(
      res,
      200,
      state.requests.map(({ closed: _closed, ...r }) => r),
    );
  }
  if (rec.path === '/__double/fail' && body.fault) {
    if (body.always) state.plan.setAlways(body.fault, body.route);
    else state.plan.next(body.fault, body.times ?? 1, body.route);
    return sendJson(res, 200, { ok: true });
  }
  if (rec.path === '/__double/unload') {
    state.room.unloadAll();
    return sendJson(res, 200, { ok: true });
  }
  if (rec.path === '/__double/reset') {
    state.plan.reset();
    state.requests.length = 0;
    return sendJson(res, 200, { ok: true });
  }
  sendJson(res, 404, { error: 'unknown control route' });
}

export async function startLlmTestDouble(opts: LlmTestDoubleOptions = {}): Promise<LlmTestDouble> {
  const state: DoubleState = {
    opts,
    plan: new FaultPlan(),
    requests: [],
    models: opts.models ?? ['llama3.2:latest', 'nomic-embed-text:latest'],
    room: new ModelRoom(opts),
    recording: loadRecording(opts.fixture ?? 'greeting', opts.fixturesDir),
    seq: 0,
  };
  const { plan, requests, room } = state;
  const server = createServer((req, res) => {
    handle(state, req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: `test double failed: ${String(err)}` });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    ollamaUrl: url,
    openaiUrl: `${url}/v1`,
    requests,
    fail: (fault, o = {}) => plan.next(fault, o.times ?? 1, o.route),
    failAlways: (fault, route) => plan.setAlways(fault, route),
    setFixture: (name) => {
      state.recording = loadRecording(name, opts.fixturesDir);
    },
    unloadModels: () => room.unloadAll(),
    reset: () => {
      plan.reset();
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// Run as a process: `npm run llm-double -- --help` (src/testing/llm-double-cli.ts); this entry does the same.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { main } = await import('./llm-double-cli.js');
  await main(process.argv.slice(2), startLlmTestDouble);
}
