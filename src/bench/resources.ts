/**
 * Resource sampling around a measured phase: RSS (peak sampled every 50 ms), heap, GC count and pause time
 * (PerformanceObserver 'gc' entries), event-loop delay (monitorEventLoopDelay) and CPU time (process.cpuUsage).
 */
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import type { Resources } from './types.js';

const mb = (bytes: number): number => Math.round((bytes / 1048576) * 10) / 10;
const round = (x: number): number => Math.round(x * 1e3) / 1e3;

export interface ResourceSampler {
  stop(): Resources;
}

export function sampleResources(): ResourceSampler {
  const started = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  let rssPeak = process.memoryUsage.rss();
  const rssTimer = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
  }, 50);
  rssTimer.unref();
  let gcCount = 0;
  let gcPause = 0;
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcCount += 1;
      gcPause += e.duration;
    }
  });
  gc.observe({ entryTypes: ['gc'] });
  const eld = monitorEventLoopDelay({ resolution: 10 });
  eld.enable();
  return {
    stop() {
      clearInterval(rssTimer);
      gc.disconnect();
      eld.disable();
      const cpu = process.cpuUsage(cpu0);
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      const mem = process.memoryUsage();
      rssPeak = Math.max(rssPeak, mem.rss);
      return {
        rssMb: mb(mem.rss),
        rssPeakMb: mb(rssPeak),
        heapUsedMb: mb(mem.heapUsed),
        gcCount,
        gcPauseMs: round(gcPause),
        eventLoopDelayP99Ms: eld.count ? round(eld.percentile(99) / 1e6) : 0,
        eventLoopDelayMaxMs: eld.count ? round(eld.max / 1e6) : 0,
        cpuUserMs: round(cpu.user / 1e3),
        cpuSystemMs: round(cpu.system / 1e3),
        cpuPercent: wallMs > 0 ? Math.round(((cpu.user + cpu.system) / 1e3 / wallMs) * 1000) / 10 : 0,
      };
    },
  };
}
