import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import type { InputProfile } from '../../src/core/drift/inputProfile';
import { INPUT_BIN_EXPECTED_RATIO, INPUT_BIN_TOTAL } from '../../src/core/drift/driftMetricNames';
import { ServerMetrics } from '../../src/runtime/serverMetrics';
import type { MetricSample } from '../../src/core/watch/metricSample';
import { parsePrometheusText } from '../../src/core/watch/parsePrometheusText';

const PROFILE: InputProfile = { input: 'x', kind: 'columns', rowSize: 2, rows: 4, sampledRows: 4, features: ['a', 'b'].map((name) => ({ name, edges: [0], expected: [0.25, 0.75] })) };

const scrape = async (metrics: ServerMetrics) => parsePrometheusText(await metrics.registry.metrics());

function value(samples: MetricSample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

describe('the serving runtime metrics', () => {
  it('count requests by route and status across scrapes, each answer once', async () => {
    const metrics = new ServerMetrics();
    for (const status of [200, 200, 400]) {
      metrics.started();
      metrics.answered('infer', status, 0.002);
    }
    const first = await scrape(metrics);
    assert.equal(value(first, 'modeldeploy_requests_total', { route: 'infer', status: '200' }), 2);
    assert.equal(value(first, 'modeldeploy_requests_total', { route: 'infer', status: '400' }), 1);
    metrics.started();
    metrics.answered('infer', 200, 0.002);
    metrics.started();
    metrics.answered('live', 200, 0.0001);
    const second = await scrape(metrics);
    assert.equal(value(second, 'modeldeploy_requests_total', { route: 'infer', status: '200' }), 3);
    assert.equal(value(second, 'modeldeploy_requests_total', { route: 'infer', status: '400' }), 1);
    assert.equal(value(second, 'modeldeploy_requests_total', { route: 'live', status: '200' }), 1);
    assert.equal(value(second, 'modeldeploy_request_duration_seconds_count', { route: 'infer' }), 4);
    assert.equal(value(second, 'modeldeploy_requests_in_flight'), 0);
  });

  it('give the rows per run and the model load time, at 0 before any run or load', async () => {
    const metrics = new ServerMetrics();
    const before = await scrape(metrics);
    assert.equal(value(before, 'modeldeploy_batch_size_count'), 0);
    assert.equal(value(before, 'modeldeploy_model_load_seconds'), 0);
    metrics.ran(3);
    metrics.ran(64);
    metrics.modelLoaded(0.042);
    const after = await scrape(metrics);
    assert.equal(value(after, 'modeldeploy_batch_size_count'), 2);
    assert.equal(value(after, 'modeldeploy_batch_size_sum'), 67);
    assert.equal(value(after, 'modeldeploy_batch_size_bucket', { le: '4' }), 1);
    assert.equal(value(after, 'modeldeploy_batch_size_bucket', { le: '64' }), 2);
    assert.equal(value(after, 'modeldeploy_model_load_seconds'), 0.042);
  });

  for (const when of ['before', 'after'] as const) {
    it(`give the input drift metrics when the rows are counted from ${when} the first scrape`, async () => {
      const metrics = new ServerMetrics();
      if (when === 'after') await scrape(metrics);
      const bins = metrics.countInputs(PROFILE);
      const empty = await scrape(metrics);
      assert.equal(value(empty, INPUT_BIN_TOTAL, { feature: 'a', bin: '0' }), 0);
      assert.equal(value(empty, INPUT_BIN_EXPECTED_RATIO, { feature: 'b', bin: '1' }), 0.75);
      bins.countRows(new Float32Array([-1, 1, 2, 3]), [2, 2]);
      const counted = await scrape(metrics);
      assert.equal(value(counted, INPUT_BIN_TOTAL, { feature: 'a', bin: '0' }), 1);
      assert.equal(value(counted, INPUT_BIN_TOTAL, { feature: 'a', bin: '1' }), 1);
      assert.equal(value(counted, INPUT_BIN_TOTAL, { feature: 'b', bin: '1' }), 2);
    });
  }

  it('load prom-client only at the first scrape, not with the server', () => {
    // A process of its own: this one has loaded prom-client already for other tests.
    const script = `
      const { ServerMetrics } = require(${JSON.stringify(path.join(__dirname, '..', '..', 'src', 'runtime', 'serverMetrics.js'))});
      const loaded = () => Object.keys(require.cache).some((file) => file.includes('prom-client'));
      const metrics = new ServerMetrics();
      metrics.countInputs(${JSON.stringify(PROFILE)});
      metrics.started();
      metrics.answered('infer', 200, 0.001);
      metrics.ran(1);
      metrics.modelLoaded(0.1);
      const before = loaded();
      metrics.registry;
      process.stdout.write(JSON.stringify([before, loaded()]));`;
    assert.deepEqual(JSON.parse(execFileSync(process.execPath, ['-e', script]).toString()), [false, true]);
  });
});
