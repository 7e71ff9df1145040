/**
 * Counters, gauges and histograms kept in process, rendered in the Prometheus text format by `/metrics`
 * (docs/monitoring.md). Deliberately tiny: a label set is a sorted key string, a histogram is cumulative bucket counts
 * plus sum and count. Names are checked when a metric or a series is created (never per observation): a bad name is a
 * bug, and a scraper would reject the whole page for it. `promtool check metrics` passes on the result (a test runs it).
 */

export type Labels = Record<string, string>;

interface Series<T> {
  labels: Labels;
  value: T;
}

interface HistogramValue {
  buckets: number[];
  sum: number;
  count: number;
}

function labelKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** HELP text escapes only backslash and line feed (quotes stay as they are), per the text format. */
export function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const SUFFIXES = ['_total', '_count', '_sum', '_bucket'];

/** Throws unless `name` is a valid metric name that follows the conventions for its type. */
export function checkMetricName(name: string, type: 'counter' | 'gauge' | 'histogram'): void {
  if (!METRIC_NAME.test(name) || name.startsWith('__')) throw new Error(`invalid metric name "${name}"`);
  if (type === 'counter' && !name.endsWith('_total')) throw new Error(`counter "${name}" must end in _total`);
  if (type !== 'counter' && SUFFIXES.some((x) => name.endsWith(x)))
    throw new Error(`${type} "${name}" must not end in ${SUFFIXES.join(', ')} (reserved for counters and histograms)`);
}

/** Throws unless every label name is valid (and, for a histogram, is not its `le`). */
export function checkLabelNames(metric: string, labels: Labels, reserved?: string): void {
  for (const k of Object.keys(labels)) {
    if (!LABEL_NAME.test(k) || k.startsWith('__') || k === reserved)
      throw new Error(`invalid label name "${k}" on ${metric}`);
  }
}

function renderLabels(labels: Labels, extra?: [string, string]): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  if (extra) parts.push(`${extra[0]}="${escapeLabel(extra[1])}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

export class Counter {
  private series = new Map<string, Series<number>>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(labels: Labels = {}, by = 1): void {
    const key = labelKey(labels);
    const s = this.series.get(key);
    if (s) s.value += by;
    else {
      checkLabelNames(this.name, labels);
      this.series.set(key, { labels, value: by });
    }
  }
  /** One series' increment, its labels resolved once (for per-request paths: no key built per call). */
  bind(labels: Labels): (by?: number) => void {
    const key = labelKey(labels);
    let s = this.series.get(key);
    if (!s) {
      checkLabelNames(this.name, labels);
      this.series.set(key, (s = { labels, value: 0 }));
    }
    const series = s;
    return (by = 1) => void (series.value += by);
  }
  /** A series whose total another counter keeps (e.g. the process's CPU time), read at render time. */
  track(read: () => number, labels: Labels = {}): void {
    checkLabelNames(this.name, labels);
    this.tracked.set(labelKey(labels), { labels, value: read });
  }
  private tracked = new Map<string, Series<() => number>>();
  get(labels: Labels = {}): number {
    return this.series.get(labelKey(labels))?.value ?? 0;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} counter`];
    for (const s of this.series.values()) lines.push(`${this.name}${renderLabels(s.labels)} ${s.value}`);
    for (const s of this.tracked.values()) lines.push(`${this.name}${renderLabels(s.labels)} ${s.value()}`);
    return lines.join('\n');
  }
}

