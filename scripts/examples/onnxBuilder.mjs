// A small builder for ONNX models, on the onnx-proto (protobufjs) definitions.
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
export const DataType = onnx.TensorProto.DataType;

/** A dimension: a number is fixed, a string is symbolic (dim_param). */
const dim = (d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d });

export function tensorValue(name, elemType, shape) {
  return { name, type: { tensorType: { elemType, shape: { dim: shape.map(dim) } } } };
}

export function floatTensor(name, dims, values) {
  return { name, dataType: DataType.FLOAT, dims, floatData: Array.from(values, Math.fround) };
}

export function int64Tensor(name, dims, values) {
  return { name, dataType: DataType.INT64, dims, int64Data: values };
}

export function node(opType, inputs, outputs, attributes = {}, domain = '') {
  const attribute = Object.entries(attributes).map(([name, value]) => toAttribute(name, value));
  return { opType, input: inputs, output: outputs, name: `${opType}_${outputs[0]}`, attribute, domain };
}

function toAttribute(name, value) {
  const A = onnx.AttributeProto.AttributeType;
  // { floats: [...] } forces floats where every value happens to be a whole number.
  if (value && typeof value === 'object' && 'floats' in value) return { name, type: A.FLOATS, floats: value.floats };
  if (Array.isArray(value) && value.every((v) => typeof v === 'number')) {
    return Number.isInteger(value[0]) && value.every(Number.isInteger) ? { name, type: A.INTS, ints: value } : { name, type: A.FLOATS, floats: value };
  }
  if (Array.isArray(value)) return { name, type: A.STRINGS, strings: value.map((s) => Buffer.from(s)) };
  if (typeof value === 'string') return { name, type: A.STRING, s: Buffer.from(value) };
  return Number.isInteger(value) ? { name, type: A.INT, i: value } : { name, type: A.FLOAT, f: value };
}

/** Encodes a model; `opsets` maps domain to version ('' is the default ai.onnx domain). */
export function encodeModel({ nodes, inputs, outputs, initializers = [], opsets = { '': 13 }, producerVersion, name = 'graph' }) {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'model-deploy-examples',
    producerVersion,
    opsetImport: Object.entries(opsets).map(([domain, version]) => ({ domain, version })),
    graph: { name, node: nodes, input: inputs, output: outputs, initializer: initializers },
  });
  return Buffer.from(onnx.ModelProto.encode(model).finish());
}

/** A linear model: MatMul + Add, then an optional chain of nodes on its output. */
export function linearModel({ inputName, width, weights, bias, outputs, head, producerVersion }) {
  const classes = bias.length;
  return encodeModel({
    producerVersion,
    inputs: [tensorValue(inputName, DataType.FLOAT, ['N', width])],
    outputs,
    initializers: [floatTensor('W', [width, classes], weights.flat()), floatTensor('B', [classes], bias)],
    nodes: [node('MatMul', [inputName, 'W'], ['scores_raw']), node('Add', ['scores_raw', 'B'], ['scores']), ...head],
  });
}
