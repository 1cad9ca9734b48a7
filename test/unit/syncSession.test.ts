import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { UserError } from '../../src/core/errors';
import { openModel, openScoringModel } from '../../src/core/model/inspectModel';
import { onnxRuntime } from '../../src/core/model/onnxRuntime';
import { SHARED_DATA } from '../support/projectFixture';
import { writeUnloadableModel } from '../support/unloadableModel';

const MNIST = path.join(SHARED_DATA, 'mnist');

/** The first `count` digits of the MNIST test set, as the model takes them. */
function digits(count: number): Float32Array[] {
  const lines = gunzipSync(fs.readFileSync(path.join(MNIST, 'mnist_test.csv.gz'))).toString().split('\n').slice(1, count + 1);
  return lines.map((line) => Float32Array.from(line.split(',').slice(1), Number));
}

const OUTPUT = { Plus214_Output_0: null };

describe('SyncSession, the session models are scored and served on', function () {
  this.timeout(60_000);

  it('answers every MNIST digit with exactly the scores of onnxruntime-node\'s InferenceSession', async () => {
    const ort = onnxRuntime();
    const model = path.join(MNIST, 'mnist-8.onnx');
    const scoring = await openScoringModel(model);
    const reference = await ort.InferenceSession.create(model, { intraOpNumThreads: 1 });
    try {
      assert.equal(scoring.info.inputs[0].name, 'Input3');
      for (const digit of digits(200)) {
        const tensor = new ort.Tensor('float32', digit, [1, 1, 28, 28]);
        const ours = scoring.session.run({ Input3: tensor }, OUTPUT).Plus214_Output_0;
        const theirs = (await reference.run({ Input3: tensor }, ['Plus214_Output_0'])).Plus214_Output_0;
        assert.deepEqual(ours.dims, [1, 10]);
        assert.deepEqual(ours.data, theirs.data);
      }
    } finally {
      scoring.session.release();
      await reference.release();
    }
  });

  it('throws onnxruntime\'s error for an input of the wrong shape, and runs on after it', async () => {
    const ort = onnxRuntime();
    const { session } = await openScoringModel(path.join(MNIST, 'mnist-8.onnx'));
    try {
      assert.throws(() => session.run({ Input3: new ort.Tensor('float32', new Float32Array(10), [1, 10]) }, OUTPUT), /Input3|dimension|rank/i);
      assert.deepEqual(session.run({ Input3: new ort.Tensor('float32', new Float32Array(784), [1, 1, 28, 28]) }, OUTPUT).Plus214_Output_0.dims, [1, 10]);
    } finally {
      session.release();
    }
  });

  it('refuses a model onnxruntime cannot load with a UserError naming the file, whether it is opened to score or to serve', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldeploy-sync-'));
    try {
      const file = path.join(dir, 'model.onnx');
      writeUnloadableModel(file);
      const refused = (error: unknown) => error instanceof UserError && /onnxruntime cannot load the model: .*NoSuchOperator/.test(error.message) && error.location?.file === file;
      await assert.rejects(openScoringModel(file), refused);
      await assert.rejects(openModel(file), refused);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
