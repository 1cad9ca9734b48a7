import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { onnx } from 'onnx-proto';
import { UserError } from '../../src/core/errors';
import { inspectInWorker } from '../../src/core/worker/inspectInWorker';
import { EXAMPLES, makeProject } from '../support/projectFixture';
import { writeUnloadableModel } from '../support/unloadableModel';

/** A model of about `megabytes` MB: y = x + w, w an initializer of that size. */
function largeModel(megabytes: number): Buffer {
  const T = onnx.TensorProto.DataType;
  const width = Math.ceil((megabytes * 1024 * 1024) / 4);
  const value = (name: string) => ({ name, type: { tensorType: { elemType: T.FLOAT, shape: { dim: [{ dimParam: 'N' }, { dimValue: width }] } } } });
  const graph = {
    name: 'g',
    input: [value('x')],
    output: [value('y')],
    initializer: [{ name: 'w', dataType: T.FLOAT, dims: [width], rawData: Buffer.alloc(width * 4) }],
    node: [{ opType: 'Add', input: ['x', 'w'], output: ['y'] }],
  };
  return Buffer.from(onnx.ModelProto.encode({ irVersion: 8, opsetImport: [{ domain: '', version: 13 }], graph }).finish());
}

describe('inspecting a model in two steps: its file read, then onnxruntime loading it', () => {
  let project: { dir: string; cleanup: () => void };
  before(() => {
    project = makeProject({ 'large.onnx': largeModel(6), 'text.onnx': 'not a model\n' });
    writeUnloadableModel(path.join(project.dir, 'unloadable.onnx'));
  });
  after(() => project.cleanup());

  for (const [what, file] of [
    ['a small model (read on the calling thread)', () => path.join(EXAMPLES, 'iris', 'model', 'iris-v2.onnx')],
    ['a large model (read on the worker thread)', () => path.join(project.dir, 'large.onnx')],
  ] as const) {
    it(`${what}: both steps report the same model`, async () => {
      assert.equal(fs.statSync(file()).size > 4 * 1024 * 1024, what.startsWith('a large'));
      const inspection = inspectInWorker(file());
      const read = await inspection.read;
      assert.equal(read.file, file());
      assert.deepEqual(await inspection.loaded, read);
    });
  }

  it('a file that is not a model: both steps fail with the file named', async () => {
    const file = path.join(project.dir, 'text.onnx');
    const inspection = inspectInWorker(file);
    for (const step of [inspection.read, inspection.loaded]) {
      await assert.rejects(step, (error) => error instanceof UserError && /not an ONNX model/.test(error.message) && error.location?.file === file);
    }
  });

  it('a model onnxruntime refuses: read succeeds, the load fails with its reason', async () => {
    const file = path.join(project.dir, 'unloadable.onnx');
    const inspection = inspectInWorker(file);
    assert.deepEqual((await inspection.read).inputs.map((i) => i.name), ['float_input']);
    await assert.rejects(inspection.loaded, (error) => error instanceof UserError && /onnxruntime cannot load the model: .*NoSuchOperator/.test(error.message));
  });
});
