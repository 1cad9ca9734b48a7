import * as assert from 'node:assert/strict';
import { Histogram, Registry } from 'prom-client';
import { LatencyHistogram } from '../../src/runtime/latencyHistogram';

const NAME = 'modeldeploy_request_duration_seconds';
const HELP = 'HTTP request latency by route.';
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

describe('the serving runtime latency histogram', () => {
  it("reads as prom-client's own Histogram does, as text and as JSON, before and after observations and a reset", async () => {
    const theirs = new Registry();
    const histogram = new Histogram({ name: NAME, help: HELP, labelNames: ['route'], buckets: BUCKETS, registers: [theirs] });
    const ours = new Registry();
    const latency = new LatencyHistogram(NAME, HELP, 'route', BUCKETS, ours);
    const same = async () => {
      assert.equal(await ours.metrics(), await theirs.metrics());
      assert.deepEqual(await ours.getMetricsAsJSON(), await theirs.getMetricsAsJSON());
    };
    await same();
    const values = [0, 0.0005, 0.0007, 0.001, 0.003, 0.2, 0.25, 1.7, 2.5, 3, 120, 0.0001 * 7];
    for (const [i, value] of values.entries()) {
      const route = ['infer', 'live', 'a "quoted" route'][i % 3];
      histogram.labels(route).observe(value);
      latency.observe(latency.seriesOf(route), value);
    }
    await same();
    histogram.reset();
    latency.reset();
    await same();
  });
});
