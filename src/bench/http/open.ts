/**
 * The open model: request i is due at its intended time t0 + i/rate whatever happened to the others, and its latency
 * runs from that intended time to the last byte of its response — so when the server stalls, every request scheduled
 * during the stall is charged the time it waited (no coordinated omission). Requests go out on `connections`
 * keep-alive raw sockets (RawPool), at most one in flight on each (no pipelining); a due request that finds every
 * connection busy waits in a FIFO, and that wait is part of its latency.
 *
 * The scheduler spins the event loop (setImmediate) while the next request is less than 3 ms away: node's timers
 * have 1 ms granularity, and sending up to 1 ms late would be charged to the server against a 2 ms budget. Spinning
 * makes process.cpuUsage() read ~100 % whatever the load, so saturation is judged from the share of its CPU time
 * *not* spent in empty spins (loop turns with nothing due and no socket read). The run is invalid when the generator dispatches
 * below its rate or late, is busy ≥ 90 % of the time, the server lets requests pile up, or answers go missing.
 */
import { performance } from 'node:perf_hooks';
import { Histogram } from '../histogram.js';
import type { RawRun } from '../types.js';
import { involuntarySwitches, type HttpLoad } from './load.js';
import { RawOutcome } from './raw-outcome.js';
import { RawPool, serializeRequest } from './raw-pool.js';

const SPIN_WITHIN_MS = 3;
/** An empty loop turn takes a few µs; a gap longer than this between two turns is not the loop spinning. */
const EMPTY_SPIN_CAP_MS = 0.05;
/**
 * The generator's own lateness a valid run may add to a latency (P99). Latency is timed from the intended send time, so
 * lateness can only make a figure worse, never flatter it; past half the 2 ms budget it would be much of what is
 * measured. (0.2 ms failed every run on this shared 2-core machine, idle or not: a few dozen preemptions per run.)
 */
export const SEND_LAG_LIMIT_MS = 1;
export const BUSY_LIMIT = 0.9;
/** Rates within this fraction of the target count as kept up. */
const RATE_TOLERANCE = 0.03;

