import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { onnx } from 'onnx-proto';
import { UserError } from '../../src/core/errors';
import { inspectModel, openModel, openScoringModel, readModelInfo } from '../../src/core/model/inspectModel';
import { ModelHost } from '../../src/core/oip/modelHost';
import { cli } from '../support/cliProcess';
import { copyExample, makeProject } from '../support/projectFixture';

const T = onnx.TensorProto.DataType;

function encode(graph: onnx.IGraphProto): Buffer {
  return Buffer.from(onnx.ModelProto.encode({ irVersion: 8, opsetImport: [{ domain: '', version: 13 }], graph: { name: 'g', ...graph } }).finish());
}

function floats(...values: number[]): Buffer {
  return Buffer.from(new Float32Array(values).buffer);
}

/** y = x + w, where w's two floats are stored in the file `location`. */
function addExternal(location: string): Buffer {
  const dims = { tensorType: { elemType: T.FLOAT, shape: { dim: [{ dimValue: 2 }] } } };
  return encode({
    input: [{ name: 'x', type: dims }],
    output: [{ name: 'y', type: dims }],
    initializer: [{ name: 'w', dataType: T.FLOAT, dims: [2], dataLocation: onnx.TensorProto.DataLocation.EXTERNAL, externalData: [{ key: 'location', value: location }, { key: 'length', value: '8' }] }],
    node: [{ opType: 'Add', input: ['x', 'w'], output: ['y'] }],
  });
}

/** An Identity model whose one input is `shape` of float32. */
function fixedInput(shape: number[]): Buffer {
  const type = { tensorType: { elemType: T.FLOAT, shape: { dim: shape.map((dimValue) => ({ dimValue })) } } };
  return encode({ input: [{ name: 'float_input', type }], output: [{ name: 'probabilities', type }], node: [{ opType: 'Identity', input: ['float_input'], output: ['probabilities'] }] });
}

async function refusal(work: Promise<unknown>): Promise<UserError> {
  const error = await work.then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof UserError, `expected a UserError, got ${String(error)}`);
  return error;
}

