/**
 * Keep-alive HTTP/1.1 connections on raw `node:net` sockets for the open-model generator: one pre-serialised request
 * (the same bytes every time), at most one request in flight per connection (no pipelining), responses framed by
 * ResponseParser from a per-socket static read buffer (`onread`, so no Buffer per read and no stream machinery).
 * A connection the server closes, or that sends something malformed, fails its request in flight and is replaced.
 */
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { ProgenyError } from '../../core/errors.js';
import { HttpParseError, ResponseParser } from './response-parser.js';

/** How a request ended: `status` of its response, or 0 with `error`. `intended` and `sentAt` come back as given. */
export type OnResult = (intended: number, sentAt: number, status: number, error?: string) => void;

interface Slot {
  socket: Socket;
  parser: ResponseParser;
  busy: boolean;
  intended: number;
  sentAt: number;
}

const READ_BUFFER = 64 * 1024;
const RECONNECT_DELAY_MS = 10;

/** The request bytes: request line, Host, the caller's headers (the bearer token among them), no body. */
export function serializeRequest(method: string, path: string, host: string, headers: Record<string, string>): Buffer {
  const lines = [`${method} ${path} HTTP/1.1`, `host: ${host}`];
  for (const [k, v] of Object.entries(headers)) {
    if (/[\r\n]/.test(k + v)) throw new Error(`header ${k} contains a line break`);
    lines.push(`${k}: ${v}`);
  }
  if (!['GET', 'HEAD', 'DELETE'].includes(method)) lines.push('content-length: 0');
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}

export class RawPool {
  private readonly free: Slot[] = [];
  private readonly slots = new Set<Slot>();
  private closing = false;
  /** Socket reads so far: the scheduler compares it between loop turns to tell an idle spin from one that did I/O. */
  ioEvents = 0;
  reconnects = 0;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly request: Buffer,
    private readonly head: boolean,
    private readonly onResult: OnResult,
    /** Called when a connection becomes free, so a waiting request can go out at once. */
    private readonly onFree: () => void,
  ) {}

  get freeCount(): number {
    return this.free.length;
  }

  /** Opens `n` connections; rejects if one cannot connect within `timeoutMs`. */
  async open(n: number, timeoutMs = 10_000): Promise<void> {
    await Promise.all(Array.from({ length: n }, () => this.openOne(timeoutMs)));
  }

  /** Sends on a free connection; false when every connection has a request in flight. */
  trySend(intended: number): boolean {
    let slot = this.free.pop();
    while (slot?.socket.destroyed) slot = this.free.pop(); // failed while idle; its 'close' has not run yet
    if (!slot) return false;
    slot.busy = true;
    slot.intended = intended;
    slot.sentAt = performance.now();
    slot.socket.write(this.request);
    return true;
  }

  close(): void {
    this.closing = true;
    for (const s of this.slots) s.socket.destroy();
  }

  private openOne(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const slot = this.connectSlot();
      const fail = (why: string): void => {
        clearTimeout(timer);
        this.close();
        reject(
          new ProgenyError('BENCH_CONNECT', `cannot connect to ${this.host}:${this.port}: ${why}`, {
            hint: 'is the server running at that address? check --url',
          }),
        );
      };
      const timer = setTimeout(() => fail(`no connection within ${timeoutMs} ms`), timeoutMs);
      const onError = (e: Error): void => fail(e.message);
      slot.socket.once('error', onError);
      slot.socket.once('connect', () => {
        clearTimeout(timer);
        slot.socket.off('error', onError); // later errors fail only that connection's request
        resolve();
      });
    });
  }

  private connectSlot(): Slot {
    const slot = { busy: false, intended: 0, sentAt: 0 } as Slot;
    slot.parser = new ResponseParser((r) => {
      if (!slot.busy) throw new HttpParseError('a response arrived with no request in flight');
      slot.busy = false;
      this.onResult(slot.intended, slot.sentAt, r.status);
      if (!r.keepAlive) slot.socket.destroy();
      else this.release(slot);
    }, this.head);
    slot.socket = connect({
      host: this.host,
      port: this.port,
      noDelay: true,
      onread: {
        buffer: Buffer.allocUnsafe(READ_BUFFER),
        callback: (n: number, buf: Uint8Array) => {
          this.ioEvents += 1;
          try {
            slot.parser.push(buf as Buffer, n);
          } catch (err) {
            slot.socket.destroy(err as Error);
          }
          return true;
        },
      },
    });
    this.slots.add(slot);
    slot.socket.on('connect', () => this.release(slot));
    slot.socket.on('end', () => {
      try {
        slot.parser.end();
      } catch (err) {
        slot.socket.destroy(err as Error);
      }
    });
    let why = 'the server closed the connection';
    slot.socket.on('error', (e) => (why = e.message));
    slot.socket.on('close', () => this.lost(slot, why));
    return slot;
  }

  private release(slot: Slot): void {
    if (this.closing || slot.socket.destroyed) return;
    this.free.push(slot);
    this.onFree();
  }

  private lost(slot: Slot, why: string): void {
    this.slots.delete(slot);
    const at = this.free.indexOf(slot);
    if (at >= 0) this.free.splice(at, 1);
    if (slot.busy) {
      slot.busy = false;
      this.onResult(slot.intended, slot.sentAt, 0, why);
    }
    if (this.closing) return;
    this.reconnects += 1;
    setTimeout(() => this.closing || this.connectSlot(), RECONNECT_DELAY_MS);
  }
}