const round = (x: number, digits = 3): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** `maxOutstanding` (waiting + in flight) ends the run as "fell behind": by default a quarter second of requests. */
export async function runOpen(
  name: string,
  group: string,
  load: HttpLoad,
  rate: number,
  maxOutstanding = Math.max(2_000, Math.ceil(rate / 4)),
): Promise<RawRun> {
  const url = new URL(load.url);
  if (url.protocol !== 'http:') throw new Error(`the open-model generator speaks plain http, not ${url.protocol}`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const request = serializeRequest(load.method, load.path, url.host, load.headers);
  const latency = new Histogram(); // intended send time → response end: what the budget is judged on
  const service = new Histogram(); // actual send → response end: for comparison only
  const sendLag = new Histogram(); // intended send time → the scheduler dispatching it: the generator's own lateness
  const total = Math.max(1, Math.floor((rate * load.durationMs) / 1000));
  const intervalMs = 1000 / rate;
  const backlog = new Float64Array(maxOutstanding + 1); // ring of intended times waiting for a free connection
  let head = 0;
  let waiting = 0;
  let inFlight = 0;
  let dispatched = 0;
  let queued = 0;
  const outcome = new RawOutcome();
  let overloaded = false;

  const drainBacklog = (): void => {
    while (waiting > 0 && pool.trySend(backlog[head]!)) {
      head = (head + 1) % backlog.length;
      waiting -= 1;
      inFlight += 1;
    }
  };
  const pool = new RawPool(
    host,
    Number(url.port || 80),
    request,
    load.method === 'HEAD',
    (intended, sentAt, status, error) => {
      const now = performance.now();
      inFlight -= 1;
      if (outcome.count(status, error)) {
        latency.record((now - intended) * 1e6);
        service.record((now - sentAt) * 1e6);
      }
    },
    drainBacklog,
  );
  await pool.open(load.connections);

  const switches0 = involuntarySwitches();
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const hardEnd = start + load.durationMs + 1_000;
  let emptySpinMs = 0;
  let last = start;
  let lastWasSpin = false;
  let lastDidWork = true;
  let ioSeen = pool.ioEvents;
  let sendEnd = start;

  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      // A spin turn with nothing due and no socket read since the previous one is idle time, not load.
      // Capped, because a longer gap is the core taken away (or a GC), which is not CPU spent spinning.
      if (lastWasSpin && !lastDidWork && pool.ioEvents === ioSeen)
        emptySpinMs += Math.min(now - last, EMPTY_SPIN_CAP_MS);
      ioSeen = pool.ioEvents;
      last = now;
      const before = dispatched;
      while (dispatched < total && start + dispatched * intervalMs <= now) {
        const intended = start + dispatched * intervalMs;
        dispatched += 1;
        sendLag.record((now - intended) * 1e6);
        if (waiting === 0 && pool.trySend(intended)) {
          inFlight += 1;
          continue;
        }
        queued += 1;
        backlog[(head + waiting) % backlog.length] = intended;
        waiting += 1;
        if (waiting + inFlight >= maxOutstanding) {
          overloaded = true;
          break;
        }
      }
      lastDidWork = dispatched > before;
      if (overloaded || dispatched >= total || now > hardEnd) {
        sendEnd = now;
        return resolve();
      }
      const wait = start + dispatched * intervalMs - performance.now();
      lastWasSpin = wait < SPIN_WITHIN_MS;
      if (lastWasSpin) setImmediate(tick);
      else setTimeout(tick, wait - SPIN_WITHIN_MS + 0.5);
    };
    tick();
  });
  const cpu = process.cpuUsage(cpu0);
  const preempted = switches0 === undefined ? undefined : (involuntarySwitches() ?? switches0) - switches0;
  const sendMs = Math.max(sendEnd - start, intervalMs);
  const lost = await RawOutcome.drain(() => inFlight + waiting, 5);
  pool.close();

  const cpuMs = (cpu.user + cpu.system) / 1e3;
  // The share of the CPU time the generator got that went to work rather than to empty spins: its headroom on the
  // core it had, whether or not other processes took some of that core (late sends show that).
  const busy = cpuMs > 0 ? Math.max(0, cpuMs - emptySpinMs) / cpuMs : 0;
  // The last request is due at (total - 1) intervals: that span, not the span plus one interval, holds `total` sends.
  const achieved = dispatched > 1 ? (dispatched - 1) / (sendMs / 1000) : dispatched;
  const lagP99Ms = sendLag.percentile(99) / 1e6;
  const invalid: string[] = [];
  if (overloaded) invalid.push(`the server fell behind at ${rate} req/s: ${maxOutstanding} requests were outstanding`);
  if (!overloaded && (dispatched < total * (1 - RATE_TOLERANCE) || achieved < rate * (1 - RATE_TOLERANCE))) {
    invalid.push(`the generator sent ${Math.round(achieved)} req/s, short of its target ${rate}`);
  }
  if (lagP99Ms > SEND_LAG_LIMIT_MS) {
    const why = preempted ? `; the kernel preempted it ${preempted} times: other processes shared its core` : '';
    invalid.push(
      `the generator was late: P99 send lag ${lagP99Ms.toFixed(3)} ms (limit ${SEND_LAG_LIMIT_MS} ms${why})`,
    );
  }
  if (busy >= BUSY_LIMIT) invalid.push(`the load generator was busy ${Math.round(busy * 100)}% of its core`);
  return outcome.run({
    name,
    group,
    histogram: latency,
    lost,
    elapsedMs: sendMs,
    invalid,
    extra: {
      model: 'open',
      targetRate: rate,
      achievedSendRate: Math.round(achieved),
      connections: load.connections,
      sendLagP99Ms: round(lagP99Ms),
      sendLagMaxMs: round(sendLag.max / 1e6),
      queuedPercent: round((queued / Math.max(1, dispatched)) * 100, 1),
      serviceP99Ms: round(service.percentile(99) / 1e6),
      generatorBusyPercent: round(busy * 100, 1),
      generatorCpuPercent: round((cpuMs / sendMs) * 100, 1),
      reconnects: pool.reconnects,
      ...(preempted !== undefined ? { generatorPreemptions: preempted } : {}),
    },
  });
}