describe('model files: external data', () => {
  let project: { dir: string; cleanup: () => void };
  let otherCwd: { dir: string; cleanup: () => void };
  const cwd = process.cwd();
  before(() => {
    project = makeProject({ 'model/add.onnx': addExternal('weights.bin'), 'model/weights.bin': floats(10, 20), 'model/escape.onnx': addExternal('../secret.bin'), 'model/absolute.onnx': addExternal('/etc/hostname'), 'secret.bin': floats(7, 7) });
    // A working directory holding other files of the same names, which must never be read.
    otherCwd = makeProject({ 'weights.bin': floats(-1, -1), 'secret.bin': floats(-2, -2) });
    process.chdir(otherCwd.dir);
  });
  after(() => {
    process.chdir(cwd);
    project.cleanup();
    otherCwd.cleanup();
  });

  it('reads external data beside the model, whatever the working directory', async () => {
    const file = path.join(project.dir, 'model', 'add.onnx');
    const { session } = await openModel(file);
    try {
      const ort = await import('onnxruntime-node');
      const { y } = session.run({ x: new ort.Tensor('float32', new Float32Array([1, 2]), [2]) }, { y: null });
      assert.deepEqual(Array.from(y.data as Float32Array), [11, 22]);
    } finally {
      session.release();
    }
    assert.equal((await inspectModel(file)).inputs[0].name, 'x');
  });

  for (const [name, location] of [['escape.onnx', '../secret.bin'], ['absolute.onnx', '/etc/hostname']]) {
    it(`refuses the location ${location} when the model is inspected, validated or served`, async () => {
      const file = path.join(project.dir, 'model', name);
      const bytes = fs.readFileSync(file);
      const refusals = [await refusal(Promise.resolve().then(() => readModelInfo(file, bytes))), await refusal(inspectModel(file)), await refusal(openScoringModel(file)), await refusal(ModelHost.load(file, { name: 'm', version: '1' }))];
      for (const error of refusals) {
        assert.equal(error.location?.file, file);
        assert.match(error.format(), new RegExp(`initializer "w" is at "${location}", outside the model's folder.*relative path`));
      }
    });
  }

  it('validate exits 2 naming the model file and the location', function () {
    this.timeout(60_000);
    const iris = copyExample('iris');
    try {
      fs.writeFileSync(path.join(iris.dir, 'model', 'iris-v2.onnx'), addExternal('../data/validation.csv'));
      const run = cli(['validate'], { cwd: iris.dir });
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /iris-v2\.onnx[:\d]*: the external data of initializer "w" is at "\.\.\/data\/validation\.csv", outside the model's folder/);
      assert.doesNotMatch(run.stderr, /\n\s+at /);
    } finally {
      iris.cleanup();
    }
  });

  it('refuses a data file that a symbolic link takes out of the model folder', async () => {
    const file = path.join(project.dir, 'model', 'linked.onnx');
    fs.writeFileSync(file, addExternal('linked.bin'));
    fs.symlinkSync(path.join(project.dir, 'secret.bin'), path.join(project.dir, 'model', 'linked.bin'));
    const error = await refusal(openModel(file));
    assert.match(error.message, /"linked\.bin", outside the model's folder/);
  });

  it('names a missing data file', async () => {
    const file = path.join(project.dir, 'model', 'missing.onnx');
    fs.writeFileSync(file, addExternal('missing.bin'));
    const error = await refusal(inspectModel(file));
    assert.match(error.message, /external data file "missing\.bin" of initializer "w" does not exist/);
  });
});

describe('model files: inputs too large to allocate', () => {
  let project: { dir: string; cleanup: () => void };
  before(() => (project = makeProject({ 'big.onnx': fixedInput([100_000_000, 4]), 'huge.onnx': fixedInput([1_000_000_000, 4]), 'fine.onnx': fixedInput([1000, 4]) })));
  after(() => project.cleanup());

  for (const [name, size] of [['big.onnx', '1.49 GiB'], ['huge.onnx', '14.9 GiB']]) {
    it(`refuses ${name} at once when it is read, inspected or served, naming the input and its size`, async () => {
      const file = path.join(project.dir, name);
      const started = performance.now();
      const heap = process.memoryUsage().rss;
      const refusals = [await refusal(Promise.resolve().then(() => readModelInfo(file, fs.readFileSync(file)))), await refusal(inspectModel(file)), await refusal(ModelHost.load(file, { name: 'm', version: '1' }))];
      for (const error of refusals) assert.match(error.format(), new RegExp(`input "float_input" has the fixed shape \\[${name === 'big.onnx' ? '100000000' : '1000000000'}, 4\\] \\(float32\\): ${size.replace('.', '\\.')} for one run, beyond the 1\\.00 GiB limit.*symbolic batch dimension`));
      assert.ok(performance.now() - started < 5000, `${performance.now() - started} ms`);
      assert.ok(process.memoryUsage().rss - heap < 256 * 2 ** 20, 'no large allocation');
    });
  }

  it('accepts an input of a sane fixed size', async () => {
    assert.deepEqual((await inspectModel(path.join(project.dir, 'fine.onnx'))).batch, { kind: 'fixed', size: 1000 });
  });

  it('validate exits 2 with the message, at once', function () {
    this.timeout(60_000);
    const iris = copyExample('iris');
    try {
      fs.writeFileSync(path.join(iris.dir, 'model', 'iris-v2.onnx'), fixedInput([1_000_000_000, 4]));
      const started = performance.now();
      const run = cli(['validate'], { cwd: iris.dir });
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /iris-v2\.onnx[:\d]*: input "float_input" has the fixed shape \[1000000000, 4\] \(float32\): 14\.9 GiB/);
      assert.doesNotMatch(run.stderr, /\n\s+at /);
      assert.ok(performance.now() - started < 30_000);
    } finally {
      iris.cleanup();
    }
  });
});
