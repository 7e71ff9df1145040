/**
 * The two wire protocols the double speaks, as documented by Ollama (docs/api.md) and OpenAI (chat completions,
 * embeddings, models): success bodies, streams and error bodies, each bent by the request's fault.
 */
import type { ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { DoubleProtocol, DoubleRoute, LlmFault } from './llm-double-faults.js';
import { fakeEmbedding, knowsModel, type Recording, type StreamPiece } from './llm-double-fixtures.js';
import { refusedParam, type ModelRoom, type Refusal } from './llm-double-models.js';
import { ollamaStream, openaiStream, THINKING, tokenLimit, type ShapedStream } from './llm-double-stream.js';

export interface Exchange {
  res: ServerResponse;
  protocol: DoubleProtocol;
  route: DoubleRoute;
  fault: LlmFault;
  body: Record<string, unknown>;
  recording: Recording;
  models: readonly string[];
  embedDims: number;
  tokenDelayMs: number;
  /** Called before the double destroys a socket on purpose, so the record says "cut", not "aborted". */
  markCut: () => void;
  room: ModelRoom;
  reasoningField: 'reasoning_content' | 'reasoning';
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(text);
}

const DEFAULT_MESSAGES: Record<number, string> = {
  401: 'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
  429: 'Rate limit reached for requests. Please try again in 1s.',
  500: 'internal server error',
  503: 'server busy, please try again',
};

export function sendError(
  x: Pick<Exchange, 'res' | 'protocol'>,
  status: number,
  message?: string,
  retryAfter?: string,
): void {
  const msg = message ?? DEFAULT_MESSAGES[status] ?? `error ${status}`;
  const headers: Record<string, string> = retryAfter === undefined ? {} : { 'retry-after': retryAfter };
  if (x.protocol === 'ollama') return sendJson(x.res, status, { error: msg }, headers);
  const type = status === 429 ? 'requests' : status >= 500 ? 'server_error' : 'invalid_request_error';
  const code = status === 401 ? 'invalid_api_key' : status === 429 ? 'rate_limit_exceeded' : null;
  sendJson(x.res, status, { error: { message: msg, type, param: null, code } }, headers);
}

export function sendModelMissing(x: Pick<Exchange, 'res' | 'protocol'>, model: string): void {
  if (x.protocol === 'ollama')
    return sendJson(x.res, 404, { error: `model "${model}" not found, try pulling it first` });
  sendJson(x.res, 404, {
    error: {
      message: `The model \`${model}\` does not exist or you do not have access to it.`,
      type: 'invalid_request_error',
      param: null,
      code: 'model_not_found',
    },
  });
}

/** Streams pieces one write at a time, honouring tokenDelayMs, fragmentBytes, cutAfterChunks and omitFinal. */
async function writeStream(
  x: Exchange,
  pieces: { text: string; final: boolean }[],
  contentType: string,
): Promise<void> {
  const { res, fault } = x;
  res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-cache' });
  res.flushHeaders();
  const wait = fault.tokenDelayMs ?? x.tokenDelayMs;
  if (x.protocol === 'openai' && fault.keepAliveComments) {
    for (let i = 0; i < fault.keepAliveComments.count && !res.destroyed; i++) {
      await delay(fault.keepAliveComments.everyMs);
      res.write(': OPENROUTER PROCESSING\n\n');
    }
  }
  const send = fault.omitFinal ? pieces.filter((p) => !p.final) : pieces;
  for (let i = 0; i < send.length; i++) {
    if (fault.cutAfterChunks === i) return cut(x);
    if (wait > 0) await delay(wait);
    if (res.destroyed) return; // the client went away
    const bytes = Buffer.from((send[i] as { text: string }).text, 'utf8');
    const step = fault.fragmentBytes ?? bytes.length;
    for (let at = 0; at < bytes.length; at += step) {
      res.write(bytes.subarray(at, at + step));
      if (fault.fragmentBytes) await new Promise((r) => setImmediate(r));
    }
  }
  if (fault.cutAfterChunks !== undefined && fault.cutAfterChunks >= send.length) return cut(x);
  res.end();
}

/** Drops the connection mid-body, after what was already written has reached the socket (a destroy alone discards it). */
async function cut(x: Exchange): Promise<void> {
  await new Promise<void>((resolve) => x.res.write('', () => resolve()));
  x.markCut();
  x.res.socket?.destroy();
}

function wrongShapeLine(x: Exchange): string {
  return x.protocol === 'ollama'
    ? `${JSON.stringify({ model: 'x', message: 'hello', done: 'no' })}\n`
    : `data: ${JSON.stringify({ object: 'chat.completion.chunk', choices: 'oops' })}\n\n`;
}

/** The error a server reports inside a 200 stream: Ollama's `{"error"}` line, an SSE `event: error`. */
function errorPiece(x: Exchange, message: string): StreamPiece {
  if (x.protocol === 'ollama') return { text: `${JSON.stringify({ error: message })}\n`, final: true };
  const body = { error: { message, type: 'server_error', param: null, code: null } };
  return { text: `event: error\ndata: ${JSON.stringify(body)}\n\n`, final: true };
}

function shapeOf(x: Exchange, model: string): ShapedStream {
  const think = x.room.thinks(model) && !(x.protocol === 'ollama' && x.body['think'] === false);
  const shape = {
    thinking: think ? THINKING : [],
    limit: tokenLimit(x.protocol, x.body),
    reasoningField: x.reasoningField,
  };
  return x.protocol === 'ollama' ? ollamaStream(x.recording, model, shape) : openaiStream(x.recording, model, shape);
}

/** The pieces to send after the fault bent them. */
function faultyPieces(x: Exchange, model: string, pieces: StreamPiece[]): StreamPiece[] {
  const { fault } = x;
  if (fault.doneReasonLoad && x.protocol === 'ollama') {
    const load = { model, created_at: new Date().toISOString(), message: { role: 'assistant', content: '' } };
    return [{ text: `${JSON.stringify({ ...load, done_reason: 'load', done: true })}\n`, final: true }];
  }
  let out = pieces;
  if (fault.nonJson) {
    const bad = x.protocol === 'ollama' ? 'this is not json\n' : 'data: this is not json\n\n';
    out = [...out.slice(0, 2), { text: bad, final: false }, ...out.slice(2)];
  }
  if (fault.wrongShape) out = [...out.slice(0, 2), { text: wrongShapeLine(x), final: false }, ...out.slice(2)];
  if (fault.midStreamError) {
    const at = fault.midStreamError.afterChunks;
    out = [
      ...out.slice(0, at),
      errorPiece(x, fault.midStreamError.message ?? 'an error was encountered while running the model'),
    ];
  }
  return out;
}

function sendRefusal(x: Exchange, r: Refusal): void {
  sendJson(x.res, 400, { error: { message: r.message, type: 'invalid_request_error', param: r.param, code: r.code } });
}

export async function handleChat(x: Exchange): Promise<void> {
  const model = String(x.body['model'] ?? '');
  if (!knowsModel(x.models, model)) return sendModelMissing(x, model);
  if (x.protocol === 'openai') {
    const refused = refusedParam(x.fault.refuseParams ?? [], x.body) ?? x.room.refusal(model, x.body);
    if (refused) return sendRefusal(x, refused);
  }
  await x.room.use(model);
  if (x.res.destroyed) return;
  const streaming = x.protocol === 'ollama' ? x.body['stream'] !== false : x.body['stream'] === true;
  const contentType = x.protocol === 'ollama' ? 'application/x-ndjson' : 'text/event-stream; charset=utf-8';
  const shaped = shapeOf(x, model);
  if (!streaming) return sendJson(x.res, 200, x.fault.wrongShape ? { choices: 'oops' } : complete(x, model, shaped));
  await writeStream(x, faultyPieces(x, model, shaped.pieces), contentType);
}

/** The non-streaming reply: the shaped stream's text in the protocol's single-object shape. */
function complete(x: Exchange, model: string, s: ShapedStream): unknown {
  const reason = s.truncated ? 'length' : 'stop';
  if (x.protocol === 'ollama') {
    return {
      model,
      created_at: new Date().toISOString(),
      message: { role: 'assistant', content: s.text, ...(s.thinking ? { thinking: s.thinking } : {}) },
      done_reason: reason,
      done: true,
      total_duration: 1_484_451_256,
      load_duration: 18_551_208,
      prompt_eval_count: 187,
      prompt_eval_duration: 243_118_000,
      eval_count: s.tokens,
      eval_duration: 1_172_447_136,
    };
  }
  const message = {
    role: 'assistant',
    content: s.text,
    refusal: null,
    ...(s.thinking ? { [x.reasoningField]: s.thinking } : {}),
  };
  return {
    id: 'chatcmpl-double0000000000000000001',
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    system_fingerprint: 'fp_double',
    choices: [{ index: 0, message, logprobs: null, finish_reason: reason }],
    usage: { prompt_tokens: 187, completion_tokens: s.tokens, total_tokens: 187 + s.tokens },
  };
}

export async function handleEmbed(x: Exchange): Promise<void> {
  const model = String(x.body['model'] ?? '');
  if (!knowsModel(x.models, model)) return sendModelMissing(x, model);
  await x.room.use(model);
  if (x.res.destroyed) return;
  const raw = x.body['input'];
  const inputs = Array.isArray(raw) ? raw.map(String) : [String(raw ?? '')];
  const vectors = inputs.map((t) => fakeEmbedding(t, x.fault.embedDims ?? x.embedDims));
  if (x.fault.wrongShape) return sendJson(x.res, 200, { embeddings: vectors.slice(1) });
  if (x.protocol === 'ollama') {
    return sendJson(x.res, 200, { model, embeddings: vectors, total_duration: 14_143_917, prompt_eval_count: 8 });
  }
  sendJson(x.res, 200, {
    object: 'list',
    data: vectors.map((embedding, index) => ({ object: 'embedding', index, embedding })),
    model,
    usage: { prompt_tokens: 8 * inputs.length, total_tokens: 8 * inputs.length },
  });
}
