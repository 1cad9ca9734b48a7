import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { onnxRuntime } from '../../src/core/model/onnxRuntime';
import { startServer, type ModelServer } from '../../src/runtime/startServer';
import { IRIS, LABELS, serve as serveModel, type ServeOptions } from '../support/servingFixture';
import { httpRequest as request } from '../../src/core/http/httpRequest';
import { FIXTURE_MODELS, makeProject, SHARED_DATA } from '../support/projectFixture';

// Served as version 2.0.0, the iris example's own.
const serve = (modelFile: string, name: string, options: ServeOptions = {}) => serveModel(modelFile, name, { version: '2.0.0', ...options });


const post = (url: string, body: unknown, headers?: Record<string, string>) => request(url, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers });

describe('the serving runtime (Open Inference Protocol v2)', function () {
  this.timeout(30_000);
  let server: ModelServer;
  let infer: string;
  before(async () => {
    server = await serve(IRIS, 'iris', { labels: LABELS, maxBodyBytes: 4096 });
    infer = `${server.url}/v2/models/iris/infer`;
  });
  after(() => server.close());

  it('answers the health, server and model metadata routes', async () => {
    assert.deepEqual((await request(`${server.url}/v2/health/live`)).json(), { live: true });
    assert.deepEqual((await request(`${server.url}/v2/health/ready`)).json(), { ready: true });
    assert.equal(((await request(`${server.url}/v2`)).json() as { name: string }).name, 'model-deploy');
    const metadata = (await request(`${server.url}/v2/models/iris`)).json();
    assert.deepEqual(metadata, {
      name: 'iris',
      versions: ['2.0.0'],
      platform: 'onnx_onnxv1',
      inputs: [{ name: 'float_input', datatype: 'FP32', shape: [-1, 4] }],
      outputs: [
        { name: 'probabilities', datatype: 'FP32', shape: [-1, 3] },
        { name: 'label', datatype: 'INT64', shape: [-1] },
      ],
    });
    assert.deepEqual((await request(`${server.url}/v2/models/iris/versions/2.0.0`)).json(), metadata);
    assert.deepEqual((await request(`${server.url}/v2/models/iris/ready`)).json(), { name: 'iris', ready: true });
    assert.deepEqual((await request(`${server.url}/v2/models/iris/versions/2.0.0/ready`)).json(), { name: 'iris', ready: true });
  });

  it('infers with flat data: the same numbers as onnxruntime in-process, with class names', async () => {
    const rows = [5.1, 3.5, 1.4, 0.2, 6.7, 3.0, 5.2, 2.3];
    const answer = await post(infer, { id: 'r1', inputs: [{ name: 'float_input', shape: [2, 4], datatype: 'FP32', data: rows }] });
    assert.equal(answer.status, 200, answer.text);
    const body = answer.json() as { id: string; model_name: string; model_version: string; outputs: { name: string; shape: number[]; datatype: string; data: number[]; parameters?: { class_names: string[] } }[] };
    assert.equal(body.id, 'r1');
    assert.equal(body.model_name, 'iris');
    assert.equal(body.model_version, '2.0.0');
    const ort = onnxRuntime();
    const session = await ort.InferenceSession.create(IRIS);
    const local = await session.run({ float_input: new ort.Tensor('float32', Float32Array.from(rows), [2, 4]) });
    const probabilities = body.outputs.find((o) => o.name === 'probabilities')!;
    assert.deepEqual(probabilities.shape, [2, 3]);
    assert.equal(probabilities.datatype, 'FP32');
    assert.deepEqual(probabilities.data, Array.from(local.probabilities.data as Float32Array));
    assert.deepEqual(probabilities.parameters?.class_names, ['setosa', 'virginica']);
    const label = body.outputs.find((o) => o.name === 'label')!;
    assert.deepEqual([label.datatype, label.data], ['INT64', [0, 2]]);
    await session.release();
  });

  it('accepts nested data and returns only the outputs asked for', async () => {
    const answer = await post(infer, {
      inputs: [
        {
          name: 'float_input',
          shape: [2, 4],
          datatype: 'FP32',
          data: [
            [5.1, 3.5, 1.4, 0.2],
            [6.7, 3.0, 5.2, 2.3],
          ],
        },
      ],
      outputs: [{ name: 'label' }],
    });
    const body = answer.json() as { outputs: { name: string; data: number[] }[] };
    assert.deepEqual(
      body.outputs.map((o) => [o.name, o.data]),
      [['label', [0, 2]]],
    );
  });

  it('accepts curl\'s default form content type, as the specification\'s curl examples send', async () => {
    const answer = await post(infer, { inputs: [{ name: 'float_input', shape: [1, 4], datatype: 'FP32', data: [5.1, 3.5, 1.4, 0.2] }] }, { 'Content-Type': 'application/x-www-form-urlencoded' });
    assert.equal(answer.status, 200);
  });

  it('accepts JSON whatever the case of its media type and with parameters', async () => {
    const answer = await post(infer, { inputs: [{ name: 'float_input', shape: [1, 4], datatype: 'FP32', data: [5.1, 3.5, 1.4, 0.2] }] }, { 'Content-Type': 'Application/JSON; charset=utf-8' });
    assert.equal(answer.status, 200);
  });

  const input = (patch: Record<string, unknown>) => ({ inputs: [{ name: 'float_input', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4], ...patch }] });
  const refusals: { title: string; send: (base: string) => Promise<{ status: number; text: string; json: () => unknown }>; status: number; error: RegExp }[] = [
    { title: 'an unknown input name', send: (base) => post(`${base}/v2/models/iris/infer`, input({ name: 'pixels' })), status: 400, error: /no input "pixels"; its inputs are float_input/ },
    { title: 'a missing input', send: (base) => post(`${base}/v2/models/iris/infer`, { inputs: [] }), status: 400, error: /missing input "float_input"/ },
    { title: 'a wrong datatype', send: (base) => post(`${base}/v2/models/iris/infer`, input({ datatype: 'INT64' })), status: 400, error: /takes FP32 values, not INT64/ },
    { title: 'an unknown datatype', send: (base) => post(`${base}/v2/models/iris/infer`, input({ datatype: 'FLOAT' })), status: 400, error: /unknown datatype "FLOAT"/ },
    { title: 'a wrong shape', send: (base) => post(`${base}/v2/models/iris/infer`, input({ shape: [1, 3], data: [1, 2, 3] })), status: 400, error: /shape \[1, 3\] but the model takes \[-1, 4\]/ },
    { title: 'data that does not fill the shape', send: (base) => post(`${base}/v2/models/iris/infer`, input({ shape: [2, 4] })), status: 400, error: /has 4 values but its shape \[2, 4\] needs 8/ },
    { title: 'a value of the wrong kind', send: (base) => post(`${base}/v2/models/iris/infer`, input({ data: [1, 2, 'x', 4] })), status: 400, error: /value 2 is "x", not a number/ },
    // Eight values in two rows of three and five: the count fits [2, 4], the rows do not.
    { title: 'ragged nested data', send: (base) => post(`${base}/v2/models/iris/infer`, input({ shape: [2, 4], data: [[5.1, 3.5, 1.4], [6.3, 2.5, 5, 1.9, 7]] })), status: 400, error: /data\[0\] has 3 entries but dimension 1 of the shape \[2, 4\] is 4/ },
    { title: 'nested data with too few levels', send: (base) => post(`${base}/v2/models/iris/infer`, input({ shape: [2, 4], data: [[1, 2, 3, 4], 5] })), status: 400, error: /data\[1\] is 5, but nested data must have 2 levels/ },
    { title: 'a number beyond any float (1e400)', send: (base) => post(`${base}/v2/models/iris/infer`, '{"inputs":[{"name":"float_input","shape":[1,4],"datatype":"FP32","data":[1e400,1,1,1]}]}'), status: 400, error: /value 0 \(a number beyond ±1.8e308\) is too large for float32/ },
    { title: 'a number beyond FP32 (1e39)', send: (base) => post(`${base}/v2/models/iris/infer`, input({ data: [1, 1e39, 1, 1] })), status: 400, error: /value 1 \(1e\+39\) is too large for float32/ },
    { title: 'invalid JSON', send: (base) => post(`${base}/v2/models/iris/infer`, '{"inputs": ['), status: 400, error: /not valid JSON/ },
    { title: 'a body that is not an object', send: (base) => post(`${base}/v2/models/iris/infer`, '[1, 2]'), status: 400, error: /must be a JSON object/ },
    { title: 'the wrong content type', send: (base) => post(`${base}/v2/models/iris/infer`, '{}', { 'Content-Type': 'text/plain' }), status: 400, error: /must be JSON/ },
    { title: 'an unknown output', send: (base) => post(`${base}/v2/models/iris/infer`, { ...input({}), outputs: [{ name: 'scores' }] }), status: 400, error: /no output "scores"/ },
    { title: 'a body over the limit', send: (base) => post(`${base}/v2/models/iris/infer`, input({ data: new Array(2000).fill(1.2345) })), status: 413, error: /over the limit of 4096 bytes/ },
    { title: 'an unknown model', send: (base) => post(`${base}/v2/models/other/infer`, input({})), status: 404, error: /no model named "other"/ },
    { title: 'an unknown version', send: (base) => request(`${base}/v2/models/iris/versions/9/ready`), status: 404, error: /has no version "9"/ },
    { title: 'an unknown route', send: (base) => request(`${base}/v1/models`), status: 404, error: /no route \/v1\/models/ },
    { title: 'a malformed %-escape in the path', send: (base) => post(`${base}/v2/models/ir%E0%A4%A/infer`, input({})), status: 400, error: /"ir%E0%A4%A" has a malformed %-escape/ },
    { title: 'a wrong method', send: (base) => request(`${base}/v2/models/iris/infer`), status: 405, error: /GET is not allowed .* use POST/ },
  ];
  for (const r of refusals) {
    it(`refuses ${r.title} with ${r.status} and a JSON error, and keeps serving`, async () => {
      const answer = await r.send(server.url);
      assert.equal(answer.status, r.status, answer.text);
      assert.match((answer.json() as { error: string }).error, r.error);
      assert.equal((await request(`${server.url}/v2/health/ready`)).status, 200);
    });
  }

  it('refuses data nested 100,000 deep with 400, where flattening it would overflow the stack', async () => {
    const roomy = await serve(IRIS, 'iris', { labels: LABELS });
    try {
      const nested = `${'['.repeat(100_000)}1${']'.repeat(100_000)}`;
      const answer = await post(`${roomy.url}/v2/models/iris/infer`, `{"inputs":[{"name":"float_input","shape":[1,4],"datatype":"FP32","data":${nested}}]}`);
      assert.equal(answer.status, 400, answer.text);
      assert.match((answer.json() as { error: string }).error, /data\[0\] has 1 entries but dimension 1 of the shape \[1, 4\] is 4/);
    } finally {
      await roomy.close();
    }
  });

  // A client that sends "Expect: 100-continue" waits for the go-ahead before its body (curl does so above 1 KB).
  for (const [what, length, expected] of [
    ['a declared length over the limit gets the 413 instead of 100 Continue', 64_000_000, 413],
    ['a declared length within the limit gets 100 Continue, then its answer', 0, 200],
  ] as const) {
    it(`Expect: 100-continue: ${what}`, async () => {
      const body = Buffer.from(JSON.stringify(input({})));
      const answer = await new Promise<{ continued: boolean; status: number; text: string }>((resolve, reject) => {
        let continued = false;
        const req = http.request(infer, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': length || body.length, Expect: '100-continue' } });
        req.on('continue', () => {
          continued = true;
          req.end(body);
        });
        req.on('response', (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve({ continued, status: res.statusCode ?? 0, text }));
        });
        req.on('error', reject);
      });
      assert.equal(answer.status, expected, answer.text);
      assert.equal(answer.continued, expected === 200, 'the client was told to send its body only when it may');
      if (expected === 413) assert.match((JSON.parse(answer.text) as { error: string }).error, /body of 64000000 bytes is over the limit of 4096 bytes/);
    });
  }

  it('counts requests, latencies and the model load time for Prometheus', async () => {
    const text = (await request(`${server.url}/metrics`)).text;
    assert.match(text, /modeldeploy_requests_total\{route="infer",status="200"\} [1-9]/);
    assert.match(text, /modeldeploy_requests_total\{route="infer",status="400"\} [1-9]/);
    assert.match(text, /modeldeploy_request_duration_seconds_bucket\{le="[0-9.]+",route="infer"\}/);
    assert.match(text, /modeldeploy_model_load_seconds [0-9.e-]+/);
    assert.match(text, /modeldeploy_requests_in_flight/);
  });
});

