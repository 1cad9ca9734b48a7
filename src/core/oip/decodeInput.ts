import type { Tensor } from 'onnxruntime-node';
import { elementCount } from '../model/elementCount';
import { onnxRuntime } from '../model/onnxRuntime';
import type { TensorInfo } from '../model/modelInfo';
import { binaryDataSize, bytesToTensorData, INFERENCE_HEADER_CONTENT_LENGTH } from './binaryTensors';
import { isOipDatatype, oipDatatypeOf } from './oipDatatypes';
import { OipError } from './oipTypes';
import { typedDataFromNumbers, typedDataFromValues, type InputArrays } from './tensorValues';

const bad = (message: string) => new OipError(400, message);

/**
 * Turns one request input into an onnxruntime tensor for the model input `spec`, checking everything a
 * client can get wrong: the datatype, the shape against the model's fixed dimensions, the data's length
 * and each value's type and range. Data may be flat or nested (row-major), a typed array of numbers, or
 * `binary` (the input's bytes of a binary tensor data request); the last two become the tensor's typed
 * array without a JavaScript array, one that `into` gives where it gives one.
 */
export function decodeInput(input: unknown, spec: TensorInfo, binary?: Uint8Array, into?: InputArrays): Tensor {
  const { name, shape, datatype, data } = input as Record<string, unknown>;
  if (!isOipDatatype(datatype)) throw bad(`input "${String(name)}": unknown datatype ${JSON.stringify(datatype)}`);
  const expected = oipDatatypeOf(spec.type);
  if (datatype !== expected) throw bad(`input "${spec.name}" takes ${expected ?? spec.type} values, not ${datatype}`);
  if (!isShape(shape)) throw bad(`input "${spec.name}": "shape" must be a list of non-negative integers`);
  const dims = shape as number[];
  if (dims.length !== spec.shape.length || spec.shape.some((d, i) => typeof d === 'number' && d !== dims[i])) {
    throw bad(`input "${spec.name}" has shape [${dims.join(', ')}] but the model takes [${spec.shape.map((d) => (typeof d === 'number' ? d : -1)).join(', ')}]`);
  }
  if (binary) return new (onnxRuntime().Tensor)(spec.type as 'float32', bytesToTensorData(datatype, dims, binary, `input "${spec.name}"`, into && { arrays: into, name: spec.name }) as Float32Array, dims);
  if (binaryDataSize(input) !== undefined) throw bad(`input "${spec.name}" has a binary_data_size but the request is not binary: send the ${INFERENCE_HEADER_CONTENT_LENGTH} header and the bytes after the JSON`);
  // Numbers the server's request scanner already put in a typed array (see parseInferenceRequestJson).
  if (data instanceof Float64Array || data instanceof Float32Array) {
    checkCount(spec, dims, data.length);
    return new (onnxRuntime().Tensor)(spec.type as 'float32', typedDataFromNumbers(spec.name, spec.type, data, into) as Float32Array, dims);
  }
  if (!Array.isArray(data)) throw bad(`input "${spec.name}": "data" must be a list`);
  // Flat data (the common case) is used as it is; nested data must follow the shape at every level.
  const values = data.some(Array.isArray) ? flattenNested(spec.name, data as unknown[], dims) : (data as unknown[]);
  checkCount(spec, dims, values.length);
  return new (onnxRuntime().Tensor)(spec.type as 'float32', typedDataFromValues(spec.name, spec.type, values) as Float32Array, dims);
}

/**
 * Nested data in row-major order, checked level by level against the shape: a ragged list whose total
 * count happens to match would otherwise be regrouped into rows it never had.
 */
function flattenNested(name: string, data: unknown[], dims: number[]): unknown[] {
  const values: unknown[] = [];
  const walk = (list: unknown, level: number, path: string): void => {
    if (level === dims.length) {
      if (Array.isArray(list)) throw bad(`input "${name}": ${path} is a list, but the shape [${dims.join(', ')}] has only ${dims.length} levels`);
      values.push(list);
      return;
    }
    if (!Array.isArray(list)) throw bad(`input "${name}": ${path} is ${JSON.stringify(list)}, but nested data must have ${dims.length} levels to match the shape [${dims.join(', ')}]`);
    if (list.length !== dims[level]) throw bad(`input "${name}": ${path} has ${list.length} entries but dimension ${level} of the shape [${dims.join(', ')}] is ${dims[level]}`);
    for (let i = 0; i < list.length; i++) walk(list[i], level + 1, `${path}[${i}]`);
  };
  walk(data, 0, 'data');
  return values;
}

/** Whether `shape` is a list of non-negative integers; a loop, as a kept binary header's shape is frozen (see elementCount). */
function isShape(shape: unknown): shape is number[] {
  if (!Array.isArray(shape)) return false;
  for (let i = 0; i < shape.length; i++) {
    const d: unknown = shape[i];
    if (!Number.isInteger(d) || (d as number) < 0) return false;
  }
  return true;
}

function checkCount(spec: TensorInfo, dims: number[], length: number): void {
  const count = elementCount(dims);
  if (length !== count) throw bad(`input "${spec.name}" has ${length} values but its shape [${dims.join(', ')}] needs ${count}`);
}
