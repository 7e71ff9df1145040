/**
 * HTTP to one model server: a keep-alive undici Agent owned by the provider (or an injected dispatcher, which the
 * caller owns), JSON request bodies, connect/headers/idle-body timeouts. Total timeouts, retries and error mapping
 * live in request.ts; this module only moves bytes.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type * as Undici from 'undici';
import type { Agent, Dispatcher } from 'undici';
import { configError } from '../errors.js';

export interface TransportOptions {
  /** Base URL, e.g. http://127.0.0.1:11434 or http://host:8000/v1. */
  baseUrl: string;
  dispatcher?: Dispatcher;
  /** Sent with every request (e.g. authorization). */
  headers?: Record<string, string>;
  connectTimeoutMs: number;
  /** Longest wait for the reply headers and between two body chunks. */
  idleTimeoutMs: number;
}

export interface HttpReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Dispatcher.ResponseData['body'];
}

/** Checks and normalises a base URL (no trailing slash); credentials in it are refused, use llm.apiKey. */
export function parseBaseUrl(url: string, key = 'llm.url'): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw configError(`${key} is not a valid URL`, `set ${key} to e.g. http://127.0.0.1:11434`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw configError(`${key} must start with http:// or https://`, `set ${key} to e.g. http://127.0.0.1:11434`);
  }
  if (u.username || u.password) {
    throw configError(`${key} must not contain credentials`, 'put the key in llm.apiKey instead');
  }
  u.pathname = u.pathname.replace(/\/+$/, '');
  u.search = '';
  u.hash = '';
  return u;
}

// undici (≈ 12 MB of RSS) is loaded on the first request, so processes that never call a model (an idle
// `progeny serve`, offline homes, most CLI commands) do not pay for it.
let undici: Promise<typeof Undici> | undefined;
const loadUndici = (): Promise<typeof Undici> => (undici ??= import('undici'));

export class Transport {
  readonly baseUrl: string;
  private dispatcher: Dispatcher | undefined;
  private owned: Agent | undefined;

  constructor(private readonly opts: TransportOptions) {
    this.baseUrl = parseBaseUrl(opts.baseUrl).href.replace(/\/+$/, '');
    this.dispatcher = opts.dispatcher;
  }

  /** `headersTimeoutMs`: the longest wait for the status line, when it differs from idleTimeoutMs (a loading model). */
  async send(
    method: 'GET' | 'POST',
    path: string,
    json: unknown,
    signal: AbortSignal,
    headersTimeoutMs = this.opts.idleTimeoutMs,
  ): Promise<HttpReply> {
    const headers: Record<string, string> = { accept: 'application/json, application/x-ndjson, text/event-stream' };
    Object.assign(headers, this.opts.headers);
    if (json !== undefined) headers['content-type'] = 'application/json';
    const { Agent, request } = await loadUndici();
    if (!this.dispatcher) {
      this.owned = new Agent({
        connect: { timeout: this.opts.connectTimeoutMs },
        keepAliveTimeout: 4_000,
        headersTimeout: this.opts.idleTimeoutMs,
        bodyTimeout: this.opts.idleTimeoutMs,
        connections: 16,
      });
      this.dispatcher = this.owned;
    }
    const res = await request(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: json === undefined ? null : JSON.stringify(json),
      signal,
      dispatcher: this.dispatcher,
      headersTimeout: headersTimeoutMs,
      bodyTimeout: this.opts.idleTimeoutMs,
    });
    return { status: res.statusCode, headers: res.headers, body: res.body };
  }

  /** Closes the owned pool; an injected dispatcher belongs to whoever injected it. */
  async close(): Promise<void> {
    if (this.owned && !this.owned.closed) await this.owned.close();
  }
}

/**
 * Drops a reply body we will not read (or not finish): closes its connection instead of returning it to the pool.
 * undici reports an unfinished body destroyed without a reason as an 'error' event; nobody is listening any more.
 */
export function discardBody(body: HttpReply['body']): void {
  if (body.readableEnded || body.destroyed) return;
  body.on('error', () => {});
  body.destroy();
}
