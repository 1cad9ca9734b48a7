import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { onnx } from 'onnx-proto';
import { cli } from '../support/cliProcess';
import { exampleProject, type TestProject } from './engineFixture';

const T = onnx.TensorProto.DataType;

/** probabilities = float_input + w, where w's four floats are stored in `weights/iris.bin` beside the model. */
function withExternalWeights(): Buffer {
  const rows = { tensorType: { elemType: T.FLOAT, shape: { dim: [{ dimParam: 'N' }, { dimValue: 4 }] } } };
  const w: onnx.ITensorProto = { name: 'w', dataType: T.FLOAT, dims: [4], dataLocation: onnx.TensorProto.DataLocation.EXTERNAL, externalData: [{ key: 'location', value: 'weights/iris.bin' }] };
  return Buffer.from(
    onnx.ModelProto.encode({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 13 }],
      graph: { name: 'g', input: [{ name: 'float_input', type: rows }], output: [{ name: 'probabilities', type: rows }], initializer: [w], node: [{ opType: 'Add', input: ['float_input', 'w'], output: ['probabilities'] }] },
    }).finish(),
  );
}

describe('a model with external data, on the real Docker engine', () => {
  let project: TestProject;
  before(() => {
    project = exampleProject('iris');
    fs.writeFileSync(path.join(project.dir, 'model', 'iris-v2.onnx'), withExternalWeights());
    fs.mkdirSync(path.join(project.dir, 'model', 'weights'));
    fs.writeFileSync(path.join(project.dir, 'model', 'weights', 'iris.bin'), Buffer.from(new Float32Array([100, 200, 300, 400]).buffer));
  });
  after(async () => project.cleanup());

  it('goes into the image beside the model, and the server answers with its values', () => {
    const build = cli(['build', '--project', project.dir]);
    assert.equal(build.code, 0, build.stderr);
    const run = cli(['run', '--project', project.dir]);
    assert.equal(run.code, 0, run.stderr);
    const predict = cli(['predict', '--json', '--project', project.dir]);
    assert.equal(predict.code, 0, predict.stderr);
    const sample = (JSON.parse(fs.readFileSync(path.join(project.dir, 'sample.json'), 'utf8')) as { inputs: { data: number[] }[] }).inputs[0].data.flat();
    const { response } = JSON.parse(predict.stdout) as { response: { outputs: { data: number[] }[] } };
    const expected = sample.map((x, i) => Math.fround(Math.fround(x) + [100, 200, 300, 400][i % 4]));
    assert.deepEqual(response.outputs[0].data, expected);
  });
});
