import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from './registry.js';

describe('MetricsRegistry', () => {
  it('renders counters with labels and escapes label values', () => {
    const m = new MetricsRegistry();
    const c = m.counter('progeny_cache_hits_total', 'Cache hits');
    c.inc({ cache: 'response' });
    c.inc({ cache: 'response' }, 2);
    c.inc({ cache: 'say "hi"' });
    const text = m.render();
    expect(text).toContain('# TYPE progeny_cache_hits_total counter');
    expect(text).toContain('progeny_cache_hits_total{cache="response"} 3');
    expect(text).toContain('progeny_cache_hits_total{cache="say \\"hi\\""} 1');
  });

  it('keeps cumulative histogram buckets, sum and count', () => {
    const m = new MetricsRegistry();
    const h = m.histogram('lat_seconds', 'Latency', [0.001, 0.01, 0.1]);
    for (const v of [0.0005, 0.005, 0.05, 0.5]) h.observe(v);
    const text = m.render();
    expect(text).toContain('lat_seconds_bucket{le="0.001"} 1');
    expect(text).toContain('lat_seconds_bucket{le="0.01"} 2');
    expect(text).toContain('lat_seconds_bucket{le="0.1"} 3');
    expect(text).toContain('lat_seconds_bucket{le="+Inf"} 4');
    expect(text).toContain('lat_seconds_count 4');
    expect(h.snapshot()?.sum).toBeCloseTo(0.5555, 6);
  });

  it('records through bound series into the same series as the labelled calls', () => {
    const m = new MetricsRegistry();
    const c = m.counter('req_total', 'Requests');
    const h = m.histogram('lat_seconds', 'Latency', [0.001, 0.01]);
    const inc = c.bind({ route: '/a', status: '200' });
    const obs = h.bind({ route: '/a' });
    inc();
    inc(2);
    c.inc({ status: '200', route: '/a' });
    obs(0.0005);
    obs(0.005);
    h.observe(0.5, { route: '/a' });
    expect(c.get({ route: '/a', status: '200' })).toBe(4);
    expect(h.snapshot({ route: '/a' })).toMatchObject({ buckets: [1, 2], count: 3 });
    expect(m.render()).toContain('lat_seconds_bucket{route="/a",le="+Inf"} 3');
  });

  it('evaluates gauge callbacks at render time', () => {
    const m = new MetricsRegistry();
    let n = 1;
    m.gauge('progeny_memories', 'Memories').set(() => n);
    n = 42;
    expect(m.render()).toContain('progeny_memories 42');
  });
});