describe('the serving runtime with every datatype and the real MNIST model', function () {
  this.timeout(30_000);

  it('carries each datatype in and out unchanged, int64 beyond 2^53 without loss', async () => {
    const server = await serve(path.join(FIXTURE_MODELS, 'all-types.onnx'), 'types');
    try {
      const cases: [string, string, unknown[]][] = [
        ['bool', 'BOOL', [true, false, false, true]],
        ['uint8', 'UINT8', [0, 255, 7, 1]],
        ['uint16', 'UINT16', [0, 65535, 7, 1]],
        ['uint32', 'UINT32', [0, 4294967295, 7, 1]],
        ['int8', 'INT8', [-128, 127, 0, 1]],
        ['int16', 'INT16', [-32768, 32767, 0, 1]],
        ['int32', 'INT32', [-2147483648, 2147483647, 0, 1]],
        ['float16', 'FP16', [0.5, -2, 1024, 0.0999755859375]],
        ['float32', 'FP32', [0.5, -2, 3.25, 1e-3]],
        ['float64', 'FP64', [0.1, -2e300, Math.PI, 1e-310]],
        ['string', 'BYTES', ['a', 'héllo', '', 'z']],
      ];
      const inputs = (extra: [string, string, unknown[]][] = []) =>
        [...cases, ...extra].map(([type, datatype, data]) => ({ name: `x_${type}`, shape: [2, 2], datatype, data }));
      const big = [[`x_int64`, 'INT64', ['9007199254740993', -5, 0, '-9223372036854775808']], [`x_uint64`, 'UINT64', ['18446744073709551615', 1, 0, 2]]];
      const answer = await post(`${server.url}/v2/models/types/infer`, { inputs: [...inputs(), ...big.map(([name, datatype, data]) => ({ name, shape: [2, 2], datatype, data }))] });
      assert.equal(answer.status, 200, answer.text);
      for (const [type, datatype, data] of cases) {
        const output = (answer.json() as { outputs: { name: string; datatype: string; data: unknown[] }[] }).outputs.find((o) => o.name === `y_${type}`)!;
        assert.equal(output.datatype, datatype);
        if (type === 'float32') assert.deepEqual(output.data, (data as number[]).map(Math.fround));
        else assert.deepEqual(output.data, data, type);
      }
      // 64-bit integers are written as exact JSON numbers: check the text itself.
      assert.match(answer.text, /"name":"y_int64","shape":\[2,2\],"datatype":"INT64","data":\[9007199254740993,-5,0,-9223372036854775808\]/);
      assert.match(answer.text, /"data":\[18446744073709551615,1,0,2\]/);

      const all = [...inputs(), ...big.map(([name, datatype, data]) => ({ name, shape: [2, 2], datatype, data }))];
      const overflow = await post(`${server.url}/v2/models/types/infer`, { inputs: all.map((i) => (i.name === 'x_uint8' ? { ...i, data: [256, 0, 0, 0] } : i)) });
      assert.equal(overflow.status, 400);
      assert.match((overflow.json() as { error: string }).error, /input "x_uint8" value 0 256 is not a uint8/);
      const tooBig = await post(`${server.url}/v2/models/types/infer`, { inputs: all.map((i) => (i.name === 'x_int64' ? { ...i, data: ['9223372036854775808', 0, 0, 0] } : i)) });
      assert.match((tooBig.json() as { error: string }).error, /9223372036854775808 is out of range for int64/);
    } finally {
      await server.close();
    }
  });

  it('classifies a real MNIST digit over HTTP', async () => {
    const server = await serve(path.join(SHARED_DATA, 'mnist', 'mnist-8.onnx'), 'mnist');
    try {
      const firstRow = gunzipSync(fs.readFileSync(path.join(SHARED_DATA, 'mnist', 'mnist_test.csv.gz'))).toString().split('\n')[1].split(',').map(Number);
      const [label, ...pixels] = firstRow;
      const answer = await post(`${server.url}/v2/models/mnist/infer`, { inputs: [{ name: 'Input3', shape: [1, 1, 28, 28], datatype: 'FP32', data: pixels }] });
      const scores = (answer.json() as { outputs: { data: number[] }[] }).outputs[0].data;
      assert.equal(scores.indexOf(Math.max(...scores)), label);
      assert.equal(label, 7);
      const batch = await post(`${server.url}/v2/models/mnist/infer`, { inputs: [{ name: 'Input3', shape: [2, 1, 28, 28], datatype: 'FP32', data: [...pixels, ...pixels] }] });
      assert.equal(batch.status, 400, 'the batch is fixed at 1');
      assert.match((batch.json() as { error: string }).error, /shape \[2, 1, 28, 28\] but the model takes \[1, 1, 28, 28\]/);
    } finally {
      await server.close();
    }
  });
});

