import type { TensorInfo } from './modelInfo';
import { GRAPH } from './onnxHeader';
import { LENGTH_DELIMITED, readFields, VARINT } from './protoFields';

/** A model's inputs and outputs as its graph declares them. */
export interface OnnxSignature {
  inputs: TensorInfo[];
  outputs: TensorInfo[];
}

// GraphProto, ValueInfoProto, TypeProto and TensorShapeProto field numbers (onnx.proto3).
export const GRAPH_INITIALIZER = 5;
const GRAPH_INPUT = 11;
const GRAPH_OUTPUT = 12;
const GRAPH_SPARSE_INITIALIZER = 15;
export const TENSOR_NAME = 8;
const SPARSE_VALUES = 1;
const VALUE_NAME = 1;
const VALUE_TYPE = 2;
const TYPE_TENSOR = 1;
const TENSOR_ELEM_TYPE = 1;
const TENSOR_SHAPE = 2;
const SHAPE_DIM = 1;
const DIM_VALUE = 1;
const DIM_PARAM = 2;

/**
 * TensorProto.DataType by number, named as onnxruntime names the types it accepts (1 to 13); the rest
 * keep ONNX's names, and onnxruntime-node refuses models that use them at a graph's edge.
 */
const ELEMENT_TYPES = ['undefined', 'float32', 'uint8', 'int8', 'uint16', 'int16', 'int32', 'int64', 'string', 'bool', 'float16', 'float64', 'uint32', 'uint64', 'complex64', 'complex128', 'bfloat16', 'float8e4m3fn', 'float8e4m3fnuz', 'float8e5m2', 'float8e5m2fnuz', 'uint4', 'int4', 'float4e2m1'];

/**
 * Reads the graph's inputs and outputs straight from the ModelProto's bytes, as onnxruntime reports them
 * (initializers are not inputs; an unknown dimension is "?"; sequences and maps are non-tensors), but
 * without loading onnxruntime: milliseconds where a session takes a quarter of a second. Node and
 * initializer contents are skipped unread. Throws (a plain Error) when the bytes are not a ModelProto.
 */
export function readOnnxSignature(bytes: Uint8Array): OnnxSignature {
  const graph = readGraph(bytes);
  const declared: TensorInfo[] = [];
  const outputs: TensorInfo[] = [];
  const initializers = new Set<string>();
  readFields(graph, (field, wire, reader) => {
    if (wire !== LENGTH_DELIMITED) return false;
    if (field === GRAPH_INPUT) declared.push(readValueInfo(reader.bytes()));
    else if (field === GRAPH_OUTPUT) outputs.push(readValueInfo(reader.bytes()));
    else if (field === GRAPH_INITIALIZER) initializers.add(readStringField(reader.bytes(), TENSOR_NAME));
    else if (field === GRAPH_SPARSE_INITIALIZER) initializers.add(readStringField(messageField(reader.bytes(), SPARSE_VALUES), TENSOR_NAME));
    else return false;
    return true;
  });
  return { inputs: declared.filter((input) => !initializers.has(input.name)), outputs };
}

/** The ModelProto's GraphProto, undecoded. Throws (a plain Error) when there is none. */
export function readGraph(bytes: Uint8Array): Uint8Array {
  const graph = messageField(bytes, GRAPH);
  if (!graph) throw new Error('no graph');
  return graph;
}

function readValueInfo(bytes: Uint8Array): TensorInfo {
  let name = '';
  let type: Uint8Array | undefined;
  readFields(bytes, (field, wire, reader) => {
    if (wire !== LENGTH_DELIMITED) return false;
    if (field === VALUE_NAME) name = reader.string();
    else if (field === VALUE_TYPE) type = reader.bytes();
    else return false;
    return true;
  });
  const tensor = type && messageField(type, TYPE_TENSOR);
  if (!tensor) return { name, type: 'non-tensor', shape: [], isTensor: false };
  let elemType = 0;
  let shape: (number | string)[] = [];
  readFields(tensor, (field, wire, reader) => {
    if (field === TENSOR_ELEM_TYPE && wire === VARINT) elemType = reader.int32();
    else if (field === TENSOR_SHAPE && wire === LENGTH_DELIMITED) shape = readShape(reader.bytes());
    else return false;
    return true;
  });
  return { name, type: ELEMENT_TYPES[elemType] ?? `type ${elemType}`, shape, isTensor: true };
}

/** Dimensions: a positive or zero value is fixed, a named parameter symbolic, anything else "?". */
function readShape(bytes: Uint8Array): (number | string)[] {
  const dims: (number | string)[] = [];
  readFields(bytes, (field, wire, reader) => {
    if (field !== SHAPE_DIM || wire !== LENGTH_DELIMITED) return false;
    let dim: number | string = '?';
    readFields(reader.bytes(), (dimField, dimWire, dimReader) => {
      if (dimField === DIM_VALUE && dimWire === VARINT) {
        const value = dimReader.int64();
        dim = value >= 0 ? value : '?';
      } else if (dimField === DIM_PARAM && dimWire === LENGTH_DELIMITED) dim = dimReader.string() || '?';
      else return false;
      return true;
    });
    dims.push(dim);
    return true;
  });
  return dims;
}

function messageField(bytes: Uint8Array, wanted: number): Uint8Array | undefined {
  let found: Uint8Array | undefined;
  readFields(bytes, (field, wire, reader) => {
    if (field !== wanted || wire !== LENGTH_DELIMITED) return false;
    found = reader.bytes();
    return true;
  });
  return found;
}

function readStringField(bytes: Uint8Array | undefined, wanted: number): string {
  let found = '';
  if (bytes) {
    readFields(bytes, (field, wire, reader) => {
      if (field !== wanted || wire !== LENGTH_DELIMITED) return false;
      found = reader.string();
      return true;
    });
  }
  return found;
}
