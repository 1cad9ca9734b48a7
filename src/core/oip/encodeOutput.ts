import type { Tensor } from 'onnxruntime-node';
import { tensorDataToBytes } from './binaryTensors';
import { jsonString } from './jsonString';
import { oipDatatypeOf } from './oipDatatypes';
import type { OipDatatype, OipInferenceResponseHeader, OipResponseOutput, OipResponseOutputHeader } from './oipTypes';
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

/** The keys of a response and its outputs, quoted once. */
const QUOTED_KEYS = new Map(['model_name', 'model_version', 'id', 'parameters', 'outputs', 'name', 'shape', 'datatype', 'data', 'binary_data_size'].map((key) => [key, JSON.stringify(key)]));

/**
 * An inference response as JSON: toJson's text, the same bytes, written key by key (in each object's own
 * order) for the response, its outputs and the plain objects in them (parameters), with strings and
 * numbers written directly and the rest (the data, the shape) going through toJson. In a busy server,
 * JSON.stringify's own walk of those objects measured about as costly again as writing the numbers.
 */
export function inferenceResponseJson(response: OipInferenceResponseHeader): string {
  return objectJson(response as unknown as Record<string, unknown>, true);
}

function objectJson(object: Record<string, unknown>, isResponse: boolean): string {
  let text = '{';
  for (const key in object) {
    const value = object[key];
    // Left out, as JSON.stringify leaves them out of an object.
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') continue;
    if (text.length > 1) text += ',';
    text += `${QUOTED_KEYS.get(key) ?? jsonString(key)}:${isResponse && key === 'outputs' ? outputsJson(value as Record<string, unknown>[]) : valueJson(value)}`;
  }
  return `${text}}`;
}

function outputsJson(outputs: Record<string, unknown>[]): string {
  let text = '[';
  for (let i = 0; i < outputs.length; i++) text += `${i ? ',' : ''}${objectJson(outputs[i], false)}`;
  return `${text}]`;
}

/** A value inside the response as toJson writes it. */
function valueJson(value: unknown): string {
  if (typeof value === 'string') return jsonString(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (isPlainObject(value)) return objectJson(value, false);
  return toJson(value);
}

/** An object JSON.stringify writes key by key: no array, no toJSON of its own or inherited, no class of its own. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return (prototype === Object.prototype || prototype === null) && !('toJSON' in value);
}
