import * as assert from 'node:assert/strict';
import { counterIncreases } from '../../src/core/watch/counterIncreases';
import { liveFigures } from '../../src/core/watch/liveFigures';
import type { MetricScrape } from '../../src/core/watch/metricScrape';
import { parsePrometheusText } from '../../src/core/watch/parsePrometheusText';
import { ServerMetrics } from '../../src/runtime/serverMetrics';

/** A scrape `seconds` into the window, of exposition lines. */
const scrape = (seconds: number, ...lines: string[]): MetricScrape => ({ at: Date.UTC(2025, 0, 1) + seconds * 1000, samples: parsePrometheusText(lines.join('\n')) });
const requests = (route: string, status: number, value: number) => `modeldeploy_requests_total{route="${route}",status="${status}"} ${value}`;
const inFlight = (value: number) => `modeldeploy_requests_in_flight ${value}`;
const bucket = (route: string, le: string, value: number) => `modeldeploy_request_duration_seconds_bucket{le="${le}",route="${route}"} ${value}`;

const close = (actual: number | null, expected: number) => assert.ok(actual !== null && Math.abs(actual - expected) < 1e-9, `${actual} is not ${expected}`);

describe('watch: counter increases over a window', () => {
  it('adds the growth between scrapes, and the whole value after a reset (a counter that went down)', () => {
    const window = [scrape(0, 'c{a="x"} 10'), scrape(10, 'c{a="x"} 30'), scrape(20, 'c{a="x"} 5'), scrape(30, 'c{a="x"} 8')];
    // (30 - 10) + 5 after the reset + (8 - 5)
    assert.deepEqual(counterIncreases(window, 'c'), [{ labels: { a: 'x' }, increase: 28 }]);
  });

  it('counts a series from 0 in the scrapes that lack it: one that appears mid-window, or vanishes with a restart', () => {
    const window = [scrape(0, 'c{s="200"} 1'), scrape(5, 'c{s="200"} 1', 'c{s="400"} 3'), scrape(10, 'other 1'), scrape(15, 'c{s="400"} 2')];
    assert.deepEqual(counterIncreases(window, 'c'), [
      { labels: { s: '200' }, increase: 0 },
      // 0 -> 3, gone (reset to 0), then 2 after the restart
      { labels: { s: '400' }, increase: 5 },
    ]);
  });

  it('keeps only the series `select` takes, each apart, whatever the order of its labels', () => {
    const window = [scrape(0, 'c{r="a",s="1"} 1', 'c{r="b",s="1"} 1'), scrape(5, 'c{s="1",r="a"} 4', 'c{r="b",s="1"} 9')];
    assert.deepEqual(counterIncreases(window, 'c', (labels) => labels.r === 'a'), [{ labels: { r: 'a', s: '1' }, increase: 3 }]);
  });

  it('is 0 over one scrape', () => {
    assert.deepEqual(counterIncreases([scrape(0, 'c 5')], 'c'), [{ labels: {}, increase: 0 }]);
  });
});

