/**
 * The open model: requests are scheduled at a fixed rate, each at its intended time t0 + i/rate, and its latency is
 * measured from that intended time — not from when it was actually sent — so a stalled server is charged for the
 * requests it delayed (no coordinated omission). The run is invalid when the generator misses its rate, saturates
 * its core, or the server falls so far behind that requests pile up.
 */
import { Pool } from 'undici';
import { Histogram } from '../histogram.js';
import type { RawRun } from '../types.js';
import { cpuMeter, SATURATED_CPU, type HttpLoad } from './load.js';

const TICK_MS = 1;
const DRAIN_MS = 5_000;

export async function runOpen(name: string, group: string, load: HttpLoad, rate: number, maxInFlight = 2_000): Promise<RawRun> {
  const url = new URL(load.url);
  const pool = new Pool(url.origin, { connections: load.connections, pipelining: 1, headersTimeout: 10_000, bodyTimeout: 10_000 });
  const histogram = new Histogram();
  const sendLag = new Histogram();
  const total = Math.max(1, Math.floor((rate * load.durationMs) / 1000));
  const intervalNs = 1e9 / rate;
  let sent = 0;
  let done = 0;
  let failed = 0;
  let inFlight = 0;
  let firstError: string | undefined;
  let overloaded = false;
  const cpu = cpuMeter();
  const start = process.hrtime.bigint();

  const send = (i: number): void => {
    const intended = start + BigInt(Math.round(i * intervalNs));
    sendLag.record(Number(process.hrtime.bigint() - intended));
    inFlight += 1;
    pool
      .request({ method: load.method as 'GET', path: load.path, headers: load.headers })
      .then(async (res) => {
        await res.body.dump();
        if (res.statusCode >= 400) throw new Error(`HTTP ${res.statusCode}`);
        histogram.record(Number(process.hrtime.bigint() - intended));
        done += 1;
      })
      .catch((err: Error) => {
        failed += 1;
        firstError ??= err.message;
      })
      .finally(() => (inFlight -= 1));
  };

  // Every loop iteration is bounded: `total` sends at most, and the loop ends at the duration in any case.
  const endAt = start + BigInt(Math.round(load.durationMs * 1e6));
  while (sent < total && process.hrtime.bigint() < endAt + 1_000_000_000n) {
    const due = Math.min(total, Math.floor(Number(process.hrtime.bigint() - start) / intervalNs) + 1);
    while (sent < due) {
      if (inFlight >= maxInFlight) {
        overloaded = true;
        break;
      }
      send(sent++);
    }
    if (overloaded) break;
    await new Promise((r) => setTimeout(r, TICK_MS));
  }
  const sendPhaseNs = Number(process.hrtime.bigint() - start);
  const drainUntil = Date.now() + DRAIN_MS;
  while (inFlight > 0 && Date.now() < drainUntil) await new Promise((r) => setTimeout(r, 5));
  const generatorCpu = cpu();
  const lost = inFlight;
  await pool.destroy();

  const invalid: string[] = [];
  const achieved = sent / (sendPhaseNs / 1e9);
  if (overloaded) invalid.push(`the server fell behind at ${rate} req/s: ${maxInFlight} requests were outstanding`);
  if (sent < total * 0.95 || achieved < rate * 0.9) invalid.push(`the generator sent ${Math.round(achieved)} req/s, short of its target ${rate}`);
  if (sendLag.percentile(99) > 5e6 + intervalNs) invalid.push(`the generator was late: P99 send lag ${(sendLag.percentile(99) / 1e6).toFixed(2)} ms`);
  if (generatorCpu >= SATURATED_CPU) invalid.push(`the load generator used ${Math.round(generatorCpu * 100)}% of its core`);
  if (lost) invalid.push(`${lost} requests got no answer within ${DRAIN_MS / 1000} s`);
  return {
    name,
    group,
    histogram: histogram.encode(),
    calls: done + failed + lost,
    ops: done,
    errors: failed + lost,
    ...(firstError ? { firstError } : {}),
    elapsedNs: sendPhaseNs,
    invalid,
    extra: {
      model: 'open',
      targetRate: rate,
      achievedSendRate: Math.round(achieved),
      sendLagP99Ms: Math.round(sendLag.percentile(99) / 1e3) / 1e3,
      generatorCpuPercent: Math.round(generatorCpu * 1000) / 10,
    },
  };
}
