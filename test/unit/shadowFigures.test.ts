import * as assert from 'node:assert/strict';
import { ROUTER_LATENCY_BOUNDS, ROUTER_SHADOW_METRICS } from '../../src/core/deploy/routerMetricNames';
import { shadowFigures } from '../../src/core/deploy/shadowFigures';
import type { ShadowScrape } from '../../src/core/deploy/shadowScrape';
import { formatLiveFigures, formatLiveSummary } from '../../src/core/watch/formatLiveFigures';
import type { LiveFigures } from '../../src/core/watch/liveFigures';
import type { MetricSample } from '../../src/core/watch/metricSample';
import type { MetricScrape } from '../../src/core/watch/metricScrape';
import { ShadowWindow } from '../../src/core/watch/shadowWindow';
import { watchMetrics } from '../../src/core/watch/watchMetrics';
import { IRIS, serve } from '../support/servingFixture';

const SHADOW = 'http://mnist-green:8080';
const OTHER = 'http://mnist-blue:8080';

/** The router's shadow series at one moment: answers by status, latencies (seconds each), the comparison's counters. */
function shadowSamples(upstream: string, counts: { ok: number; failed?: number; compared: number; differ: number; incomparable?: number; max: number; busy?: number; latencies: number[] }): MetricSample[] {
  const labels = { upstream };
  const samples: MetricSample[] = [
    { name: ROUTER_SHADOW_METRICS.requests, labels: { ...labels, status: '200' }, value: counts.ok },
    { name: ROUTER_SHADOW_METRICS.requests, labels: { ...labels, status: '502' }, value: counts.failed ?? 0 },
    { name: ROUTER_SHADOW_METRICS.compared, labels, value: counts.compared },
    { name: ROUTER_SHADOW_METRICS.classDifferences, labels, value: counts.differ },
    { name: ROUTER_SHADOW_METRICS.incomparable, labels, value: counts.incomparable ?? 0 },
    { name: ROUTER_SHADOW_METRICS.maxScoreDifference, labels, value: counts.max },
    { name: ROUTER_SHADOW_METRICS.skipped, labels: { ...labels, reason: 'busy' }, value: counts.busy ?? 0 },
  ];
  for (const bound of [...ROUTER_LATENCY_BOUNDS, Infinity]) {
    samples.push({ name: `${ROUTER_SHADOW_METRICS.latency}_bucket`, labels: { ...labels, le: bound === Infinity ? '+Inf' : String(bound) }, value: counts.latencies.filter((s) => s <= bound).length });
  }
  return samples;
}

const at = (seconds: number, ...samples: MetricSample[][]): MetricScrape => ({ at: seconds * 1000, samples: samples.flat() });