describe('watch: live figures over a window of scrapes', () => {
  it('gives the inference request rate and the 5xx and 4xx shares, across a reset, without the other routes', () => {
    const window = [
      scrape(0, requests('infer', 200, 10), requests('infer', 500, 1), requests('live', 200, 50), requests('metrics', 200, 3), inFlight(1)),
      scrape(10, requests('infer', 200, 30), requests('infer', 500, 2), requests('live', 200, 60), requests('metrics', 200, 4), inFlight(2)),
      // The service restarted: every counter starts again, the 500 series is not there yet.
      scrape(20, requests('infer', 200, 5), requests('infer', 400, 4), requests('live', 200, 5), inFlight(3)),
    ];
    const figures = liveFigures(window);
    // infer 200: (30 - 10) + 5; 500: 2 - 1, then gone; 400: 4 after the restart
    assert.equal(figures.requests, 30);
    assert.equal(figures.windowSeconds, 20);
    close(figures.requestsPerSecond, 30 / 20);
    close(figures.errorRate, 1 / 30);
    close(figures.clientErrorRate, 4 / 30);
    assert.equal(figures.inFlight, 2, 'the scrape that read the gauge is not counted');
    assert.equal(figures.time, '2025-01-01T00:00:20.000Z');
  });

  it('gives p50 and p95 from the increase of the inference latency buckets, +Inf bucket included', () => {
    const window = [
      scrape(0, bucket('infer', '0.001', 2), bucket('infer', '0.005', 4), bucket('infer', '0.01', 5), bucket('infer', '+Inf', 5), bucket('live', '0.001', 0), bucket('live', '+Inf', 0), inFlight(1)),
      scrape(5, bucket('infer', '0.001', 6), bucket('infer', '0.005', 16), bucket('infer', '0.01', 20), bucket('infer', '+Inf', 25), bucket('live', '0.001', 100), bucket('live', '+Inf', 100), inFlight(1)),
    ];
    const figures = liveFigures(window);
    // increases 4, 12, 15, 20: p50 rank 10 in (0.001, 0.005]: 0.001 + 0.004 x (10 - 4)/(12 - 4) = 4 ms
    close(figures.p50Ms, 4);
    // p95 rank 19 > 15: in the +Inf bucket, the largest finite bound: 10 ms
    close(figures.p95Ms, 10);
    assert.equal(figures.inFlight, 0);
  });

  it('has rates of 0 and no shares or latencies over a window without requests', () => {
    const idle = [requests('infer', 200, 7), bucket('infer', '0.1', 7), bucket('infer', '+Inf', 7), inFlight(1)];
    const figures = liveFigures([scrape(0, ...idle), scrape(5, ...idle), scrape(10, ...idle, requests('live', 200, 1))]);
    assert.deepEqual(figures, { time: '2025-01-01T00:00:10.000Z', windowSeconds: 10, requests: 0, requestsPerSecond: 0, errorRate: null, clientErrorRate: null, p50Ms: null, p95Ms: null, inFlight: 0, drift: [] });
  });

  it('has no rates over a window of one scrape, or of scrapes read at the same instant, and no in-flight figure without the gauge', () => {
    const one = liveFigures([scrape(0, requests('infer', 200, 7), inFlight(4))]);
    assert.deepEqual(one, { time: '2025-01-01T00:00:00.000Z', windowSeconds: 0, requests: null, requestsPerSecond: null, errorRate: null, clientErrorRate: null, p50Ms: null, p95Ms: null, inFlight: 3, drift: [] });
    const instant = liveFigures([scrape(0, requests('infer', 200, 1)), scrape(0, requests('infer', 200, 2))]);
    assert.equal(instant.requests, null);
    assert.equal(instant.inFlight, null);
  });

  it('reports the input drift of every row counted since the start, from the last scrape, against the threshold it is given', () => {
    // Two bins, half the validation rows each; 200 live rows, 180 in the first bin.
    const bins = (a: number, b: number) => [`modeldeploy_input_bin_expected_ratio{feature="x",bin="0"} 0.5`, `modeldeploy_input_bin_expected_ratio{feature="x",bin="1"} 0.5`, `modeldeploy_input_bin_total{feature="x",bin="0"} ${a}`, `modeldeploy_input_bin_total{feature="x",bin="1"} ${b}`];
    const window = [scrape(0, inFlight(1), ...bins(0, 0)), scrape(5, inFlight(1), ...bins(180, 20))];
    const psi = (0.9 - 0.5) * Math.log(0.9 / 0.5) + (0.1 - 0.5) * Math.log(0.1 / 0.5);
    const [drift] = liveFigures(window).drift;
    assert.equal(drift.feature, 'x');
    assert.equal(drift.rows, 200);
    close(drift.psi ?? null, psi);
    assert.equal(drift.drifting, true, `PSI ${psi} is above the default 0.2`);
    assert.equal(liveFigures(window, 1).drift[0].drifting, false, `PSI ${psi} is below a threshold of 1`);
  });

  it("reads the serving runtime's own metrics: what it answered between two scrapes", async () => {
    const metrics = new ServerMetrics();
    const read = async (seconds: number) => {
      metrics.started();
      const scraped = { at: seconds * 1000, samples: parsePrometheusText(await metrics.registry.metrics()) };
      metrics.answered('metrics', 200, 0.001);
      return scraped;
    };
    const answer = (route: string, status: number, seconds: number) => {
      metrics.started();
      metrics.answered(route, status, seconds);
    };
    answer('infer', 200, 0.5);
    const first = await read(0);
    for (let i = 0; i < 6; i++) answer('infer', 200, 0.002);
    answer('infer', 400, 0.0003);
    answer('infer', 503, 0.0003);
    answer('live', 200, 0.0001);
    metrics.started();
    const figures = liveFigures([first, await read(4)]);
    assert.equal(figures.requests, 8);
    close(figures.requestsPerSecond, 2);
    close(figures.errorRate, 1 / 8);
    close(figures.clientErrorRate, 1 / 8);
    assert.equal(figures.inFlight, 1, 'the request still in flight, not the scrape');
    // 2 in (0.0001, 0.0005], 6 in (0.001, 0.0025]: p50 rank 4 -> 0.001 + 0.0015 x 2/6 = 1.5 ms;
    // p95 rank 7.6 -> 0.001 + 0.0015 x 5.6/6 = 2.4 ms
    close(figures.p50Ms, 1.5);
    close(figures.p95Ms, 2.4);
  });
});