export class Gauge {
  private series = new Map<string, Series<number | (() => number)>>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  set(value: number | (() => number), labels: Labels = {}): void {
    const key = labelKey(labels);
    if (!this.series.has(key)) checkLabelNames(this.name, labels);
    this.series.set(key, { labels, value });
  }
  get(labels: Labels = {}): number {
    const v = this.series.get(labelKey(labels))?.value;
    return typeof v === 'function' ? v() : (v ?? 0);
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} gauge`];
    for (const s of this.series.values()) {
      const v = typeof s.value === 'function' ? s.value() : s.value;
      lines.push(`${this.name}${renderLabels(s.labels)} ${v}`);
    }
    return lines.join('\n');
  }
}

export class Histogram {
  private series = new Map<string, Series<HistogramValue>>();
  /** Upper bounds in seconds (Prometheus convention), ascending. */
  constructor(
    readonly name: string,
    readonly help: string,
    readonly bounds: number[],
  ) {}
  observe(seconds: number, labels: Labels = {}): void {
    this.record(this.seriesFor(labels).value, seconds);
  }
  /** One series' observe, its labels resolved once (for per-request paths: no key built per call). */
  bind(labels: Labels): (seconds: number) => void {
    const v = this.seriesFor(labels).value;
    return (seconds) => this.record(v, seconds);
  }
  private seriesFor(labels: Labels): Series<HistogramValue> {
    const key = labelKey(labels);
    let s = this.series.get(key);
    if (!s) {
      checkLabelNames(this.name, labels, 'le');
      s = { labels, value: { buckets: new Array<number>(this.bounds.length).fill(0), sum: 0, count: 0 } };
      this.series.set(key, s);
    }
    return s;
  }
  private record(v: HistogramValue, seconds: number): void {
    const bounds = this.bounds;
    for (let i = 0; i < bounds.length; i++) if (seconds <= (bounds[i] as number)) v.buckets[i]!++;
    v.sum += seconds;
    v.count++;
  }
  snapshot(labels: Labels = {}): HistogramValue | undefined {
    return this.series.get(labelKey(labels))?.value;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} histogram`];
    for (const s of this.series.values()) {
      this.bounds.forEach((b, i) =>
        lines.push(`${this.name}_bucket${renderLabels(s.labels, ['le', String(b)])} ${s.value.buckets[i]}`),
      );
      lines.push(`${this.name}_bucket${renderLabels(s.labels, ['le', '+Inf'])} ${s.value.count}`);
      lines.push(`${this.name}_sum${renderLabels(s.labels)} ${s.value.sum}`);
      lines.push(`${this.name}_count${renderLabels(s.labels)} ${s.value.count}`);
    }
    return lines.join('\n');
  }
}

export class MetricsRegistry {
  private metrics = new Map<string, Counter | Gauge | Histogram>();

  counter(name: string, help: string): Counter {
    return this.getOrAdd(name, 'counter', () => new Counter(name, help)) as Counter;
  }
  gauge(name: string, help: string): Gauge {
    return this.getOrAdd(name, 'gauge', () => new Gauge(name, help)) as Gauge;
  }
  /** Latency histograms use LATENCY_BUCKETS unless told otherwise. */
  histogram(name: string, help: string, bounds: number[] = LATENCY_BUCKETS): Histogram {
    if (!bounds.length || bounds.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= (bounds[i - 1] as number))))
      throw new Error(`histogram "${name}" needs finite bucket bounds in increasing order`);
    return this.getOrAdd(name, 'histogram', () => new Histogram(name, help, bounds)) as Histogram;
  }
  /** Prometheus text exposition format, version 0.0.4. */
  render(): string {
    return [...this.metrics.values()].map((m) => m.render()).join('\n') + '\n';
  }
  private getOrAdd(
    name: string,
    type: 'counter' | 'gauge' | 'histogram',
    make: () => Counter | Gauge | Histogram,
  ): Counter | Gauge | Histogram {
    let m = this.metrics.get(name);
    if (!m) {
      checkMetricName(name, type);
      m = make();
      this.metrics.set(name, m);
    } else if (!(m instanceof { counter: Counter, gauge: Gauge, histogram: Histogram }[type])) {
      throw new Error(`metric "${name}" is already registered with another type`);
    }
    return m;
  }
}

/** Buckets at the budgets of docs/performance.md (seconds): sub-millisecond up to the LLM's seconds. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
