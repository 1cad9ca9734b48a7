import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { driftFromSamples } from '../../src/core/drift/driftFromSamples';
import type { InputProfile } from '../../src/core/drift/inputProfile';
import { httpRequest as request } from '../../src/core/http/httpRequest';
import { encodeBinaryRequest, INFERENCE_HEADER_CONTENT_LENGTH } from '../../src/core/oip/binaryTensors';
import { parsePrometheusText } from '../../src/core/watch/parsePrometheusText';
import type { ModelServer } from '../../src/runtime/startServer';
import { FIXTURE_MODELS } from '../support/projectFixture';
import { IRIS, serve } from '../support/servingFixture';

/** Bins chosen so that rows can fall exactly on edges, which float32 represents exactly. */
const IRIS_PROFILE: InputProfile = {
  input: 'float_input',
  kind: 'columns',
  rowSize: 4,
  rows: 20,
  sampledRows: 20,
  features: [
    { name: 'sepal_length', edges: [5, 6], expected: [0.3, 0.4, 0.3] },
    { name: 'sepal_width', edges: [3], expected: [0.5, 0.5] },
    { name: 'petal_length', edges: [2, 4.5], expected: [0.2, 0.3, 0.5] },
    { name: 'petal_width', edges: [0.5, 1.5], expected: [0.25, 0.25, 0.5] },
  ],
};

// Each row's bin per feature: on the first edges, on the second, above the last, and just above 3 (float32).
const ON_FIRST_EDGES = [5, 3, 2, 0.5];
const ON_SECOND_EDGES = [5.5, 3.5, 4.5, 1.5];
const ABOVE = [6.5, 2.5, 5, 2];
const JUST_ABOVE_3 = [4.9, 3.0001, 1, 0.2];

const irisInput = (rows: number[][]) => ({ name: 'float_input', shape: [rows.length, 4], datatype: 'FP32' as const, data: rows.flat() });

async function scrape(server: ModelServer): Promise<{ text: string; counts: Record<string, number[]> }> {
  const text = (await request(`${server.url}/metrics`)).text;
  const drift = driftFromSamples(parsePrometheusText(text), 0.2);
  return { text, counts: Object.fromEntries(drift.map((d) => [d.feature, d.counts])) };
}

describe('the runtime counts live inputs into the profile\'s bins', function () {
  this.timeout(30_000);
  let server: ModelServer;
  let infer: string;
  before(async () => {
    server = await serve(IRIS, 'iris', { batching: true, overrides: { inputProfile: IRIS_PROFILE } });
    infer = `${server.url}/v2/models/iris/infer`;
  });
  after(() => server.close());

  it('exposes every bin at 0 and the validation shares before any request', async () => {
    const { text, counts } = await scrape(server);
    assert.match(text, /^# TYPE modeldeploy_input_bin_total counter$/m);
    assert.match(text, /^# TYPE modeldeploy_input_bin_expected_ratio gauge$/m);
    assert.match(text, /^modeldeploy_input_bin_expected_ratio\{feature="sepal_length",bin="1"\} 0.4$/m);
    assert.match(text, /^modeldeploy_input_bin_total\{feature="petal_width",bin="2"\} 0$/m);
    assert.deepEqual(counts, { sepal_length: [0, 0, 0], sepal_width: [0, 0], petal_length: [0, 0, 0], petal_width: [0, 0, 0] });
  });

  it('counts each row of JSON, binary and batched requests exactly, edges in the bin they close, and no failed request', async () => {
    const json = await request(infer, { method: 'POST', body: JSON.stringify({ inputs: [irisInput([ON_FIRST_EDGES, ON_SECOND_EDGES])] }) });
    assert.equal(json.status, 200, json.text);
    const framed = encodeBinaryRequest({ inputs: [irisInput([ABOVE])] }, { binaryOutputs: false });
    const binary = await request(infer, { method: 'POST', body: framed.body, headers: { 'Content-Type': 'application/octet-stream', [INFERENCE_HEADER_CONTENT_LENGTH]: String(framed.headerLength) } });
    assert.equal(binary.status, 200, binary.text);
    // Eight at once: the batcher merges them into shared runs, and each request's row still counts once.
    const together = await Promise.all(Array.from({ length: 8 }, () => request(infer, { method: 'POST', body: JSON.stringify({ inputs: [irisInput([JUST_ABOVE_3])] }) })));
    assert.deepEqual(
      together.map((a) => a.status),
      new Array(8).fill(200),
    );
    const refused = await request(infer, { method: 'POST', body: JSON.stringify({ inputs: [{ name: 'float_input', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] }] }) });
    assert.equal(refused.status, 400);

    const { text, counts } = await scrape(server);
    assert.deepEqual(counts, { sepal_length: [9, 1, 1], sepal_width: [2, 9], petal_length: [9, 1, 1], petal_width: [9, 1, 1] });
    const runs = Number(/^modeldeploy_batch_size_count (\d+)$/m.exec(text)![1]);
    assert.ok(runs < 10, `${runs} runs for 10 requests: the eight were batched`);
    // Scraped again with nothing new: the same counts; then one row more adds exactly one per feature.
    assert.deepEqual((await scrape(server)).counts, counts);
    await request(infer, { method: 'POST', body: JSON.stringify({ inputs: [irisInput([ON_SECOND_EDGES])] }) });
    assert.deepEqual((await scrape(server)).counts, { sepal_length: [9, 2, 1], sepal_width: [2, 10], petal_length: [9, 2, 1], petal_width: [9, 2, 1] });
  });

  it('of a model with several inputs, counts only the profiled one', async () => {
    const profile: InputProfile = { input: 'b', kind: 'columns', rowSize: 2, rows: 2, sampledRows: 2, features: ['b0', 'b1'].map((name) => ({ name, edges: [0], expected: [0.5, 0.5] })) };
    const twoInputs = await serve(path.join(FIXTURE_MODELS, 'two-inputs.onnx'), 'two', { overrides: { inputProfile: profile } });
    try {
      const answer = await request(`${twoInputs.url}/v2/models/two/infer`, {
        method: 'POST',
        body: JSON.stringify({
          inputs: [
            { name: 'a', shape: [3, 2], datatype: 'FP32', data: [-1, -1, -1, -1, -1, -1] },
            { name: 'b', shape: [3, 2], datatype: 'FP32', data: [1, -1, 1, 0, 2, 5] },
          ],
        }),
      });
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual((await scrape(twoInputs)).counts, { b0: [0, 3], b1: [2, 1] });
    } finally {
      await twoInputs.close();
    }
  });

  it('without a profile, exposes no input drift metrics', async () => {
    const plain = await serve(IRIS, 'iris');
    try {
      await request(`${plain.url}/v2/models/iris/infer`, { method: 'POST', body: JSON.stringify({ inputs: [irisInput([ABOVE])] }) });
      const { text, counts } = await scrape(plain);
      assert.doesNotMatch(text, /modeldeploy_input_bin/);
      assert.deepEqual(counts, {});
    } finally {
      await plain.close();
    }
  });
});
