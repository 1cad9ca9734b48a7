import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openScoringModel } from '../../src/core/model/inspectModel';
import { onnxRuntime } from '../../src/core/model/onnxRuntime';
import type { DataBatch } from '../../src/core/validation/dataReader';
import type { InputPlan } from '../../src/core/validation/inputPlan';
import { SecondSession } from '../../src/core/validation/secondSession';
import { writeMnistOfBatch } from '../support/mnistProject';
import { SHARED_DATA } from '../support/projectFixture';

const MNIST_MODEL = path.join(SHARED_DATA, 'mnist', 'mnist-8.onnx');
const PLAN: InputPlan = { inputName: 'Input3', elementType: 'float32', rowShape: [1, 28, 28], rowSize: 784, scale: 1, batchSize: 1, batchFixed: true, outputName: 'Plus214_Output_0' };

/** `count` rows of distinct pseudo-images, in a features array with spare room at its end, as the reader pools them. */
function batchOf(count: number): DataBatch {
  const features = new Float64Array((count + 3) * 784);
  for (let i = 0; i < count * 784; i++) features[i] = (i * 37) % 256;
  return { features, targets: Array.from({ length: count }, () => '0'), lines: new Int32Array(count + 3), count };
}

describe('SecondSession: the same model on a thread of its own, for validation of a fixed-batch model', function () {
  this.timeout(120_000);

  it('answers exactly what a session on this thread answers, row by row, and gives the input back', async () => {
    const second = SecondSession.start(MNIST_MODEL);
    const { session } = await openScoringModel(MNIST_MODEL);
    try {
      await second.whenReady();
      const batch = batchOf(7);
      const { outputs, values } = await second.runRows(PLAN, batch, 3, 1);
      assert.equal(outputs.length, 4, 'rows 3 to 6, one run each');
      assert.equal(values.length, 4 * 784);
      assert.ok(second.idle, 'idle again once its run is answered');
      const ort = onnxRuntime();
      for (let row = 3; row < 7; row++) {
        const input = Float32Array.from(batch.features.subarray(row * 784, (row + 1) * 784));
        const expected = session.run({ Input3: new ort.Tensor('float32', input, [1, 1, 28, 28]) }, { Plus214_Output_0: null }).Plus214_Output_0;
        assert.deepEqual(outputs[row - 3].dims, [1, 10]);
        assert.deepEqual(Array.from(outputs[row - 3].data as Float32Array), Array.from(expected.data as Float32Array), `row ${row}`);
        assert.deepEqual(Array.from(values.subarray((row - 3) * 784, (row - 2) * 784) as Float32Array), Array.from(input), `input of row ${row}`);
      }
    } finally {
      session.release();
      await second.close();
    }
  });

  it('runs a fixed batch larger than one in runs of that batch, the last one padded with zeros', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldeploy-second-'));
    const model = path.join(dir, 'mnist-batch-2.onnx');
    writeMnistOfBatch(2, model);
    const second = SecondSession.start(model);
    const { session } = await openScoringModel(model);
    try {
      await second.whenReady();
      const batch = batchOf(6);
      const { outputs, values } = await second.runRows({ ...PLAN, batchSize: 2 }, batch, 1, 2);
      assert.equal(outputs.length, 3, 'rows 1 to 5 are three runs of two');
      assert.deepEqual(Array.from(values.subarray(5 * 784) as Float32Array), new Array(784).fill(0), 'the last run is padded with a row of zeros');
      const ort = onnxRuntime();
      for (let run = 0; run < 3; run++) {
        const input = Float32Array.from(values.subarray(run * 2 * 784, (run + 1) * 2 * 784) as Float32Array);
        const expected = session.run({ Input3: new ort.Tensor('float32', input, [2, 1, 28, 28]) }, { Plus214_Output_0: null }).Plus214_Output_0;
        assert.deepEqual(outputs[run].dims, [2, 10]);
        assert.deepEqual(Array.from(outputs[run].data as Float32Array), Array.from(expected.data as Float32Array), `run ${run}`);
      }
    } finally {
      session.release();
      await second.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("rejects the run with onnxruntime's own error when the input does not fit the model, and stops taking work", async () => {
    const second = SecondSession.start(MNIST_MODEL);
    try {
      await second.whenReady();
      const wrongShape: InputPlan = { ...PLAN, rowShape: [1, 14, 56] };
      await assert.rejects(second.runRows(wrongShape, batchOf(2), 0, 1), (error: Error) => {
        assert.match(error.message, /Got invalid dimensions|dimension/i);
        assert.doesNotMatch(error.message, /^\s+at /m, 'a message, not a stack');
        return true;
      });
      assert.equal(second.idle, false, 'a failed session is handed no more rows');
    } finally {
      await second.close();
    }
  });

  it('says why its thread cannot load the model, is never idle, and closes at once', async () => {
    const missing = path.join(SHARED_DATA, 'mnist', 'no-such-model.onnx');
    const second = SecondSession.start(missing);
    await assert.rejects(second.whenReady(), (error: Error & { location?: { file?: string } }) => {
      assert.match(error.message, /model file does not exist/);
      assert.equal(error.location?.file, missing);
      return true;
    });
    assert.equal(second.idle, false);
    await second.close();
  });
});
