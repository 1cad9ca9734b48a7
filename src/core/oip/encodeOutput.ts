import type { Tensor } from 'onnxruntime-node';
import { fromFloat16Bits } from './float16';
import { oipDatatypeOf } from './oipDatatypes';
import type { OipResponseOutput } from './oipTypes';

/** One model output as a response output; int64 values stay bigint until serialised (see toJson). */
export function encodeOutput(name: string, tensor: Tensor): OipResponseOutput {
  const datatype = oipDatatypeOf(tensor.type);
  if (!datatype) throw new Error(`output "${name}" has element type ${tensor.type}, which the protocol cannot carry`);
  const raw = tensor.data as ArrayLike<number | bigint | string>;
  let data: (number | string | boolean | bigint)[];
  if (tensor.type === 'float16') data = Array.from(raw as Uint16Array, fromFloat16Bits);
  else if (tensor.type === 'bool') data = Array.from(raw as Uint8Array, (v) => v !== 0);
  else if (raw instanceof BigInt64Array || raw instanceof BigUint64Array) data = Array.from(raw, exactNumber);
  else data = Array.from(raw);
  return { name, shape: [...tensor.dims], datatype, data };
}

/** A 64-bit integer as a Number when that is exact (the usual case: class indices, counts), else kept as bigint. */
function exactNumber(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
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
