/**
 * HTTP to the relay: signed requests, typed errors, and the retry policy of docs/sync.md ("Retries"). The transport
 * is injectable so the simulator can run the relay in-process and inject faults.
 */
import { isErrorCode, ProgenyError, type ErrorCode } from '../errors.js';
import { parseRetryAfter, withRetry, type RetryOptions } from '../retry.js';
import { signRequest } from './request-sig.js';
import { act } from '../hints.js';

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | undefined>;
  body: string;
}

export type Transport = (req: HttpRequest) => Promise<HttpResponse>;

export const fetchTransport: Transport = async (req) => {
  const res = await fetch(req.url, {
    method: req.method,
    headers: req.headers,
    ...(req.body !== undefined ? { body: req.body } : {}),
    ...(req.signal ? { signal: req.signal } : {}),
  });
  return {
    status: res.status,
    headers: { 'retry-after': res.headers.get('retry-after') ?? undefined },
    body: await res.text(),
  };
};

/**
 * A relay's error reply (`{ "error": { code, message, hint?, details? } }`, docs/errors.md). The relay's sync codes
 * keep their meaning on this device; any other code (a relay bug, a proxy in front of it) is SYNC_RELAY_ERROR.
 */
export class RelayHttpError extends ProgenyError {
  override readonly details: Record<string, unknown>;
  constructor(
    readonly status: number,
    code: ErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    readonly retryAfterMs?: number,
  ) {
    super(code, message, { details: { status, ...details } });
    this.details = { status, ...details };
  }
}

/** The relay's error body as a RelayHttpError (its codes are from the same catalogue as ours). */
function relayError(status: number, json: Record<string, unknown>, headers: HttpResponse['headers']): RelayHttpError {
  const e = (typeof json.error === 'object' && json.error !== null ? json.error : {}) as Record<string, unknown>;
  const details = (typeof e.details === 'object' && e.details !== null ? e.details : {}) as Record<string, unknown>;
  const message = `relay: ${typeof e.message === 'string' ? e.message : `HTTP ${status}`}`;
  const raMs = parseRetryAfter((name) => headers[name]);
  const known = isErrorCode(e.code) && e.code.startsWith('SYNC_');
  const code = known ? (e.code as ErrorCode) : 'SYNC_RELAY_ERROR';
  return new RelayHttpError(status, code, message, known ? details : { ...details, relayCode: e.code }, raMs);
}

export interface Signer {
  deviceId: string;
  signSk: Uint8Array;
}

export interface RelayClientOptions {
  base: string;
  transport?: Transport;
  signer?: Signer;
  now?: () => number;
}

export interface RelayClient {
  call<T>(
    method: HttpRequest['method'],
    path: string,
    body?: unknown,
    opts?: { signal?: AbortSignal; unsigned?: boolean },
  ): Promise<T>;
  signer?: Signer;
  base: string;
}

export function createRelayClient(o: RelayClientOptions): RelayClient {
  const transport = o.transport ?? fetchTransport;
  const now = o.now ?? Date.now;
  const base = o.base.replace(/\/+$/, '');
  const client: RelayClient = {
    base,
    ...(o.signer ? { signer: o.signer } : {}),
    async call<T>(
      method: HttpRequest['method'],
      path: string,
      body?: unknown,
      opts: { signal?: AbortSignal; unsigned?: boolean } = {},
    ): Promise<T> {
      const text = body === undefined ? undefined : JSON.stringify(body);
      const headers: Record<string, string> = { accept: 'application/json' };
      if (text !== undefined) headers['content-type'] = 'application/json';
      const signer = client.signer;
      if (signer && !opts.unsigned)
        Object.assign(headers, signRequest(signer.deviceId, signer.signSk, method, path, text ?? '', now()));
      let res: HttpResponse;
      try {
        res = await transport({
          method,
          url: `${base}${path}`,
          headers,
          ...(text !== undefined ? { body: text } : {}),
          ...(opts.signal ? { signal: opts.signal } : {}),
        });
      } catch (err) {
        if ((err as Error).name === 'AbortError' || opts.signal?.aborted) throw err;
        throw new ProgenyError('SYNC_UNREACHABLE', `cannot reach the relay at ${base}: ${(err as Error).message}`, {
          cause: err,
          hint: 'check the relay URL (sync.relay) and that a progeny server runs there',
          actions: [act('config.get', { key: 'sync.relay' })],
        });
      }
      let json: Record<string, unknown>;
      try {
        json = res.body ? (JSON.parse(res.body) as Record<string, unknown>) : {};
        if (!json || typeof json !== 'object' || Array.isArray(json)) throw new Error('not an object');
      } catch {
        throw new ProgenyError(
          'SYNC_BAD_RESPONSE',
          `the relay at ${base} sent an invalid response (HTTP ${res.status})`,
          {
            hint: 'is sync.relay pointing at a progeny relay (a progeny server)?',
            details: { status: res.status },
          },
        );
      }
      if (res.status >= 400) throw relayError(res.status, json, res.headers);
      return json as T;
    },
  };
  return client;
}

/** Network errors, 5xx and 429 may succeed later; a refused request (400, 401, 403, 404, 409…) will not. */
export const isRetriable = (err: unknown): boolean =>
  err instanceof RelayHttpError
    ? err.status === 429 || err.status >= 500
    : err instanceof ProgenyError && err.code === 'SYNC_UNREACHABLE';

/** What a relay call may vary for its retries (tests inject time and jitter). */
export type RelayRetryOptions = Pick<RetryOptions, 'budgetMs' | 'signal' | 'sleep' | 'random' | 'now' | 'onRetry'>;

/**
 * Runs a relay call with the sync retry policy (docs/sync.md, "Retries"): full-jitter backoff from 500 ms, capped at
 * 60 s, never shorter than the relay's Retry-After, within a time budget.
 */
export function withRelayRetry<T>(fn: () => Promise<T>, o: RelayRetryOptions & { budgetMs: number }): Promise<T> {
  return withRetry(fn, {
    baseMs: 500,
    maxMs: 60_000,
    retryable: isRetriable,
    retryAfterMs: (err) => (err instanceof RelayHttpError ? err.retryAfterMs : undefined),
    ...o,
  });
}
