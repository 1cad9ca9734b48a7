import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Tensor } from 'onnxruntime-node';
import { httpRequest as request } from '../../src/core/http/httpRequest';
import { elementCount } from '../../src/core/model/elementCount';
import { onnxRuntime } from '../../src/core/model/onnxRuntime';
import type { TensorInfo } from '../../src/core/model/modelInfo';
import { decodeInput } from '../../src/core/oip/decodeInput';
import { parseInferenceRequestJson } from '../../src/core/oip/inferenceRequestJson';
import { RequestBatcher } from '../../src/core/oip/requestBatcher';
import type { InputArrays } from '../../src/core/oip/tensorValues';
import { SHARED_DATA } from '../support/projectFixture';
import { IRIS, serve as serveModel } from '../support/servingFixture';

const serve = (modelFile: string, name: string) => serveModel(modelFile, name, { batching: true });

/** A request's outputs from the batcher, as a promise. */
const submitted = (batcher: RequestBatcher, feeds: Record<string, Tensor>) => new Promise<Record<string, Tensor>>((resolve, reject) => batcher.submit(feeds, (error, outputs) => (outputs ? resolve(outputs) : reject(error))));

/** Runs counted per batch size, from the Prometheus histogram: [runs of exactly 1 row, all runs, all rows]. */
async function runCounts(url: string): Promise<{ single: number; runs: number; rows: number }> {
  const text = (await request(`${url}/metrics`)).text;
  const read = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? NaN);
  return { single: read(/modeldeploy_batch_size_bucket\{le="1"\} (\d+)/), runs: read(/modeldeploy_batch_size_count (\d+)/), rows: read(/modeldeploy_batch_size_sum (\d+)/) };
}

