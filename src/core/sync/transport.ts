/**
 * HTTP to the relay: signed requests, typed errors, and the retry policy of docs/sync.md (network errors, 5xx and 429
 * retried with exponential backoff and full jitter — base 500 ms, ×2, cap 60 s, Retry-After honoured — within a time
 * budget; 400/401/403 never retried). The transport is injectable so the simulator can run the relay in-process and
 * inject faults.
 */
import { isErrorCode, ProgenyError, type ErrorCode } from '../errors.js';
import { signRequest } from './request-sig.js';

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
function relayError(status: number, json: Record<string, unknown>, retryAfter: string | undefined): RelayHttpError {
  const e = (typeof json.error === 'object' && json.error !== null ? json.error : {}) as Record<string, unknown>;
  const details = (typeof e.details === 'object' && e.details !== null ? e.details : {}) as Record<string, unknown>;
  const message = `relay: ${typeof e.message === 'string' ? e.message : `HTTP ${status}`}`;
  const raMs = retryAfter !== undefined && /^\d+$/.test(retryAfter) ? Number(retryAfter) * 1000 : undefined;
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
          hint: 'check the relay URL (`progeny config get sync.relay`) and that `progeny serve` runs there',
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
            hint: 'is sync.relay pointing at a progeny relay (`progeny serve`)?',
            details: { status: res.status },
          },
        );
      }
      if (res.status >= 400) throw relayError(res.status, json, res.headers['retry-after']);
      return json as T;
    },
  };
  return client;
}

export interface RetryOptions {
  budgetMs: number;
  baseMs?: number;
  capMs?: number;
  signal?: AbortSignal;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  now?: () => number;
  onRetry?: (attempt: number, waitMs: number, err: Error) => void;
}

export const isRetriable = (err: unknown): boolean =>
  err instanceof RelayHttpError
    ? err.status === 429 || err.status >= 500
    : err instanceof ProgenyError && err.code === 'SYNC_UNREACHABLE';

export const sleepMs = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** Runs fn, retrying retriable failures with full-jitter backoff until the budget is spent. */
export async function withRetry<T>(fn: () => Promise<T>, o: RetryOptions): Promise<T> {
  const base = o.baseMs ?? 500;
  const cap = o.capMs ?? 60_000;
  const now = o.now ?? Date.now;
  const random = o.random ?? Math.random;
  const sleep = o.sleep ?? sleepMs;
  const deadline = now() + o.budgetMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isRetriable(err)) throw err;
      const backoff = random() * Math.min(cap, base * 2 ** attempt);
      const ra = err instanceof RelayHttpError ? err.retryAfterMs : undefined;
      const wait = Math.max(backoff, ra ?? 0);
      if (now() + wait > deadline) throw err;
      o.onRetry?.(attempt + 1, wait, err as Error);
      await sleep(wait, o.signal);
    }
  }
}
