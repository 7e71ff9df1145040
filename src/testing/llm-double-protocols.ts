/**
 * The two wire protocols the double speaks, as documented by Ollama (docs/api.md) and OpenAI (chat completions,
 * embeddings, models): success bodies, streams and error bodies, each bent by the request's fault.
 */
import type { ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { DoubleProtocol, DoubleRoute, LlmFault } from './llm-double-faults.js';
import { fakeEmbedding, knowsModel, streamPieces, type Recording } from './llm-double-fixtures.js';

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

export async function handleChat(x: Exchange): Promise<void> {
  const model = String(x.body['model'] ?? '');
  if (!knowsModel(x.models, model)) return sendModelMissing(x, model);
  const streaming = x.protocol === 'ollama' ? x.body['stream'] !== false : x.body['stream'] === true;
  const contentType = x.protocol === 'ollama' ? 'application/x-ndjson' : 'text/event-stream; charset=utf-8';
  if (!streaming) return sendJson(x.res, 200, x.fault.wrongShape ? { choices: 'oops' } : complete(x, model));
  let pieces = streamPieces(x.recording, x.protocol, model);
  if (x.fault.nonJson) {
    const bad = x.protocol === 'ollama' ? 'this is not json\n' : 'data: this is not json\n\n';
    pieces = [...pieces.slice(0, 2), { text: bad, final: false }, ...pieces.slice(2)];
  }
  if (x.fault.wrongShape)
    pieces = [...pieces.slice(0, 2), { text: wrongShapeLine(x), final: false }, ...pieces.slice(2)];
  await writeStream(x, pieces, contentType);
}

/** The non-streaming reply: the recording's text in the protocol's single-object shape. */
function complete(x: Exchange, model: string): unknown {
  const { text, tokens } = x.recording;
  if (x.protocol === 'ollama') {
    return {
      model,
      created_at: new Date().toISOString(),
      message: { role: 'assistant', content: text },
      done_reason: 'stop',
      done: true,
      total_duration: 1_484_451_256,
      load_duration: 18_551_208,
      prompt_eval_count: 187,
      prompt_eval_duration: 243_118_000,
      eval_count: tokens,
      eval_duration: 1_172_447_136,
    };
  }
  return {
    id: 'chatcmpl-double0000000000000000001',
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    system_fingerprint: 'fp_double',
    choices: [
      { index: 0, message: { role: 'assistant', content: text, refusal: null }, logprobs: null, finish_reason: 'stop' },
    ],
    usage: { prompt_tokens: 187, completion_tokens: tokens, total_tokens: 187 + tokens },
  };
}

export function handleEmbed(x: Exchange): void {
  const model = String(x.body['model'] ?? '');
  if (!knowsModel(x.models, model)) return sendModelMissing(x, model);
  const raw = x.body['input'];
  const inputs = Array.isArray(raw) ? raw.map(String) : [String(raw ?? '')];
  const vectors = inputs.map((t) => fakeEmbedding(t, x.embedDims));
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

export function handleListing(x: Exchange): void {
  if (x.fault.wrongShape) return sendJson(x.res, 200, { models: 'none', data: 'none' });
  if (x.route === 'version') return sendJson(x.res, 200, { version: '0.6.5' });
  if (x.route === 'models') {
    const data = x.models.map((id) => ({ id, object: 'model', created: 1_736_900_000, owned_by: 'library' }));
    return sendJson(x.res, 200, { object: 'list', data });
  }
  sendJson(x.res, 200, {
    models: x.models.map((name) => ({
      name,
      model: name,
      modified_at: '2025-01-14T18:22:05.139485+01:00',
      size: 2_019_393_189,
      digest: createDigest(name),
      details: {
        parent_model: '',
        format: 'gguf',
        family: 'llama',
        families: ['llama'],
        parameter_size: '3.2B',
        quantization_level: 'Q4_K_M',
      },
    })),
  });
}

function createDigest(name: string): string {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return h.toString(16).padStart(8, '0').repeat(8);
}