describe('dynamic batching', function () {
  this.timeout(30_000);

  it('merges concurrent requests into shared runs and answers each exactly as unbatched', async () => {
    const server = await serve(IRIS, 'iris');
    try {
      const before = await runCounts(server.url);
      const requests = Array.from({ length: 12 }, (_, i) => {
        const rows = (i % 3) + 1;
        return Array.from({ length: rows * 4 }, (_, k) => ((i * 7 + k * 3) % 70) / 10);
      });
      const answers = await Promise.all(
        requests.map((data) =>
          request(`${server.url}/v2/models/iris/infer`, { method: 'POST', body: JSON.stringify({ inputs: [{ name: 'float_input', shape: [data.length / 4, 4], datatype: 'FP32', data }], outputs: [{ name: 'probabilities' }] }) }),
        ),
      );
      const ort = onnxRuntime();
      const session = await ort.InferenceSession.create(IRIS);
      for (const [i, data] of requests.entries()) {
        assert.equal(answers[i].status, 200, answers[i].text);
        const local = await session.run({ float_input: new ort.Tensor('float32', Float32Array.from(data), [data.length / 4, 4]) });
        const served = (answers[i].json() as { outputs: { name: string; shape: number[]; data: number[] }[] }).outputs;
        assert.deepEqual(served.map((o) => o.name), ['probabilities']);
        assert.deepEqual(served[0].shape, [data.length / 4, 3]);
        assert.deepEqual(served[0].data, Array.from(local.probabilities.data as Float32Array), `request ${i}`);
      }
      await session.release();
      const after = await runCounts(server.url);
      const rows = requests.reduce((n, d) => n + d.length / 4, 0);
      assert.equal(after.rows - before.rows, rows, 'every row ran once');
      assert.ok(after.runs - before.runs < requests.length, `${after.runs - before.runs} runs for ${requests.length} requests: some were merged`);
    } finally {
      await server.close();
    }
  });

  it('runs one batch at a time: requests that arrive while a run is in flight go together in the next run', async () => {
    // onnxruntime-node's run() is asynchronous (it computes off the JavaScript thread), so requests keep
    // arriving during a run; they must wait for it and share the next one, not start runs of their own.
    const ort = onnxRuntime();
    const session = await ort.InferenceSession.create(IRIS);
    const sizes: number[] = [];
    let inFlight = 0;
    let most = 0;
    const batcher = new RequestBatcher(async (feeds) => {
      sizes.push(feeds.float_input.dims[0]);
      most = Math.max(most, ++inFlight);
      try {
        // A model slow enough that the later requests surely arrive while this run is in flight.
        await new Promise((resolve) => setTimeout(resolve, 30));
        return await session.run(feeds);
      } finally {
        inFlight--;
      }
    }, { windowMs: 0, maxRows: 64 });
    const row = (i: number) => new ort.Tensor('float32', Float32Array.from([5 + i / 10, 3, 1.4, 0.2]), [1, 4]);
    const first = submitted(batcher, { float_input: row(0) });
    // Submitted after the first run started: they queue behind it.
    await new Promise((resolve) => setImmediate(resolve));
    const rest = Array.from({ length: 8 }, (_, i) => submitted(batcher, { float_input: row(i + 1) }));
    const answers = await Promise.all([first, ...rest]);
    assert.equal(most, 1, 'never two runs at once');
    assert.deepEqual(sizes, [1, 8], 'the eight that arrived during the first run shared the second');
    for (const [i, answer] of answers.entries()) {
      const local = await session.run({ float_input: row(i) });
      assert.deepEqual(Array.from(answer.probabilities.data as Float32Array), Array.from(local.probabilities.data as Float32Array), `request ${i}`);
    }
    await session.release();
  });

  it("fills the arrays of a past batch's inputs again, and the answers of that batch keep their values", async () => {
    const ort = onnxRuntime();
    const session = await ort.InferenceSession.create(IRIS);
    const buffers: ArrayBufferLike[] = [];
    const batcher = new RequestBatcher(async (feeds) => {
      buffers.push((feeds.float_input.data as Float32Array).buffer);
      return session.run(feeds);
    }, { windowMs: 0, maxRows: 64 });
    const row = (i: number) => new ort.Tensor('float32', Float32Array.from([4 + i / 4, 3 - i / 8, 1 + i / 2, i / 5]), [1, 4]);
    const wave = (from: number, count: number) => Promise.all(Array.from({ length: count }, (_, i) => submitted(batcher, { float_input: row(from + i) })));
    const first = await wave(0, 5);
    const kept = first.map((answer) => Array.from(answer.probabilities.data as Float32Array));
    await wave(5, 4);
    await wave(9, 6);
    assert.equal(buffers.length, 3);
    assert.equal(buffers[1], buffers[0], "the second batch was joined into the first's array");
    assert.notEqual(buffers[2], buffers[0], 'a larger batch gets a larger array');
    for (const [i, answer] of first.entries()) {
      assert.deepEqual(Array.from(answer.probabilities.data as Float32Array), kept[i], `request ${i} kept its answer`);
      assert.deepEqual(kept[i], Array.from((await session.run({ float_input: row(i) })).probabilities.data as Float32Array), `request ${i} as unbatched`);
    }
    await session.release();
  });

  it('runs a batch whose run failed again one request at a time, so that only the request that fails alone fails', async () => {
    // The run refuses any batch holding a negative value, as a model may fail on one request's data.
    const ort = onnxRuntime();
    const runs: number[] = [];
    const batcher = new RequestBatcher(async (feeds) => {
      const data = feeds.x.data as Float32Array;
      runs.push(feeds.x.dims[0]);
      if (data.some((v) => v < 0)) throw new Error('a negative value');
      return { y: new ort.Tensor('float32', data.map((v) => v * 2), feeds.x.dims) };
    }, { windowMs: 0, maxRows: 64 });
    const answers = await Promise.allSettled([1, -1, 3].map((v) => submitted(batcher, { x: new ort.Tensor('float32', Float32Array.of(v), [1, 1]) })));
    assert.deepEqual(runs, [3, 1, 1, 1], 'one shared run, then one run each');
    assert.deepEqual(answers.map((a) => (a.status === 'fulfilled' ? Array.from(a.value.y.data as Float32Array) : (a.reason as Error).message)), [[2], 'a negative value', [6]]);
  });

  it('answers a request of no rows beside others, each as unbatched, and keeps serving', async () => {
    const ort = onnxRuntime();
    const session = await ort.InferenceSession.create(IRIS);
    const batcher = new RequestBatcher((feeds) => session.run(feeds), { windowMs: 0, maxRows: 64 });
    const rows = (values: number[][]) => new ort.Tensor('float32', Float32Array.from(values.flat()), [values.length, 4]);
    const requests = [rows([]), rows([[5, 3, 1.4, 0.2]]), rows([[6.3, 2.5, 5, 1.9], [5.9, 3, 4.2, 1.5]])];
    const answers = await Promise.all(requests.map((float_input) => submitted(batcher, { float_input })));
    for (const [i, answer] of answers.entries()) {
      const alone = await session.run({ float_input: requests[i] });
      assert.deepEqual(answer.probabilities.dims, alone.probabilities.dims, `request ${i}`);
      assert.deepEqual(Array.from(answer.probabilities.data as Float32Array), Array.from(alone.probabilities.data as Float32Array), `request ${i}`);
    }
    await session.release();
  });

  it('shares a run only between requests whose inputs agree on names, types and every dimension but the first', async () => {
    // The run records what it was given and answers each row with its own first value, so that a request
    // answered with another's rows shows.
    const ort = onnxRuntime();
    const runs: string[] = [];
    const batcher = new RequestBatcher(async (feeds) => {
      runs.push(Object.entries(feeds).map(([name, t]) => `${name}:${t.type}:[${t.dims.join(',')}]`).sort().join(' '));
      const first = Object.values(feeds)[0];
      const width = first.data.length / first.dims[0];
      return { y: new ort.Tensor('float32', Float32Array.from({ length: first.dims[0] }, (_, r) => Number(first.data[r * width])), [first.dims[0], 1]) };
    }, { windowMs: 0, maxRows: 64 });
    const tensor = (type: 'float32' | 'int32', value: number, dims: number[]) => {
      const size = elementCount(dims);
      return type === 'float32' ? new ort.Tensor('float32', new Float32Array(size).fill(value), dims) : new ort.Tensor('int32', new Int32Array(size).fill(value), dims);
    };
    const requests: Record<string, Tensor>[] = [
      { a: tensor('float32', 1, [1, 3]) },
      { a: tensor('float32', 2, [1, 4]) },
      { a: tensor('float32', 3, [2, 3]) },
      { a: tensor('int32', 4, [1, 3]) },
      { a: tensor('float32', 5, [1, 3]), b: tensor('float32', 0, [1, 3]) },
      { b: tensor('float32', 6, [1, 3]) },
      { a: tensor('float32', 7, [1, 3, 1]) },
    ];
    const answers = await Promise.all(requests.map((feeds) => submitted(batcher, feeds)));
    assert.deepEqual(runs.sort(), ['a:float32:[1,3,1]', 'a:float32:[1,3] b:float32:[1,3]', 'a:float32:[1,4]', 'a:float32:[3,3]', 'a:int32:[1,3]', 'b:float32:[1,3]']);
    assert.deepEqual(answers.map((a) => Array.from(a.y.data as Float32Array)), [[1], [2], [3, 3], [4], [5], [6], [7]]);
  });

  describe("requests written into the next batch's memory (InputArrays)", () => {
    /** A batcher whose run records each batch's values (when it starts and when it ends) and answers every row with its sum. */
    function recordingBatcher(delayMs = 0) {
      const ort = onnxRuntime();
      const runs: { data: Float32Array; atStart: number[]; atEnd: number[] }[] = [];
      const batcher = new RequestBatcher(async (feeds) => {
        const data = feeds.x.data as Float32Array;
        const run = { data, atStart: Array.from(data), atEnd: [] as number[] };
        runs.push(run);
        if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
        run.atEnd = Array.from(data);
        const rows = feeds.x.dims[0];
        const width = data.length / Math.max(rows, 1);
        return { sum: new ort.Tensor('float32', Float32Array.from({ length: rows }, (_, r) => data.subarray(r * width, (r + 1) * width).reduce((a, b) => a + b, 0)), [rows, 1]) };
      }, { windowMs: 0, maxRows: 64 });
      /** The feeds of a request of `rows` rows of three values (`value`, `value` + 1, `value` + 2), written where the batcher says, or into an array of their own. */
      const written = (value: number, rows = 1, staged = true) => {
        const values = Array.from({ length: rows * 3 }, (_, i) => value + (i % 3));
        const array = (staged ? batcher.array('x', Float32Array, values.length) : undefined) ?? new Float32Array(values.length);
        array.set(values);
        return { x: new ort.Tensor('float32', array, [rows, 3]) };
      };
      /** A request written and submitted at once, as the model host does. */
      const send = (value: number, rows = 1, staged = true) => {
        const feeds = written(value, rows, staged);
        return { feeds, answer: submitted(batcher, feeds) };
      };
      const sums = async (sent: { answer: Promise<Record<string, Tensor>> }[]) => (await Promise.all(sent.map((s) => s.answer))).map((a) => Array.from(a.sum.data as Float32Array));
      const bufferOf = (sent: { feeds: Record<string, Tensor> }) => (sent.feeds.x.data as Float32Array).buffer;
      return { runs, written, send, sums, bufferOf, batcher };
    }

    it('runs a batch of such requests on that memory, without copying it, and answers each with its own rows', async () => {
      const { runs, send, sums, bufferOf } = recordingBatcher();
      const sent = [send(1), send(10, 2), send(100)];
      assert.deepEqual(await sums(sent), [[6], [33, 33], [303]]);
      assert.equal(runs.length, 1);
      assert.equal(runs[0].data.buffer, bufferOf(sent[2]), 'the run read the memory the requests were written to');
      assert.deepEqual(runs[0].atStart, [1, 2, 3, 10, 11, 12, 10, 11, 12, 100, 101, 102]);
    });

    it('keeps the values of a batch in flight while the requests after it are written, into the other memory', async () => {
      const { runs, send, sums, bufferOf } = recordingBatcher(30);
      const first = [send(1), send(2)];
      // Written and queued while the first batch runs (its run waits 30 ms).
      await new Promise((resolve) => setImmediate(resolve));
      const second = [send(7), send(8), send(9)];
      assert.deepEqual(await sums([...first, ...second]), [[6], [9], [24], [27], [30]]);
      assert.equal(runs.length, 2);
      assert.deepEqual(runs[0].atStart, [1, 2, 3, 2, 3, 4]);
      assert.deepEqual(runs[0].atEnd, runs[0].atStart, 'nothing wrote over the batch in flight');
      assert.equal(runs[1].data.buffer, bufferOf(second[2]));
      assert.notEqual(runs[1].data.buffer, runs[0].data.buffer);
      assert.deepEqual(runs[1].atStart, [7, 8, 9, 8, 9, 10, 9, 10, 11]);
      // The first batch's memory is written again once that batch is over.
      const third = [send(20), send(30)];
      assert.deepEqual(await sums(third), [[63], [93]]);
      assert.equal(runs[2].data.buffer, runs[0].data.buffer);
      assert.deepEqual(runs[2].atStart, [20, 21, 22, 30, 31, 32]);
    });

    it('joins by copying a batch where a request was written and never submitted (its decoding failed), with every answer right', async () => {
      const { runs, written, send, sums, bufferOf } = recordingBatcher();
      const kept = send(1);
      written(50); // written after the first request's values, then dropped
      const after = send(5);
      assert.deepEqual(await sums([kept, after]), [[6], [18]]);
      assert.equal(runs.length, 1);
      assert.notEqual(runs[0].data.buffer, bufferOf(after), 'copied, not read in place');
      assert.deepEqual(runs[0].atStart, [1, 2, 3, 5, 6, 7]);
      // The next batch is written from the start of the other memory and read in place.
      const next = [send(3), send(4)];
      assert.deepEqual(await sums(next), [[12], [15]]);
      assert.equal(runs[1].data.buffer, bufferOf(next[1]));
    });

    it('joins by copying a batch that mixes such requests with requests of arrays of their own', async () => {
      const { runs, send, sums } = recordingBatcher();
      assert.deepEqual(await sums([send(1), send(2, 1, false), send(3)]), [[6], [9], [12]]);
      assert.deepEqual(runs[0].atStart, [1, 2, 3, 2, 3, 4, 3, 4, 5]);
    });

    it('grows its memory for more rows, keeps the values written before in order, and splits it into runs of at most the most rows', async () => {
      const { runs, send, sums } = recordingBatcher();
      const sent = Array.from({ length: 40 }, (_, i) => send(i * 10, (i % 3) + 1));
      assert.deepEqual(
        await sums(sent),
        sent.map((s, i) => Array.from({ length: s.feeds.x.dims[0] }, () => 3 * i * 10 + 3)),
      );
      assert.ok(runs.length > 1 && runs.every((r) => r.data.length / 3 <= 64), `runs of ${runs.map((r) => r.data.length / 3).join(', ')} rows`);
      assert.deepEqual(
        runs.flatMap((r) => r.atStart),
        sent.flatMap((s) => Array.from(s.feeds.x.data as Float32Array)),
      );
    });

    it('is where a request input is decoded to, from JSON numbers and from binary bytes, BOOL aside (its bytes are checked in place)', () => {
      const given: string[] = [];
      const into: InputArrays = {
        array: (name, type, length) => {
          given.push(`${name} ${type.name} ${length}`);
          return new type(length);
        },
      };
      const spec = (name: string, type: string): TensorInfo => ({ name, type, shape: ['N', 2], isTensor: true });
      const numbers = parseInferenceRequestJson(Buffer.from('{"inputs":[{"name":"a","shape":[1,2],"datatype":"FP32","data":[1.5,-2]}]}')) as { inputs: object[] };
      assert.deepEqual(Array.from(decodeInput(numbers.inputs[0], spec('a', 'float32'), undefined, into).data as Float32Array), [1.5, -2]);
      const bytes = new Uint8Array(Float64Array.of(0.25, 7).buffer);
      assert.deepEqual(Array.from(decodeInput({ name: 'b', shape: [1, 2], datatype: 'FP64', parameters: { binary_data_size: 16 } }, spec('b', 'float64'), bytes, into).data as Float64Array), [0.25, 7]);
      assert.deepEqual(Array.from(decodeInput({ name: 'c', shape: [1, 2], datatype: 'BOOL', parameters: { binary_data_size: 2 } }, spec('c', 'bool'), Uint8Array.of(0, 2), into).data as Uint8Array), [0, 1]);
      assert.deepEqual(given, ['a Float32Array 2', 'b Float64Array 2']);
    });

    it('gives no memory past its limit, nor of another type than the one it holds for an input', () => {
      const { batcher } = recordingBatcher();
      assert.equal(batcher.array('x', Float64Array, (16 << 20) / 8 + 1), undefined, 'over 16 MB');
      assert.ok(batcher.array('x', Float32Array, 3));
      assert.equal(batcher.array('x', Int32Array, 3), undefined);
      // Grown by doubling, but never past the limit.
      const near = batcher.array('y', Float32Array, (12 << 20) / 4);
      const last = batcher.array('y', Float32Array, (4 << 20) / 4);
      assert.ok(near && last);
      assert.equal(last.buffer.byteLength, 16 << 20);
      assert.equal(batcher.array('y', Float32Array, 1), undefined, 'full');
    });
  });

  it('stays off for a model whose batch dimension is fixed', async () => {
    const server = await serve(path.join(SHARED_DATA, 'mnist', 'mnist-8.onnx'), 'mnist');
    try {
      const before = await runCounts(server.url);
      const pixels = new Array(784).fill(0);
      await Promise.all(Array.from({ length: 5 }, () => request(`${server.url}/v2/models/mnist/infer`, { method: 'POST', body: JSON.stringify({ inputs: [{ name: 'Input3', shape: [1, 1, 28, 28], datatype: 'FP32', data: pixels }] }) })));
      const after = await runCounts(server.url);
      assert.equal(after.runs - before.runs, 5);
      assert.equal(after.single - before.single, 5);
    } finally {
      await server.close();
    }
  });
});
