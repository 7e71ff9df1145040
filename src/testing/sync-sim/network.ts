/**
 * The simulator's network: routes a device's HTTP requests into the in-process relay (fastify inject) and injects
 * faults — lost requests, lost responses (the relay acted, the client never heard), duplicates, 5xx, 429 with
 * Retry-After, garbage bodies and partitions — from a seeded random source.
 */
import type { FastifyInstance } from 'fastify';
import type { HttpRequest, HttpResponse, Transport } from '../../core/sync/transport.js';

export interface Faults {
  dropRequest?: number;
  dropResponse?: number;
  duplicate?: number;
  serverError?: number;
  rateLimit?: number;
  garbage?: number;
  /** Seconds in the Retry-After of injected 429s. */
  retryAfterS?: number;
}

export interface SimNetwork {
  transportFor(deviceId: string): Transport;
  partition(deviceId: string, cut: boolean): void;
  faults: Faults;
  /** Every request the relay actually received (after faults), for assertions. */
  log: { device: string; method: string; url: string; status: number }[];
  /** Optional hook that can rewrite relay responses (a malicious relay). */
  tamper?: (req: HttpRequest, res: HttpResponse) => HttpResponse;
  /** Runs before a request reaches the relay (e.g. another device appends concurrently). */
  beforeDeliver?: (device: string, req: HttpRequest) => Promise<void>;
}

export function createSimNetwork(app: FastifyInstance, random: () => number, faults: Faults = {}): SimNetwork {
  const cut = new Set<string>();
  const net: SimNetwork = {
    faults,
    log: [],
    partition(id, c) {
      if (c) cut.add(id);
      else cut.delete(id);
    },
    transportFor(device) {
      const deliver = async (req: HttpRequest): Promise<HttpResponse> => {
        const url = new URL(req.url);
        if (net.beforeDeliver) await net.beforeDeliver(device, req);
        const res = await app.inject({
          method: req.method,
          url: url.pathname + url.search,
          headers: req.headers,
          ...(req.body !== undefined ? { payload: req.body } : {}),
        });
        net.log.push({ device, method: req.method, url: url.pathname + url.search, status: res.statusCode });
        const out: HttpResponse = {
          status: res.statusCode,
          headers: { 'retry-after': res.headers['retry-after'] as string | undefined },
          body: res.body,
        };
        return net.tamper ? net.tamper(req, out) : out;
      };
      return async (req) => {
        const f = net.faults;
        if (cut.has(device)) throw new Error('network partition');
        if (random() < (f.dropRequest ?? 0)) throw new Error('connection reset (request lost)');
        if (random() < (f.serverError ?? 0))
          return { status: 503, headers: {}, body: '{"error":{"code":"UNAVAILABLE","message":"injected"}}' };
        if (random() < (f.rateLimit ?? 0))
          return {
            status: 429,
            headers: { 'retry-after': String(f.retryAfterS ?? 1) },
            body: '{"error":{"code":"SYNC_RATE_LIMITED","message":"injected"}}',
          };
        if (random() < (f.garbage ?? 0)) return { status: 200, headers: {}, body: '<html>proxy error</html>' };
        const res = await deliver(req);
        if (random() < (f.duplicate ?? 0)) await deliver(req);
        if (random() < (f.dropResponse ?? 0)) throw new Error('connection reset (response lost)');
        return res;
      };
    },
  };
  return net;
}
