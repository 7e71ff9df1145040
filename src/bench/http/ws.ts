/**
 * WebSocket round trips: N connections each send a request (`state.get` or `ping`, with an id) at a fixed rate, and
 * the reply carrying that id is timed from the message's intended send time, so a stalled server is charged for the
 * messages queued behind the stall. Bounded: a fixed number of messages, a drain deadline.
 */
import type * as WsModule from 'ws';
import { Histogram } from '../histogram.js';
import type { RawRun } from '../types.js';
import { cpuMeter, SATURATED_CPU } from './load.js';

export interface WsLoad {
  url: string;
  token?: string;
  connections: number;
  /** Messages per second per connection. */
  rate: number;
  durationMs: number;
  message: 'state.get' | 'ping';
}

const DRAIN_MS = 5_000;

type WebSocketClass = typeof WsModule.default;
type Socket = InstanceType<WebSocketClass>;

function openSockets(WebSocket: WebSocketClass, load: WsLoad): Promise<Socket[]> {
  const headers = load.token ? { authorization: `Bearer ${load.token}` } : undefined;
  return Promise.all(
    Array.from(
      { length: load.connections },
      () =>
        new Promise<Socket>((resolve, reject) => {
          const ws = new WebSocket(load.url, { headers, perMessageDeflate: false });
          ws.once('open', () => resolve(ws));
          ws.once('error', reject);
          ws.once('unexpected-response', (_req, res) =>
            reject(new Error(`the WebSocket upgrade was refused: HTTP ${res.statusCode}`)),
          );
        }),
    ),
  );
}

/** The messages waiting for their reply (id → intended send time), and the round trips and errors seen so far. */
class Replies {
  readonly histogram = new Histogram();
  readonly pending = new Map<string, bigint>();
  errors = 0;
  firstError: string | undefined;

  listen(ws: Socket): void {
    ws.on('error', (err: Error) => {
      this.errors += 1;
      this.firstError ??= err.message;
    });
    ws.on('message', (data: Buffer) => this.onMessage(data));
  }

  private onMessage(data: Buffer): void {
    let m: { type?: string; id?: string; error?: { message?: string } };
    try {
      m = JSON.parse(data.toString()) as typeof m;
    } catch {
      return;
    }
    const intended = m.id !== undefined ? this.pending.get(m.id) : undefined;
    if (intended === undefined) return; // hello, notices, pushes
    this.pending.delete(m.id!);
    if (m.type === 'error') {
      this.errors += 1;
      this.firstError ??= m.error?.message ?? 'error reply';
    } else this.histogram.record(Number(process.hrtime.bigint() - intended));
  }
}

/** Sends every message at its intended time, round-robin over the sockets, for the duration (plus a second at most). */
async function sendAll(
  load: WsLoad,
  sockets: Socket[],
  replies: Replies,
): Promise<{ sent: number; total: number; intervalNs: number; sendPhaseNs: number; sendLag: Histogram }> {
  const sendLag = new Histogram();
  const perConn = Math.max(1, Math.floor((load.rate * load.durationMs) / 1000));
  const total = perConn * load.connections;
  const intervalNs = 1e9 / (load.rate * load.connections);
  const start = process.hrtime.bigint();
  let sent = 0;
  while (sent < total && process.hrtime.bigint() < start + BigInt(Math.round(load.durationMs * 1e6)) + 1_000_000_000n) {
    const due = Math.min(total, Math.floor(Number(process.hrtime.bigint() - start) / intervalNs) + 1);
    for (; sent < due; sent++) {
      const intended = start + BigInt(Math.round(sent * intervalNs));
      sendLag.record(Number(process.hrtime.bigint() - intended));
      const id = `b${sent}`;
      replies.pending.set(id, intended);
      sockets[sent % sockets.length]!.send(JSON.stringify({ type: load.message, id }));
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  return { sent, total, intervalNs, sendPhaseNs: Number(process.hrtime.bigint() - start), sendLag };
}

export async function runWs(name: string, load: WsLoad): Promise<RawRun> {
  const { default: WebSocket } = await import('ws');
  const sockets = await openSockets(WebSocket, load);
  const replies = new Replies();
  sockets.forEach((ws) => replies.listen(ws));
  const cpu = cpuMeter();
  const { sent, total, intervalNs, sendPhaseNs, sendLag } = await sendAll(load, sockets, replies);
  const drainUntil = Date.now() + DRAIN_MS;
  while (replies.pending.size && Date.now() < drainUntil) await new Promise((r) => setTimeout(r, 5));
  const generatorCpu = cpu();
  const lost = replies.pending.size;
  sockets.forEach((ws) => ws.terminate());
  const achieved = sent / (sendPhaseNs / 1e9);
  const target = load.rate * load.connections;
  const invalid: string[] = [];
  if (sent < total * 0.95 || achieved < target * 0.9)
    invalid.push(`the client sent ${Math.round(achieved)} msg/s, short of its target ${target}`);
  if (sendLag.percentile(99) > 5e6 + intervalNs)
    invalid.push(`the client was late: P99 send lag ${(sendLag.percentile(99) / 1e6).toFixed(2)} ms`);
  if (generatorCpu >= SATURATED_CPU) invalid.push(`the client used ${Math.round(generatorCpu * 100)}% of its core`);
  if (lost) invalid.push(`${lost} messages got no reply within ${DRAIN_MS / 1000} s`);
  const { histogram, errors, firstError } = replies;
  return {
    name,
    group: 'ws',
    histogram: histogram.encode(),
    calls: histogram.count + errors + lost,
    ops: histogram.count,
    errors: errors + lost,
    ...(firstError ? { firstError } : {}),
    elapsedNs: sendPhaseNs,
    invalid,
    extra: {
      connections: load.connections,
      targetRate: target,
      achievedSendRate: Math.round(achieved),
      sendLagP99Ms: Math.round(sendLag.percentile(99) / 1e3) / 1e3,
      generatorCpuPercent: Math.round(generatorCpu * 1000) / 10,
    },
  };
}
