import type { Tensor } from 'onnxruntime-node';
import { tensorDataToBytes } from './binaryTensors';
import { oipDatatypeOf } from './oipDatatypes';
import type { OipDatatype, OipResponseOutput, OipResponseOutputHeader } from './oipTypes';
import { jsonValuesOf, type TensorData } from './tensorValues';

function datatypeOf(name: string, tensor: Tensor): OipDatatype {
  const datatype = oipDatatypeOf(tensor.type);
  if (!datatype) throw new Error(`output "${name}" has element type ${tensor.type}, which the protocol cannot carry`);
  return datatype;
}

/** One model output as a response output; int64 values stay bigint until serialised (see toJson). */
export function encodeOutput(name: string, tensor: Tensor): OipResponseOutput {
  const datatype = datatypeOf(name, tensor);
  return { name, shape: [...tensor.dims], datatype, data: jsonValuesOf(tensor.type, tensor.data as ArrayLike<number | bigint | string>) };
}

/**
 * One model output as a binary tensor data output: the response output without `data` but with its
 * `binary_data_size`, and its bytes (a view of the tensor's memory, for typed arrays).
 */
export function encodeBinaryOutput(name: string, tensor: Tensor): { output: OipResponseOutputHeader; bytes: Uint8Array } {
  const datatype = datatypeOf(name, tensor);
  const bytes = tensorDataToBytes(datatype, tensor.data as TensorData);
  return { output: { name, shape: [...tensor.dims], datatype, parameters: { binary_data_size: bytes.length } }, bytes };
}

const BIGINT_MARK = '\u0000bigint:';

/**
 * JSON with 64-bit integers written as exact JSON numbers: JSON.stringify cannot write a bigint, and a
 * Number would round values beyond 2^53.
 */
export function toJson(value: unknown): string {
  try {
    return JSON.stringify(value); // fast, and throws only when a bigint is left
  } catch {
    return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${BIGINT_MARK}${v}` : v)).replace(/"\\u0000bigint:(-?\d+)"/g, '$1');
  }
}
