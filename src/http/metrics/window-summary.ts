import type { Metric, Registry } from 'prom-client';

interface Bucket {
  /** Which time slice this bucket holds (floor(now / slice width)). */
  epoch: number;
  /** Observations in the slice; `samples` keeps a uniform sample of them (reservoir). */
  n: number;
  samples: Float64Array;
}

interface Series {
  labels: Record<string, string>;
  count: number;
  sum: number;
  buckets: Bucket[];
}

export interface WindowSummaryOptions {
  name: string;
  help: string;
  labelNames: readonly string[];
  percentiles: readonly number[];
  /** The window the quantiles describe, as client_golang's MaxAge (default there: 10 min). */
  maxAgeSeconds: number;
  /** The window moves in this many steps, as client_golang's AgeBuckets (default there: 5). */
  ageBuckets: number;
  /** Samples kept per step and series. */
  reservoir?: number;
  registers: Registry[];
  now?: () => number;
}

/**
 * A Prometheus summary (quantiles over a sliding window, plus _sum and _count) whose observe()
 * costs a few array writes: prom-client's Summary feeds a t-digest per age bucket on every
 * observation (about 8 µs, measured), which on a request path doing thousands of manifest GETs
 * a second is a visible share of a core. Here each age bucket keeps a uniform random sample of
 * its observations (Vitter's algorithm R); quantiles are computed at scrape time from the
 * samples of the live buckets, each weighted by how many observations it stands for.
 */
export class WindowSummary {
  readonly name: string;
  readonly help: string;
  readonly type = 'summary';
  readonly aggregator = 'sum';
  private readonly series = new Map<string, Series>();
  private readonly width: number;
  private readonly size: number;
  private readonly now: () => number;

  constructor(private readonly opts: WindowSummaryOptions) {
    this.name = opts.name;
    this.help = opts.help;
    this.width = (opts.maxAgeSeconds * 1000) / opts.ageBuckets;
    this.size = opts.reservoir ?? 256;
    this.now = opts.now ?? Date.now;
    for (const r of opts.registers) r.registerMetric(this as unknown as Metric);
  }

  observe(labels: Record<string, string>, value: number): void {
    let key = '';
    for (const l of this.opts.labelNames) key += `${labels[l] ?? ''}\u0000`;
    let s = this.series.get(key);
    if (!s) {
      s = { labels: { ...labels }, count: 0, sum: 0, buckets: Array.from({ length: this.opts.ageBuckets }, () => ({ epoch: -1, n: 0, samples: new Float64Array(this.size) })) };
      this.series.set(key, s);
    }
    s.count++;
    s.sum += value;
    const epoch = Math.floor(this.now() / this.width);
    const b = s.buckets[epoch % this.opts.ageBuckets]!;
    if (b.epoch !== epoch) {
      b.epoch = epoch;
      b.n = 0;
    }
    if (b.n < this.size) b.samples[b.n] = value;
    else {
      const j = Math.floor(Math.random() * (b.n + 1));
      if (j < this.size) b.samples[j] = value;
    }
    b.n++;
  }

  /** The q-quantiles of the live window: NaN when it saw nothing (as client_golang reports). */
  private quantiles(s: Series): number[] {
    const epoch = Math.floor(this.now() / this.width);
    const points: Array<[number, number]> = [];
    let total = 0;
    for (const b of s.buckets) {
      if (b.n === 0 || b.epoch <= epoch - this.opts.ageBuckets || b.epoch > epoch) continue;
      const kept = Math.min(b.n, this.size);
      const weight = b.n / kept;
      for (let i = 0; i < kept; i++) points.push([b.samples[i]!, weight]);
      total += b.n;
    }
    if (total === 0) return this.opts.percentiles.map(() => Number.NaN);
    points.sort((x, y) => x[0] - y[0]);
    return this.opts.percentiles.map((q) => {
      const target = q * total;
      let seen = 0;
      for (const [v, w] of points) {
        seen += w;
        if (seen >= target) return v;
      }
      return points[points.length - 1]![0];
    });
  }

  async get() {
    const values: Array<{ labels: Record<string, string | number>; value: number; metricName?: string }> = [];
    for (const s of this.series.values()) {
      const qs = this.quantiles(s);
      this.opts.percentiles.forEach((q, i) => values.push({ labels: { ...s.labels, quantile: q }, value: qs[i]! }));
      values.push({ metricName: `${this.name}_sum`, labels: s.labels, value: s.sum });
      values.push({ metricName: `${this.name}_count`, labels: s.labels, value: s.count });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    this.series.clear();
  }
}
