import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../../src/core/errors';
import { inspectModel, openModelToServe } from '../../src/core/model/inspectModel';
import { formatModelInfo } from '../../src/core/report/modelReport';
import { makeProject, SHARED_DATA } from '../support/projectFixture';

const MNIST_MODEL = path.join(SHARED_DATA, 'mnist', 'mnist-8.onnx');

describe('inspectModel', () => {
  it('reports the MNIST model as the Model Zoo publishes it', async () => {
    const info = await inspectModel(MNIST_MODEL);
    assert.equal(info.sha256, 'ddd007b8b9b1e79c323e0b090266409dc73ba8e137c192a163148c908222ed11');
    assert.equal(info.sizeBytes, 26463);
    assert.deepEqual(info.inputs, [{ name: 'Input3', type: 'float32', shape: [1, 1, 28, 28], isTensor: true }]);
    assert.deepEqual(info.outputs, [{ name: 'Plus214_Output_0', type: 'float32', shape: [1, 10], isTensor: true }]);
    assert.equal(info.producer.name, 'CNTK');
    assert.equal(info.producer.version, '2.5.1');
    assert.deepEqual(info.opsets, [{ domain: 'ai.onnx', version: 8 }]);
    assert.equal(info.irVersion, 3);
    assert.deepEqual(info.batch, { kind: 'fixed', size: 1 });
    assert.ok(info.notes.some((n) => n.includes('fixed at 1')));
  });

  it('prints a readable summary', async () => {
    const text = formatModelInfo(await inspectModel(MNIST_MODEL));
    assert.match(text, /producer {2}CNTK 2\.5\.1/);
    assert.match(text, /input\s+Input3\s+float32\s+\[1, 1, 28, 28\]/);
    assert.match(text, /output\s+Plus214_Output_0\s+float32\s+\[1, 10\]/);
  });

  describe('refuses bad files with a clear message', () => {
    let project: { dir: string; cleanup: () => void };
    before(() => {
      const model = fs.readFileSync(MNIST_MODEL);
      project = makeProject({ 'text.onnx': 'this is not a model\n', 'empty.onnx': '', 'half.onnx': model.subarray(0, model.length / 2) });
    });
    after(() => project.cleanup());

    // Inspecting, and loading to serve (which reads the file its own way), refuse it alike.
    const expectUserError = async (file: string, pattern: RegExp) => {
      for (const open of [inspectModel, (f: string) => openModelToServe(f, {})]) {
        await assert.rejects(open(path.join(project.dir, file)), (error: unknown) => {
          assert.ok(error instanceof UserError, `a UserError, got ${String(error)}`);
          assert.match(error.message, pattern);
          assert.equal(error.location?.file, path.join(project.dir, file));
          return true;
        });
      }
    };

    it('a text file', () => expectUserError('text.onnx', /not an ONNX model/));
    it('an empty file', () => expectUserError('empty.onnx', /not an ONNX model/));
    it('a truncated model', () => expectUserError('half.onnx', /not an ONNX model|onnxruntime cannot load the model/));
    it('a missing file', () => expectUserError('missing.onnx', /model file does not exist/));
    it('a folder', () => expectUserError('.', /is a folder/));
  });
});
