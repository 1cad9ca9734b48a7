// Small models with the shapes that inspection and validation must handle without crashing.
import { DataType, encodeModel, floatTensor, node, tensorValue } from './onnxBuilder.mjs';

const F = DataType.FLOAT;
const producerVersion = '1.0.0';
const identity3 = { W: floatTensor('W', [4, 3], [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1]) };

export const fixtureModels = {
  // The batch dimension fixed at 1, as in the Model Zoo's MNIST.
  'fixed-batch.onnx': encodeModel({
    producerVersion,
    inputs: [tensorValue('x', F, [1, 4])],
    outputs: [tensorValue('y', F, [1, 3])],
    initializers: [identity3.W],
    nodes: [node('MatMul', ['x', 'W'], ['m']), node('Softmax', ['m'], ['y'], { axis: 1 })],
  }),
  // Two inputs joined into one output.
  'two-inputs.onnx': encodeModel({
    producerVersion,
    inputs: [tensorValue('a', F, ['N', 2]), tensorValue('b', F, ['N', 2])],
    outputs: [tensorValue('y', F, ['N', 4])],
    nodes: [node('Concat', ['a', 'b'], ['y'], { axis: 1 })],
  }),
  // An int64 scalar input beside a float one.
  'int64-scalar.onnx': encodeModel({
    producerVersion,
    inputs: [tensorValue('x', F, ['N', 3]), tensorValue('k', DataType.INT64, [])],
    outputs: [tensorValue('y', F, ['N', 3])],
    nodes: [node('Cast', ['k'], ['kf'], { to: F }), node('Mul', ['x', 'kf'], ['y'])],
  }),
  // Two symbolic dimensions, one of them unnamed.
  'symbolic-dims.onnx': encodeModel({
    producerVersion,
    inputs: [tensorValue('x', F, ['batch', 'sequence'])],
    outputs: [tensorValue('y', F, ['batch', 'sequence'])],
    nodes: [node('Relu', ['x'], ['y'])],
  }),
  // One identity per element type the protocol carries: x_<type> [N, 2] -> y_<type>.
  'all-types.onnx': (() => {
    const types = { bool: DataType.BOOL, uint8: DataType.UINT8, uint16: DataType.UINT16, uint32: DataType.UINT32, uint64: DataType.UINT64, int8: DataType.INT8, int16: DataType.INT16, int32: DataType.INT32, int64: DataType.INT64, float16: DataType.FLOAT16, float32: DataType.FLOAT, float64: DataType.DOUBLE, string: DataType.STRING };
    const names = Object.keys(types);
    return encodeModel({
      producerVersion,
      inputs: names.map((t) => tensorValue(`x_${t}`, types[t], ['N', 2])),
      outputs: names.map((t) => tensorValue(`y_${t}`, types[t], ['N', 2])),
      nodes: names.map((t) => node('Identity', [`x_${t}`], [`y_${t}`])),
    });
  })(),
  // Reshapes its input to a shape given in the request: a shape that does not fit fails inside run().
  'reshape.onnx': encodeModel({
    producerVersion,
    inputs: [tensorValue('x', F, ['N', 4]), tensorValue('shape', DataType.INT64, [2])],
    outputs: [tensorValue('y', F, ['a', 'b'])],
    nodes: [node('Reshape', ['x', 'shape'], ['y'])],
  }),
  // A scikit-learn style classifier whose probabilities come out as a non-tensor ZipMap.
  'zipmap.onnx': encodeModel({
    producerVersion,
    opsets: { '': 13, 'ai.onnx.ml': 1 },
    inputs: [tensorValue('float_input', F, ['N', 4])],
    outputs: [tensorValue('label', DataType.INT64, ['N']), { name: 'output_probability', type: { sequenceType: { elemType: { mapType: { keyType: DataType.INT64, valueType: { tensorType: { elemType: F } } } } } } }],
    nodes: [
      node('LinearClassifier', ['float_input'], ['label', 'probability_tensor'], { classlabels_ints: [0, 1, 2], coefficients: { floats: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0.5] }, intercepts: { floats: [0, 0, 0] }, post_transform: 'SOFTMAX' }, 'ai.onnx.ml'),
      node('ZipMap', ['probability_tensor'], ['output_probability'], { classlabels_int64s: [0, 1, 2] }, 'ai.onnx.ml'),
    ],
  }),
};

