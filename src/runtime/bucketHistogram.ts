import type { Metric, Registry } from 'prom-client';

/** One label value's observations: counts per bucket (not cumulative), their sum and count. */
export interface HistogramSeries {
  readonly label: string;
  readonly buckets: Float64Array;
  sum: number;
  count: number;
}

/** A line of the histogram as prom-client's registry reads it; `sharedLabels` only for the text. */
interface ExportedValue {
  labels: Record<string, string | number>;
  sharedLabels?: Record<string, string>;
  value: number;
  metricName: string;
  exemplar?: null;
}

interface Exported {
  name: string;
  help: string;
  type: 'histogram';
  values: ExportedValue[];
  aggregator: 'sum';
}

/**
 * A Prometheus histogram with one label or none, read by prom-client's registry exactly as its own
 * Histogram is (the same lines and JSON), and made without prom-client: prom-client's observe converts,
 * checks and hashes the labels on every call, and the server observes every request and every run, long
 * before anyone scrapes. Observations go to a series taken once per label value; without a label, to the
 * one series there is from the start, as in prom-client.
 */
export class BucketHistogram {
  readonly type = 'histogram' as const;
  readonly aggregator = 'sum' as const;
  private readonly series = new Map<string, HistogramSeries>();

  /** `labelName` undefined: a histogram without labels. */
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelName: string | undefined,
    private readonly upperBounds: number[],
  ) {
    if (labelName === undefined) this.seriesOf('');
  }

  /** Lets `registry` read this histogram. */
  registerIn(registry: Registry): void {
    registry.registerMetric(this as unknown as Metric);
  }

  /** The series of one label value (of the histogram without labels: ''), made on first use. */
  seriesOf(label: string): HistogramSeries {
    let series = this.series.get(label);
    if (!series) this.series.set(label, (series = { label, buckets: new Float64Array(this.upperBounds.length), sum: 0, count: 0 }));
    return series;
  }

  observe(series: HistogramSeries, value: number): void {
    const bounds = this.upperBounds;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]) {
        series.buckets[i]++;
        break;
      }
    }
    series.sum += value;
    series.count++;
  }

  /** What the registry writes as text: each value's own labels apart from the series' label. */
  getForPromString(): Exported {
    const values: ExportedValue[] = [];
    for (const series of this.series.values()) {
      const shared = this.labelName === undefined ? {} : { [this.labelName]: series.label };
      let cumulative = 0;
      for (let i = 0; i < this.upperBounds.length; i++) {
        cumulative += series.buckets[i];
        values.push({ labels: { le: this.upperBounds[i] }, sharedLabels: shared, value: cumulative, metricName: `${this.name}_bucket`, exemplar: null });
      }
      values.push(
        { labels: { le: '+Inf' }, sharedLabels: shared, value: series.count, metricName: `${this.name}_bucket`, exemplar: null },
        { labels: {}, sharedLabels: shared, value: series.sum, metricName: `${this.name}_sum`, exemplar: undefined },
        { labels: {}, sharedLabels: shared, value: series.count, metricName: `${this.name}_count`, exemplar: undefined },
      );
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  /** What the registry gives as JSON: the series' label among each value's labels. */
  get(): Exported {
    const data = this.getForPromString();
    return { ...data, values: data.values.map(({ labels, sharedLabels, ...rest }) => ({ ...rest, labels: { ...labels, ...sharedLabels } })) };
  }

  /** Forgets every series, as prom-client's reset does (the one of a histogram without labels too). */
  reset(): void {
    this.series.clear();
  }
}
