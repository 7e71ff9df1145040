/**
 * The LLM layer's errors: stable codes (exit code 4 in the catalogue), and a hint a person can act on. Every message passes through
 * the redactor, so an API key never reaches a terminal, a log or a JSON error even when a server echoes it.
 */
import { ProgenyError } from '../errors.js';
import type { ProbeError, ProviderId } from './types.js';
import { act, type Hint } from '../hints.js';

export const LLM_ERROR_CODES = [
  'LLM_UNREACHABLE',
  'LLM_TIMEOUT',
  'LLM_AUTH',
  'LLM_MODEL_MISSING',
  'LLM_HTTP',
  'LLM_BAD_RESPONSE',
  'LLM_STREAM_CUT',
  'LLM_RATE_LIMITED',
  'LLM_UNSUPPORTED',
] as const;
export type LlmErrorCode = (typeof LLM_ERROR_CODES)[number];

/** Who failed, for messages and hints; secrets are scrubbed from every message. */
export interface LlmErrorContext {
  provider: ProviderId;
  /** Display URL (no credentials). */
  url: string;
  model: string;
  secrets: readonly string[];
}

export interface LlmErrorDetails {
  provider: ProviderId;
  status?: number;
  /** How long the server asked us to wait (Retry-After), in ms. */
  retryAfterMs?: number;
  /** The request parameter a 400 refused (OpenAI's error.param), e.g. max_tokens or temperature. */
  param?: string;
}

const LABEL: Record<ProviderId, string> = {
  ollama: 'Ollama',
  openai: 'OpenAI-compatible',
  offline: 'offline',
  replay: 'replay',
};

export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('***');
  return out;
}

/** The URL without user:password@, query or fragment, for messages. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return '(invalid URL)';
  }
}

function make(
  ctx: LlmErrorContext,
  code: LlmErrorCode,
  message: string,
  hint: string | Hint,
  extra: { cause?: unknown; status?: number; retryAfterMs?: number; param?: string } = {},
): ProgenyError {
  const details: LlmErrorDetails = { provider: ctx.provider };
  if (extra.status !== undefined) details.status = extra.status;
  if (extra.retryAfterMs !== undefined) details.retryAfterMs = extra.retryAfterMs;
  if (extra.param !== undefined) details.param = extra.param;
  return new ProgenyError(code, redact(message, ctx.secrets), {
    ...(typeof hint === 'string'
      ? { hint: redact(hint, ctx.secrets) }
      : { hint: redact(hint.text, ctx.secrets), actions: hint.actions }),
    cause: extra.cause,
    details,
  });
}

/** A failure as a probe reports it: code, message and the hint with its actions. */
export const probeError = (e: ProgenyError): ProbeError => ({
  code: e.code,
  message: e.message,
  ...(e.hint ? { hint: e.hint } : {}),
  ...(e.actions.length ? { actions: [...e.actions] } : {}),
});

const server = (ctx: LlmErrorContext): string => `the ${LABEL[ctx.provider]} server at ${ctx.url}`;
const quoteServer = (msg: string | undefined): string => (msg ? `: ${msg}` : '');

export const llmErrors = {
  unreachable: (ctx: LlmErrorContext, why: string, cause?: unknown): ProgenyError =>
    make(
      ctx,
      'LLM_UNREACHABLE',
      `cannot reach ${server(ctx)} (${why})`,
      ctx.provider === 'ollama'
        ? {
            text: 'start Ollama or fix llm.url; llm.provider=offline answers from memory only',
            actions: [act('start-model', { provider: 'ollama', url: ctx.url, model: ctx.model })],
          }
        : 'start the server or fix llm.url (the API base, e.g. http://host:port/v1)',
      { cause },
    ),
  timeout: (ctx: LlmErrorContext, what: string, key: string, cause?: unknown): ProgenyError =>
    make(ctx, 'LLM_TIMEOUT', `${server(ctx)} ${what}`, `raise ${key}, or use a smaller or already loaded model`, {
      cause,
    }),
  auth: (ctx: LlmErrorContext, status: number, serverMessage?: string): ProgenyError =>
    make(
      ctx,
      'LLM_AUTH',
      `${server(ctx)} refused the request (HTTP ${status})${quoteServer(serverMessage)}`,
      {
        text: 'set a valid API key as llm.apiKey (or PROGENY_LLM_APIKEY)',
        actions: [act('config.set', { key: 'llm.apiKey' })],
      },
      { status },
    ),
  modelMissing: (ctx: LlmErrorContext, status: number | undefined, serverMessage?: string): ProgenyError =>
    make(
      ctx,
      'LLM_MODEL_MISSING',
      `model "${ctx.model}" is not available on ${server(ctx)}${quoteServer(serverMessage)}`,
      ctx.provider === 'ollama'
        ? {
            text: 'pull the model, or set llm.model to a model you have',
            actions: [act('pull-model', { model: ctx.model })],
          }
        : { text: 'set llm.model to a model the server lists (the doctor shows them)', actions: [act('doctor')] },
      status === undefined ? {} : { status },
    ),
  http: (
    ctx: LlmErrorContext,
    status: number,
    serverMessage?: string,
    retryAfterMs?: number,
    param?: string,
  ): ProgenyError =>
    make(
      ctx,
      'LLM_HTTP',
      `${server(ctx)} answered HTTP ${status}${quoteServer(serverMessage)}`,
      status >= 500
        ? 'the model server failed; check its log and try again'
        : `check llm.url (now ${ctx.url}) and llm.model`,
      { status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }), ...(param ? { param } : {}) },
    ),
  /** An error object inside a successful (200) reply, e.g. Ollama's {"error": "…"} line mid-stream. */
  serverError: (ctx: LlmErrorContext, serverMessage: string): ProgenyError =>
    make(
      ctx,
      'LLM_HTTP',
      `${server(ctx)} reported an error${quoteServer(serverMessage)}`,
      'the model server failed; check its log and try again',
    ),
  rateLimited: (ctx: LlmErrorContext, retryAfterMs: number | undefined, serverMessage?: string): ProgenyError =>
    make(
      ctx,
      'LLM_RATE_LIMITED',
      `${server(ctx)} is rate limiting requests (HTTP 429)${quoteServer(serverMessage)}`,
      retryAfterMs === undefined
        ? 'wait a moment and try again'
        : `wait ${Math.ceil(retryAfterMs / 1000)} s and try again`,
      { status: 429, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) },
    ),
  badResponse: (ctx: LlmErrorContext, why: string, cause?: unknown): ProgenyError =>
    make(
      ctx,
      'LLM_BAD_RESPONSE',
      `unexpected reply from ${server(ctx)}: ${why}`,
      `check that llm.url points at ${ctx.provider === 'ollama' ? 'an Ollama' : 'an OpenAI-compatible'} server and llm.provider=${ctx.provider} matches it`,
      { cause },
    ),
  streamCut: (ctx: LlmErrorContext, why: string, cause?: unknown): ProgenyError =>
    make(
      ctx,
      'LLM_STREAM_CUT',
      `the reply from ${server(ctx)} ${why}`,
      /done_reason "load"/.test(why)
        ? 'the server loaded the model but did not answer; try again (llm.retries retries it by itself)'
        : 'the model server may have crashed or restarted; check its log and try again',
      { cause },
    ),
};