describe('the serving runtime when things fail', function () {
  this.timeout(30_000);

  it('answers 503 while the model is not loaded, and says why loading failed', async () => {
    const project = makeProject({ 'bad.onnx': 'not a model' });
    const server = await startServer({ modelFile: path.join(project.dir, 'bad.onnx'), identity: { name: 'bad', version: '1' }, port: 0, host: '127.0.0.1', maxBodyBytes: 1024 });
    try {
      await assert.rejects(server.ready, /not an ONNX model/);
      assert.equal((await request(`${server.url}/v2/health/live`)).status, 200);
      const ready = await request(`${server.url}/v2/health/ready`);
      assert.deepEqual([ready.status, ready.json()], [503, { ready: false }]);
      const metadata = await request(`${server.url}/v2/models/bad`);
      assert.equal(metadata.status, 503);
      assert.match((metadata.json() as { error: string }).error, /not loaded/);
    } finally {
      await server.close();
      project.cleanup();
    }
  });

  it('answers 500 when inference itself fails, and keeps serving', async () => {
    const server = await serve(path.join(FIXTURE_MODELS, 'reshape.onnx'), 'reshape');
    try {
      const send = (shape: number[]) =>
        post(`${server.url}/v2/models/reshape/infer`, {
          inputs: [
            { name: 'x', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] },
            { name: 'shape', shape: [2], datatype: 'INT64', data: shape },
          ],
        });
      const failed = await send([3, 3]);
      assert.equal(failed.status, 500);
      assert.match((failed.json() as { error: string }).error, /^inference failed: /);
      const fine = await send([2, 2]);
      assert.equal(fine.status, 200);
      assert.deepEqual((fine.json() as { outputs: { shape: number[] }[] }).outputs[0].shape, [2, 2]);
    } finally {
      await server.close();
    }
  });
});
