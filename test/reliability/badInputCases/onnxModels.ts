import { onnx } from 'onnx-proto';

/** Small ONNX files that parse but are wrong in one way each, written the way exporters write them. */

const T = onnx.TensorProto.DataType;

function encode(graph: onnx.IGraphProto): Buffer {
  return Buffer.from(onnx.ModelProto.encode({ irVersion: 8, opsetImport: [{ domain: '', version: 13 }], graph: { name: 'g', ...graph } }).finish());
}

const floatTensor = (dims: onnx.TensorShapeProto.IDimension[]) => ({ tensorType: { elemType: T.FLOAT, shape: { dim: dims } } });

/** An Identity model named like iris (float_input -> probabilities) whose input has a fixed shape. */
export function fixedShapeModel(shape: number[]): Buffer {
  const type = floatTensor(shape.map((dimValue) => ({ dimValue })));
  return encode({ input: [{ name: 'float_input', type }], output: [{ name: 'probabilities', type }], node: [{ opType: 'Identity', input: ['float_input'], output: ['probabilities'] }] });
}

/** y = x + w, where the weights w are stored in the external file `location`. */
export function externalDataModel(location: string): Buffer {
  const type = floatTensor([{ dimValue: 2 }]);
  return encode({
    input: [{ name: 'x', type }],
    output: [{ name: 'y', type }],
    initializer: [{ name: 'w', dataType: T.FLOAT, dims: [2], dataLocation: onnx.TensorProto.DataLocation.EXTERNAL, externalData: [{ key: 'location', value: location }, { key: 'length', value: '8' }] }],
    node: [{ opType: 'Add', input: ['x', 'w'], output: ['y'] }],
  });
}

/** A graph with an output and no input at all: a constant. */
export function noInputModel(): Buffer {
  const value = { name: 'c', dataType: T.FLOAT, dims: [1], floatData: [1] };
  return encode({ output: [{ name: 'c_out', type: floatTensor([{ dimValue: 1 }]) }], node: [{ opType: 'Constant', output: ['c_out'], attribute: [{ name: 'value', type: onnx.AttributeProto.AttributeType.TENSOR, t: value }] }] });
}
