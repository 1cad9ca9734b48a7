import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { onnx } from 'onnx-proto';
import type { InferenceSession } from 'onnxruntime-node';
import { readModelInfo } from '../../src/core/model/inspectModel';
import { onnxRuntime } from '../../src/core/model/onnxRuntime';
import type { TensorInfo } from '../../src/core/model/modelInfo';
import { readOnnxSignature } from '../../src/core/model/onnxSignature';
import { UserError } from '../../src/core/errors';
import { EXAMPLES, FIXTURE_MODELS, SHARED_DATA } from '../support/projectFixture';

const T = onnx.TensorProto.DataType;
type Dim = { dimValue?: number; dimParam?: string };

function tensorValue(name: string, elemType: number, dims?: Dim[]): onnx.IValueInfoProto {
  return { name, type: { tensorType: dims ? { elemType, shape: { dim: dims } } : { elemType } } };
}

function encode(graph: onnx.IGraphProto, irVersion = 8): Buffer {
  return Buffer.from(onnx.ModelProto.encode({ irVersion, opsetImport: [{ domain: '', version: 13 }], graph: { name: 'g', ...graph } }).finish());
}

const identity = (x: onnx.IValueInfoProto, y: onnx.IValueInfoProto): onnx.IGraphProto => ({ input: [x], output: [y], node: [{ opType: 'Identity', input: [x.name!], output: [y.name!] }] });
const weights: onnx.ITensorProto = { name: 'w', dataType: T.FLOAT, dims: [2], floatData: [1, 2] };
const addWeights: onnx.IGraphProto = {
  input: [tensorValue('x', T.FLOAT, [{ dimValue: 2 }]), tensorValue('w', T.FLOAT, [{ dimValue: 2 }])],
  output: [tensorValue('y', T.FLOAT, [{ dimValue: 2 }])],
  initializer: [weights],
  node: [{ opType: 'Add', input: ['x', 'w'], output: ['y'] }],
};

/** Models whose graph edges are awkward to read: each must read exactly as onnxruntime reports it. */
const edgeModels: Record<string, Buffer> = {
  'a tensor without a shape': encode(identity(tensorValue('x', T.FLOAT), tensorValue('y', T.FLOAT))),
  'a dimension with neither value nor name': encode(identity(tensorValue('x', T.FLOAT, [{}, { dimValue: 3 }]), tensorValue('y', T.FLOAT, [{}, { dimValue: 3 }]))),
  'a negative dimension': encode(identity(tensorValue('x', T.FLOAT, [{ dimValue: -1 }, { dimValue: 3 }]), tensorValue('y', T.FLOAT, [{ dimValue: -1 }, { dimValue: 3 }]))),
  'an empty dimension name': encode(identity(tensorValue('x', T.FLOAT, [{ dimParam: '' }, { dimValue: 3 }]), tensorValue('y', T.FLOAT, [{ dimParam: '' }, { dimValue: 3 }]))),
  'a zero dimension': encode(identity(tensorValue('x', T.FLOAT, [{ dimValue: 0 }, { dimValue: 3 }]), tensorValue('y', T.FLOAT, [{ dimValue: 0 }, { dimValue: 3 }]))),
  'a dimension beyond 32 bits': encode(identity(tensorValue('x', T.FLOAT, [{ dimValue: 2 ** 33 }]), tensorValue('y', T.FLOAT, [{ dimValue: 2 ** 33 }]))),
  'an initializer also listed as an input (IR 8)': encode(addWeights),
  'an initializer also listed as an input (IR 3)': encode(addWeights, 3),
  'a sequence input': encode({
    input: [{ name: 's', type: { sequenceType: { elemType: tensorValue('', T.FLOAT, [{ dimValue: 2 }]).type } } }],
    output: [tensorValue('y', T.FLOAT, [{ dimValue: 2 }])],
    initializer: [{ name: 'i', dataType: T.INT64, dims: [], int64Data: [0] }],
    node: [{ opType: 'SequenceAt', input: ['s', 'i'], output: ['y'] }],
  }),
};

/** What onnxruntime reports of an input or output, in inspection's terms: an unnamed dimension is "?". */
function reported(meta: InferenceSession.ValueMetadata): TensorInfo {
  if (!meta.isTensor) return { name: meta.name, type: 'non-tensor', shape: [], isTensor: false };
  return { name: meta.name, type: meta.type, shape: meta.shape.map((d) => (d === '' || (typeof d === 'number' && d < 0) ? '?' : d)), isTensor: true };
}

async function onnxRuntimeReport(file: string, bytes: Buffer): Promise<{ inputs: TensorInfo[]; outputs: TensorInfo[] }> {
  // onnxruntime-node's public session: its own report of the model's inputs and outputs.
  const session = await onnxRuntime().InferenceSession.create(bytes, { logSeverityLevel: 3, extra: { session: { model_external_initializers_file_folder_path: path.dirname(file) } } });
  try {
    return { inputs: session.inputMetadata.map(reported), outputs: session.outputMetadata.map(reported) };
  } finally {
    await session.release();
  }
}

function assertReadsAsOnnxRuntime(name: string, bytes: Buffer) {
  it(name, async () => {
    // The signature alone: inspection also refuses inputs too large to allocate, which onnxruntime loads.
    const { inputs, outputs } = readOnnxSignature(bytes);
    assert.deepEqual({ inputs, outputs }, await onnxRuntimeReport(name, bytes));
  });
}

describe('the signature read from the file, without onnxruntime, is what onnxruntime reports', () => {
  const files = [
    ...fs.readdirSync(FIXTURE_MODELS).map((f) => path.join(FIXTURE_MODELS, f)),
    ...['iris/model/iris-v1.onnx', 'iris/model/iris-v2.onnx', 'house-prices/model/house-prices.onnx'].map((f) => path.join(EXAMPLES, f)),
    path.join(SHARED_DATA, 'mnist', 'mnist-8.onnx'),
  ];
  it('covers every fixture model', () => assert.ok(files.length >= 11, `${files.length} models`));
  for (const file of files) assertReadsAsOnnxRuntime(path.relative(path.dirname(path.dirname(file)), file), fs.readFileSync(file));
  for (const [name, bytes] of Object.entries(edgeModels)) assertReadsAsOnnxRuntime(name, bytes);

  it('names element types onnxruntime cannot take after ONNX, for the load to refuse', () => {
    const info = readModelInfo('bf16.onnx', encode(identity(tensorValue('x', T.BFLOAT16, [{ dimParam: 'N' }]), tensorValue('y', T.BFLOAT16, [{ dimParam: 'N' }]))));
    assert.deepEqual(info.inputs, [{ name: 'x', type: 'bfloat16', shape: ['N'], isTensor: true }]);
  });

  it('refuses bytes that are not a model, and a model cut short, with the file named', () => {
    const mnist = fs.readFileSync(path.join(SHARED_DATA, 'mnist', 'mnist-8.onnx'));
    for (const bytes of [Buffer.from('not a model at all, just text\n'), mnist.subarray(0, mnist.length - 100)]) {
      assert.throws(
        () => readModelInfo('broken.onnx', bytes),
        (error: unknown) => error instanceof UserError && /not an ONNX model/.test(error.message) && error.location?.file === 'broken.onnx',
      );
    }
  });
});
