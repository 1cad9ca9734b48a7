import * as assert from 'node:assert/strict';
import { Histogram, Registry } from 'prom-client';
import { BucketHistogram } from '../../src/runtime/bucketHistogram';

const NAME = 'modeldeploy_request_duration_seconds';
const HELP = 'HTTP request latency by route.';
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

describe('the serving runtime bucket histogram', () => {
  it("reads as prom-client's own Histogram does, as text and as JSON, before and after observations and a reset", async () => {
    const theirs = new Registry();
    const histogram = new Histogram({ name: NAME, help: HELP, labelNames: ['route'], buckets: BUCKETS, registers: [theirs] });
    const ours = new Registry();
    const latency = new BucketHistogram(NAME, HELP, 'route', BUCKETS);
    latency.registerIn(ours);
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

  it("without a label, reads as prom-client's own Histogram without labels does, from the start, after observations and after a reset", async () => {
    const bounds = [1, 2, 4, 8, 16, 32, 64, 128, 256];
    const theirs = new Registry();
    const histogram = new Histogram({ name: 'b', help: 'Rows per run.', buckets: bounds, registers: [theirs] });
    const ours = new Registry();
    const sizes = new BucketHistogram('b', 'Rows per run.', undefined, bounds);
    sizes.registerIn(ours);
    const same = async () => {
      assert.equal(await ours.metrics(), await theirs.metrics());
      assert.deepEqual(await ours.getMetricsAsJSON(), await theirs.getMetricsAsJSON());
    };
    await same();
    assert.match(await ours.metrics(), /^b_bucket\{le="1"\} 0$/m);
    for (const rows of [1, 3, 64, 65, 300, 8]) {
      histogram.observe(rows);
      sizes.observe(sizes.seriesOf(''), rows);
    }
    await same();
    histogram.reset();
    sizes.reset();
    await same();
  });
});