describe('a shadow\'s figures from the router\'s metrics', () => {
  it('over a window: shares of differing classes and failures, latency quantiles, skips; totals since it started', () => {
    const start = shadowSamples(SHADOW, { ok: 10, compared: 10, differ: 1, max: 0.5, latencies: Array(10).fill(0.003) });
    // In the window: 40 more answered (and 10 failed), 40 compared of which 8 differ, 2 incomparable, 3 skipped busy.
    const end = shadowSamples(SHADOW, { ok: 50, failed: 10, compared: 50, differ: 9, incomparable: 2, max: 2.25, busy: 3, latencies: [...Array(10).fill(0.003), ...Array(40).fill(0.007)] });
    // Another upstream's series do not count.
    const noise = shadowSamples(OTHER, { ok: 999, compared: 999, differ: 999, max: 99, latencies: [] });
    const figures = shadowFigures([at(0, start, noise), at(10, end, noise)], SHADOW, '8.2.0');
    assert.equal(figures.version, '8.2.0');
    assert.equal(figures.mirrored, 50);
    assert.equal(figures.compared, 40);
    assert.equal(figures.incomparable, 2);
    assert.equal(figures.classDifferenceRate, 8 / 40);
    assert.equal(figures.errorRate, 10 / 50);
    assert.equal(figures.skipped, 3);
    // All 40 latencies of the window fall in the (0.005, 0.01] bucket: interpolated within it.
    assert.ok(Math.abs(figures.p50Ms! - (5 + 5 * 0.5)) < 1e-9, String(figures.p50Ms));
    assert.ok(Math.abs(figures.p95Ms! - (5 + 5 * 0.95)) < 1e-9, String(figures.p95Ms));
    assert.deepEqual(figures.total, { compared: 50, classDifferences: 9, maxScoreDifference: 2.25 });
  });

  it('one scrape gives totals and no rates; no comparison gives no share', () => {
    const one = shadowFigures([at(0, shadowSamples(SHADOW, { ok: 3, compared: 3, differ: 3, max: 1, latencies: [0.001] }))], SHADOW, '8.2.0');
    assert.deepEqual({ ...one, total: undefined }, { version: '8.2.0', mirrored: null, compared: null, incomparable: null, classDifferenceRate: null, errorRate: null, p50Ms: null, p95Ms: null, skipped: null, total: undefined });
    assert.deepEqual(one.total, { compared: 3, classDifferences: 3, maxScoreDifference: 1 });
    const idle = shadowSamples(SHADOW, { ok: 3, compared: 3, differ: 3, max: 1, latencies: [0.001] });
    const quiet = shadowFigures([at(0, idle), at(5, idle)], SHADOW, '8.2.0');
    assert.equal(quiet.mirrored, 0);
    assert.equal(quiet.classDifferenceRate, null);
    assert.equal(quiet.p95Ms, null);
    // A router that has not seen the shadow yet.
    assert.deepEqual(shadowFigures([at(0), at(5)], SHADOW, '8.2.0').total, { compared: 0, classDifferences: 0, maxScoreDifference: null });
  });

  it('a window per shadow: a new shadow starts afresh, none ends it', () => {
    const window = new ShadowWindow();
    const read = (upstream: string, seconds: number, compared: number, differ: number): ShadowScrape => ({ version: upstream === SHADOW ? '8.2.0' : '8.3.0', upstream, scrape: at(seconds, shadowSamples(upstream, { ok: compared, compared, differ, max: 1, latencies: [] })) });
    assert.equal(window.add(read(SHADOW, 0, 0, 0), 60_000)?.compared, null);
    assert.equal(window.add(read(SHADOW, 5, 20, 5), 60_000)?.classDifferenceRate, 0.25);
    // Another shadow: its first read has no window yet, even though the old one's counts were lower.
    const next = window.add(read(OTHER, 10, 100, 50), 60_000);
    assert.equal(next?.version, '8.3.0');
    assert.equal(next?.compared, null);
    assert.equal(window.add(undefined, 60_000), undefined);
    // Reads older than the window drop out.
    window.add(read(SHADOW, 100, 0, 0), 60_000);
    window.add(read(SHADOW, 130, 10, 10), 60_000);
    assert.equal(window.add(read(SHADOW, 170, 30, 10), 60_000)?.compared, 20, 'only the reads of the last 60 s count');
  });

  it('watch adds the shadow to each report while one runs, and leaves it out when the read fails, keeping its window', async function () {
    this.timeout(20_000);
    const model = await serve(IRIS, 'iris');
    try {
      let reads = 0;
      const shadow = async (): Promise<ShadowScrape | undefined> => {
        reads++;
        if (reads === 3) throw new Error('the router did not answer');
        return { version: '8.2.0', upstream: SHADOW, scrape: at(reads, shadowSamples(SHADOW, { ok: reads * 10, compared: reads * 10, differ: reads, max: 0.5, latencies: [] })) };
      };
      const reports: LiveFigures[] = [];
      await watchMetrics(model.url, { intervalMs: 20, count: 3, signal: new AbortController().signal, onFigures: (f) => reports.push(f), shadow });
      assert.equal(reports[0].shadow?.classDifferenceRate, 1 / 10);
      assert.equal(reports[1].shadow, undefined, 'a failed read leaves the shadow out');
      assert.equal(reports[2].shadow?.total.compared, 40);
      // The failed read did not end the window: it still starts at the first read (10 compared then).
      assert.equal(reports[2].shadow?.compared, 30);
      assert.equal(reports[2].shadow?.classDifferenceRate, 3 / 30);
    } finally {
      await model.close();
    }
  });

  it('is printed by watch and summed up on the tree', () => {
    const figures: LiveFigures = {
      time: new Date(0).toISOString(),
      windowSeconds: 60,
      requests: 120,
      requestsPerSecond: 2,
      errorRate: 0,
      clientErrorRate: 0,
      p50Ms: 3,
      p95Ms: 6,
      inFlight: 0,
      drift: [],
      shadow: { version: '8.2.0', mirrored: 120, compared: 100, incomparable: 0, classDifferenceRate: 0.125, errorRate: 0, p50Ms: 4, p95Ms: 9.5, skipped: 2, total: { compared: 400, classDifferences: 50, maxScoreDifference: 4000 } },
    };
    assert.match(formatLiveFigures(figures), /shadow 8\.2\.0: class differs 12\.5% of 100 compared \(50 of 400 since it started, largest score difference 4\.00e\+3\), p50 4\.0 ms p95 9\.5 ms, 0\.0% 5xx, 2 not mirrored$/);
    assert.equal(formatLiveSummary(figures), '2.0 req/s · p95 6.0 ms · shadow differs 12.5%');
    assert.equal(formatLiveSummary({ ...figures, shadow: undefined }), '2.0 req/s · p95 6.0 ms');
  });
});
