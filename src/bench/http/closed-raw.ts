/**
 * The closed model on the open model's raw sockets: each of `connections` keep-alive connections sends its next
 * request the moment the previous response ends, for the duration. It costs the generator a fraction of what
 * autocannon does per request, so the maximum it measures is the server's, not the generator's, for longer (on the
 * 2-core development machine autocannon saturated its core before `progeny serve` did). Latency runs from the actual
 * send: in a closed model there is no intended send time.
 */
import { performance } from 'node:perf_hooks';
import { Histogram } from '../histogram.js';
import type { RawRun } from '../types.js';
import { cpuMeter, SATURATED_CPU, type HttpLoad } from './load.js';
import { RawOutcome } from './raw-outcome.js';
import { RawPool, serializeRequest } from './raw-pool.js';

export async function runClosedRaw(name: string, group: string, load: HttpLoad): Promise<RawRun> {
  const url = new URL(load.url);
  if (url.protocol !== 'http:')
    throw new Error(
      `the raw closed-model generator speaks plain http, not ${url.protocol} (use --closed-generator autocannon)`,
    );
  const histogram = new Histogram();
  let running = false;
  let inFlight = 0;
  const outcome = new RawOutcome();
  const refill = (): void => {
    while (running && pool.trySend(0)) inFlight += 1;
  };
  const request = serializeRequest(load.method, load.path, url.host, load.headers);
  const pool = new RawPool(
    url.hostname.replace(/^\[|\]$/g, ''),
    Number(url.port || 80),
    request,
    load.method === 'HEAD',
    (_i, sentAt, status, error) => {
      inFlight -= 1;
      if (outcome.count(status, error)) histogram.record((performance.now() - sentAt) * 1e6);
    },
    refill,
  );
  await pool.open(load.connections);
  const cpu = cpuMeter();
  const t0 = performance.now();
  running = true;
  refill();
  await new Promise((r) => setTimeout(r, load.durationMs));
  running = false;
  const lost = await RawOutcome.drain(() => inFlight, 1);
  const elapsedMs = performance.now() - t0;
  const generatorCpu = cpu();
  pool.close();
  const invalid: string[] = [];
  if (generatorCpu >= SATURATED_CPU)
    invalid.push(`the load generator used ${Math.round(generatorCpu * 100)}% of its core: it measured itself`);
  return outcome.run({
    name,
    group,
    histogram,
    lost,
    elapsedMs,
    invalid,
    extra: {
      model: 'closed',
      generator: 'raw',
      connections: load.connections,
      generatorCpuPercent: Math.round(generatorCpu * 1000) / 10,
      reconnects: pool.reconnects,
    },
  });
}
