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

/** The open model's schedule and its bookkeeping: sends due, requests waiting for a connection and in flight. */
class OpenRunState {
  readonly latency = new Histogram(); // intended send time → response end: what the budget is judged on
  readonly service = new Histogram(); // actual send → response end: for comparison only
  readonly sendLag = new Histogram(); // intended send time → the scheduler dispatching it: the generator's own lateness
  readonly outcome = new RawOutcome();
  readonly backlog: Float64Array; // ring of intended times waiting for a free connection
  readonly total: number;
  readonly intervalMs: number;
  head = 0;
  waiting = 0;
  inFlight = 0;
  dispatched = 0;
  queued = 0;
  overloaded = false;

  constructor(
    readonly rate: number,
    durationMs: number,
    readonly maxOutstanding: number,
  ) {
    this.total = Math.max(1, Math.floor((rate * durationMs) / 1000));
    this.intervalMs = 1000 / rate;
    this.backlog = new Float64Array(maxOutstanding + 1);
  }

  /** A connection came free: send the oldest waiting requests. */
  drainBacklog(pool: RawPool): void {
    while (this.waiting > 0 && pool.trySend(this.backlog[this.head]!)) {
      this.head = (this.head + 1) % this.backlog.length;
      this.waiting -= 1;
      this.inFlight += 1;
    }
  }

  /** Sends (or queues) every request due by `now`; stops early when too many are outstanding. */
  dispatchDue(pool: RawPool, start: number, now: number): void {
    while (this.dispatched < this.total && start + this.dispatched * this.intervalMs <= now) {
      const intended = start + this.dispatched * this.intervalMs;
      this.dispatched += 1;
      this.sendLag.record((now - intended) * 1e6);
      if (this.waiting === 0 && pool.trySend(intended)) {
        this.inFlight += 1;
        continue;
      }
      this.queued += 1;
      this.backlog[(this.head + this.waiting) % this.backlog.length] = intended;
      this.waiting += 1;
      if (this.waiting + this.inFlight >= this.maxOutstanding) {
        this.overloaded = true;
        return;
      }
    }
  }
}

/**
 * Runs the schedule to its end (or until overloaded, or a second past the duration) and returns when the last send
 * was dispatched and the time spent in empty spins.
 */
function runSchedule(
  st: OpenRunState,
  pool: RawPool,
  start: number,
  durationMs: number,
): Promise<{ sendEnd: number; emptySpinMs: number }> {
  const hardEnd = start + durationMs + 1_000;
  let emptySpinMs = 0;
  let last = start;
  let lastWasSpin = false;
  let lastDidWork = true;
  let ioSeen = pool.ioEvents;
  return new Promise((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      // A spin turn with nothing due and no socket read since the previous one is idle time, not load.
      // Capped, because a longer gap is the core taken away (or a GC), which is not CPU spent spinning.
      if (lastWasSpin && !lastDidWork && pool.ioEvents === ioSeen)
        emptySpinMs += Math.min(now - last, EMPTY_SPIN_CAP_MS);
      ioSeen = pool.ioEvents;
      last = now;
      const before = st.dispatched;
      st.dispatchDue(pool, start, now);
      lastDidWork = st.dispatched > before;
      if (st.overloaded || st.dispatched >= st.total || now > hardEnd) return resolve({ sendEnd: now, emptySpinMs });
      const wait = start + st.dispatched * st.intervalMs - performance.now();
      lastWasSpin = wait < SPIN_WITHIN_MS;
      if (lastWasSpin) setImmediate(tick);
      else setTimeout(tick, wait - SPIN_WITHIN_MS + 0.5);
    };
    tick();
  });
}

/** Why the run cannot be trusted: the server fell behind, or the generator sent short, late or saturated. */
function invalidReasons(
  st: OpenRunState,
  m: { achieved: number; lagP99Ms: number; busy: number; preempted: number | undefined },
): string[] {
  const { rate, total, dispatched, overloaded } = st;
  const invalid: string[] = [];
  if (overloaded)
    invalid.push(`the server fell behind at ${rate} req/s: ${st.maxOutstanding} requests were outstanding`);
  if (!overloaded && (dispatched < total * (1 - RATE_TOLERANCE) || m.achieved < rate * (1 - RATE_TOLERANCE))) {
    invalid.push(`the generator sent ${Math.round(m.achieved)} req/s, short of its target ${rate}`);
  }
  if (m.lagP99Ms > SEND_LAG_LIMIT_MS) {
    const why = m.preempted ? `; the kernel preempted it ${m.preempted} times: other processes shared its core` : '';
    invalid.push(
      `the generator was late: P99 send lag ${m.lagP99Ms.toFixed(3)} ms (limit ${SEND_LAG_LIMIT_MS} ms${why})`,
    );
  }
  if (m.busy >= BUSY_LIMIT) invalid.push(`the load generator was busy ${Math.round(m.busy * 100)}% of its core`);
  return invalid;
}

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
  const st = new OpenRunState(rate, load.durationMs, maxOutstanding);
  const pool: RawPool = new RawPool(
    host,
    Number(url.port || 80),
    request,
    load.method === 'HEAD',
    (intended, sentAt, status, error) => {
      const now = performance.now();
      st.inFlight -= 1;
      if (st.outcome.count(status, error)) {
        st.latency.record((now - intended) * 1e6);
        st.service.record((now - sentAt) * 1e6);
      }
    },
    () => st.drainBacklog(pool),
  );
  await pool.open(load.connections);

  const switches0 = involuntarySwitches();
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const { sendEnd, emptySpinMs } = await runSchedule(st, pool, start, load.durationMs);
  const cpu = process.cpuUsage(cpu0);
  const preempted = switches0 === undefined ? undefined : (involuntarySwitches() ?? switches0) - switches0;
  const sendMs = Math.max(sendEnd - start, st.intervalMs);
  const lost = await RawOutcome.drain(() => st.inFlight + st.waiting, 5);
  pool.close();

  const cpuMs = (cpu.user + cpu.system) / 1e3;
  // The share of the CPU time the generator got that went to work rather than to empty spins: its headroom on the
  // core it had, whether or not other processes took some of that core (late sends show that).
  const busy = cpuMs > 0 ? Math.max(0, cpuMs - emptySpinMs) / cpuMs : 0;
  // The last request is due at (total - 1) intervals: that span, not the span plus one interval, holds `total` sends.
  const achieved = st.dispatched > 1 ? (st.dispatched - 1) / (sendMs / 1000) : st.dispatched;
  const lagP99Ms = st.sendLag.percentile(99) / 1e6;
  return st.outcome.run({
    name,
    group,
    histogram: st.latency,
    lost,
    elapsedMs: sendMs,
    invalid: invalidReasons(st, { achieved, lagP99Ms, busy, preempted }),
    extra: {
      model: 'open',
      targetRate: rate,
      achievedSendRate: Math.round(achieved),
      connections: load.connections,
      sendLagP99Ms: round(lagP99Ms),
      sendLagMaxMs: round(st.sendLag.max / 1e6),
      queuedPercent: round((st.queued / Math.max(1, st.dispatched)) * 100, 1),
      serviceP99Ms: round(st.service.percentile(99) / 1e6),
      generatorBusyPercent: round(busy * 100, 1),
      generatorCpuPercent: round((cpuMs / sendMs) * 100, 1),
      reconnects: pool.reconnects,
      ...(preempted !== undefined ? { generatorPreemptions: preempted } : {}),
    },
  });
}
