/**
 * The closed model (max throughput): autocannon keeps `connections` requests in flight for the duration. Latency is
 * taken from each `response` event (float ms from hrtime), recorded in our ns histogram, because autocannon's own
 * latency summary is whole milliseconds with no P95.
 */
import { Histogram } from '../histogram.js';
import type { RawRun } from '../types.js';
import { cpuMeter, SATURATED_CPU, type HttpLoad } from './load.js';

export async function runClosed(name: string, group: string, load: HttpLoad): Promise<RawRun> {
  const { default: autocannon } = await import('autocannon');
  const histogram = new Histogram();
  let ok = 0;
  let failed = 0;
  let firstError: string | undefined;
  const cpu = cpuMeter();
  const t0 = process.hrtime.bigint();
  let finish!: (r: { errors: number; timeouts: number; non2xx: number }) => void;
  let fail!: (e: Error) => void;
  const finished = new Promise<{ errors: number; timeouts: number; non2xx: number }>(
    (res, rej) => ((finish = res), (fail = rej)),
  );
  const instance = autocannon(
    {
      url: new URL(load.path, load.url).toString(),
      method: load.method as 'GET',
      headers: load.headers,
      connections: load.connections,
      duration: load.durationMs / 1000,
      timeout: 10,
    },
    (err, result) => (err ? fail(err instanceof Error ? err : new Error(String(err))) : finish(result)),
  );
  instance.on('response', (_client, status: number, _bytes: number, responseTime: number) => {
    histogram.record(responseTime * 1e6);
    if (status >= 200 && status < 400) ok += 1;
    else {
      failed += 1;
      firstError ??= `HTTP ${status}`;
    }
  });
  instance.on('reqError', (err: Error) => {
    failed += 1;
    firstError ??= err.message;
  });
  const result = await finished;
  const elapsedNs = Number(process.hrtime.bigint() - t0);
  const generatorCpu = cpu();
  const invalid: string[] = [];
  if (generatorCpu >= SATURATED_CPU)
    invalid.push(`the load generator used ${Math.round(generatorCpu * 100)}% of its core: it measured itself`);
  // autocannon counts socket errors and timeouts that never produced a response event.
  failed = Math.max(failed, result.errors + result.timeouts + result.non2xx);
  return {
    name,
    group,
    histogram: histogram.encode(),
    calls: ok + failed,
    ops: ok,
    errors: failed,
    ...(firstError ? { firstError } : {}),
    elapsedNs,
    invalid,
    extra: {
      model: 'closed',
      connections: load.connections,
      generatorCpuPercent: Math.round(generatorCpu * 1000) / 10,
    },
  };
}
