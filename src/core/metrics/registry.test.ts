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

  it("counts an observation equal to a bound in that bound's bucket (le is inclusive)", () => {
    const m = new MetricsRegistry();
    const h = m.histogram('edge_seconds', 'Edges', [0.001, 0.01]);
    h.observe(0.001);
    h.observe(0.01);
    h.bind({ route: '/x' })(0.001);
    expect(h.snapshot()).toMatchObject({ buckets: [1, 2], count: 2 });
    expect(h.snapshot({ route: '/x' })).toMatchObject({ buckets: [1, 1], count: 1 });
    const text = m.render();
    expect(text).toContain('edge_seconds_bucket{le="0.001"} 1');
    expect(text).toContain('edge_seconds_bucket{le="0.01"} 2');
  });

  it('escapes backslashes and line feeds in HELP text, and leaves quotes alone', () => {
    const m = new MetricsRegistry();
    m.gauge('odd_help', 'A "quoted" path C:\\temp\nand a second line').set(1);
    expect(m.render()).toContain('# HELP odd_help A "quoted" path C:\\\\temp\\nand a second line\n');
  });

  it('refuses invalid metric and label names and names against the conventions of their type', () => {
    const m = new MetricsRegistry();
    expect(() => m.counter('bad-name_total', 'x')).toThrow(/invalid metric name "bad-name_total"/);
    expect(() => m.gauge('9lives', 'x')).toThrow(/invalid metric name/);
    expect(() => m.counter('requests', 'x')).toThrow(/must end in _total/);
    expect(() => m.gauge('things_total', 'x')).toThrow(/must not end in _total/);
    expect(() => m.histogram('lat_seconds_bucket', 'x', [1])).toThrow(/must not end in/);
    expect(() => m.histogram('lat_seconds', 'x', [0.1, 0.1])).toThrow(/increasing order/);
    expect(() => m.counter('ok_total', 'x').inc({ 'bad-label': 'v' })).toThrow(/invalid label name "bad-label"/);
    expect(() => m.counter('ok_total', 'x').bind({ __reserved: 'v' })).toThrow(/invalid label name/);
    expect(() => m.gauge('ok_gauge', 'x').set(1, { 'a b': 'v' })).toThrow(/invalid label name/);
    expect(() => m.histogram('h_seconds', 'x', [1]).observe(1, { le: '1' })).toThrow(/invalid label name "le"/);
    expect(() => m.gauge('ok_total', 'x')).toThrow(/already registered with another type/);
  });
});
