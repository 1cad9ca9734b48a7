/**
 * The binary tensor data extension of the Open Inference Protocol, as Triton and the KServe clients speak
 * it: a body is a JSON header of `Inference-Header-Content-Length` bytes followed by the raw bytes of the
 * tensors whose `parameters.binary_data_size` says how many bytes they take, in the order of those
 * tensors. Values are little-endian and row-major; BOOL is one byte each, FP16 two, BYTES a 4-byte
 * little-endian length before each element's UTF-8 bytes.
 *
 * One implementation of each direction, shared by the runtime (reads requests, writes responses) and the
 * predict client (writes requests, reads responses).
 */
import { elementCount } from '../model/elementCount';
import { deepFrozen } from './deepFrozen';
import { LITTLE_ENDIAN } from './littleEndian';
import { parseInferenceRequestJson } from './inferenceRequestJson';
import { ORT_TYPE_OF, isOipDatatype } from './oipDatatypes';
import { OipError, type OipDatatype, type OipInferenceRequest, type OipInferenceResponse, type OipRequestInput } from './oipTypes';
import { jsonValuesOf, typedDataFromValues, type InputArrays, type NumericData, type TensorData } from './tensorValues';

/** The HTTP header giving the JSON part's length in bytes (header names are case-insensitive). */
export const INFERENCE_HEADER_CONTENT_LENGTH = 'Inference-Header-Content-Length';

/** Bytes per element of each fixed-size datatype; BYTES has none (each element says its length). */
export const ELEMENT_BYTES: Record<Exclude<OipDatatype, 'BYTES'>, number> = {
  BOOL: 1,
  UINT8: 1,
  INT8: 1,
  UINT16: 2,
  INT16: 2,
  FP16: 2,
  UINT32: 4,
  INT32: 4,
  FP32: 4,
  UINT64: 8,
  INT64: 8,
  FP64: 8,
};

type TypedArrayClass = { new (buffer: ArrayBuffer, byteOffset: number, length: number): NumericData; new (length: number): NumericData; readonly BYTES_PER_ELEMENT: number };

const TYPED_ARRAY: Record<Exclude<OipDatatype, 'BYTES'>, TypedArrayClass> = {
  BOOL: Uint8Array,
  UINT8: Uint8Array,
  INT8: Int8Array,
  UINT16: Uint16Array,
  INT16: Int16Array,
  FP16: Uint16Array,
  UINT32: Uint32Array,
  INT32: Int32Array,
  FP32: Float32Array,
  UINT64: BigUint64Array,
  INT64: BigInt64Array,
  FP64: Float64Array,
};

const bad = (message: string) => new OipError(400, message);

/** A tensor of a request or response: what the framing reads of it. */
type TensorHeader = { name?: unknown; datatype?: unknown; parameters?: unknown; data?: unknown };

/**
 * The tensor's `parameters.binary_data_size`, or undefined when it has none; 400 when it is not a whole
 * number of bytes. `kind` names the tensor in the error ("input", "output").
 */
export function binaryDataSize(tensor: unknown, kind = 'input'): number | undefined {
  const parameters = (tensor as TensorHeader)?.parameters;
  if (typeof parameters !== 'object' || parameters === null) return undefined;
  const size = (parameters as Record<string, unknown>).binary_data_size;
  if (size === undefined) return undefined;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw bad(`${kind} ${JSON.stringify((tensor as TensorHeader).name)}: binary_data_size ${JSON.stringify(size)} is not a number of bytes`);
  return size;
}

/**
 * Splits a binary body into its JSON header and the bytes of each tensor of `header[list]` that has a
 * binary_data_size (a view into `body`, no copy), checking the framing: the header length is a number
 * no larger than the body, the JSON part parses, no tensor has both `data` and binary_data_size, and the
 * binary parts add up to exactly the rest of the body. Errors are OipErrors (400) that say which.
 */
export function splitBinaryBody(body: Uint8Array, headerLength: string, list: 'inputs' | 'outputs'): { header: unknown; parts: Map<object, Uint8Array> } {
  const kind = list === 'inputs' ? 'input' : 'output';
  const text = headerLength.trim();
  if (!/^\d+$/.test(text)) throw bad(`the ${INFERENCE_HEADER_CONTENT_LENGTH} header ${JSON.stringify(headerLength)} is not a number of bytes`);
  const jsonLength = Number(text);
  if (jsonLength > body.length) throw bad(`the ${INFERENCE_HEADER_CONTENT_LENGTH} header says the JSON part has ${jsonLength} bytes, but the whole body has only ${body.length}`);
  const json = Buffer.from(body.buffer, body.byteOffset, jsonLength);
  const header = lastHeader?.json.equals(json) ? lastHeader.header : parseHeader(json);
  const tensors = (header as Record<string, unknown> | null)?.[list];
  const binary: [object, number][] = [];
  if (Array.isArray(tensors)) {
    for (const tensor of tensors) {
      const size = binaryDataSize(tensor, kind);
      if (size === undefined) continue;
      if ((tensor as TensorHeader).data !== undefined) throw bad(`${kind} ${JSON.stringify((tensor as TensorHeader).name)} has both "data" and a binary_data_size: send its values one way or the other`);
      binary.push([tensor as object, size]);
    }
  }
  const total = binary.reduce((n, [, size]) => n + size, 0);
  const rest = body.length - jsonLength;
  if (total !== rest) {
    throw bad(`the binary parts do not add up: the ${kind}s' binary_data_size values total ${total} bytes, but ${rest} bytes follow the ${jsonLength}-byte JSON part`);
  }
  const parts = new Map<object, Uint8Array>();
  let offset = jsonLength;
  for (const [tensor, size] of binary) {
    parts.set(tensor, body.subarray(offset, offset + size));
    offset += size;
  }
  return { header, parts };
}

/**
 * The last JSON part parsed, and what it parsed to, frozen: clients send the same JSON part again and
 * again (the same names, shapes and binary sizes; only the bytes after it differ), and parsing it took
 * about 2 µs where comparing its bytes takes 0.1.
 */
let lastHeader: { json: Buffer; header: unknown } | undefined;

function parseHeader(json: Buffer): unknown {
  let header: unknown;
  try {
    // The request scanner: faster than JSON.parse on the header, and the inputs sent as JSON numbers
    // beside binary ones come as typed arrays, as in a JSON request (with the same terms: see it).
    header = parseInferenceRequestJson(json);
  } catch (error) {
    throw bad(`the JSON part of the body (its first ${json.length} bytes, per ${INFERENCE_HEADER_CONTENT_LENGTH}) is not valid JSON: ${(error as Error).message}`);
  }
  // Kept only without input values in it: the scanner reads those into views that its next body writes over.
  const inputs = (header as Record<string, unknown> | null)?.inputs;
  if (!Array.isArray(inputs) || inputs.every((input) => (input as TensorHeader)?.data === undefined)) lastHeader = { json: Buffer.from(json), header: deepFrozen(header) };
  return header;
}

/** A body of the JSON header followed by `parts` in order, and the header length to send with it. */
export function joinBinaryBody<T>(header: T, parts: Uint8Array[], toJson: (value: T) => string = JSON.stringify): { body: Buffer; headerLength: number } {
  const json = toJson(header);
  const headerLength = Buffer.byteLength(json);
  let length = headerLength;
  for (const part of parts) length += part.length;
  // One Buffer written in place: no copy of the JSON part on its way in.
  const body = Buffer.allocUnsafe(length);
  body.write(json, 0, 'utf8');
  let offset = headerLength;
  for (const part of parts) {
    body.set(part, offset);
    offset += part.length;
  }
  return { body, headerLength };
}

/**
 * The bytes of a tensor of `datatype` and `shape` as typed data: copied into an array from `into` when it
 * gives one, else over the same memory when it is aligned for the element type (else copied into an
 * aligned buffer); BYTES as strings. 400 when the byte count does not match the shape. `what` names the
 * tensor in errors ('input "x"').
 */
export function bytesToTensorData(datatype: OipDatatype, shape: number[], bytes: Uint8Array, what: string, into?: { arrays: InputArrays; name: string }): TensorData {
  const count = elementCount(shape);
  if (datatype === 'BYTES') return bytesToStrings(count, bytes, what, shape);
  const size = ELEMENT_BYTES[datatype];
  if (bytes.length !== count * size) throw bad(`${what} has binary_data_size ${bytes.length} but its shape [${shape.join(', ')}] of ${datatype} needs ${count * size} bytes (${count} x ${size})`);
  if (!LITTLE_ENDIAN) throw new OipError(500, 'binary tensor data needs a little-endian machine');
  const Typed = TYPED_ARRAY[datatype];
  // Copied while the body is fresh in the cache, where the batched run reads it (BOOL is checked below, in place).
  const given = datatype === 'BOOL' ? undefined : into?.arrays.array(into.name, Typed, count);
  if (given) {
    new Uint8Array(given.buffer, given.byteOffset, given.byteLength).set(bytes);
    return given;
  }
  const aligned = bytes.byteOffset % size === 0 ? bytes : new Uint8Array(bytes); // a copy, at offset 0 of its own buffer
  const data = new Typed(aligned.buffer as ArrayBuffer, aligned.byteOffset, count);
  if (datatype === 'BOOL' && (data as Uint8Array).some((b) => b > 1)) return Uint8Array.from(data as Uint8Array, (b) => (b ? 1 : 0));
  return data;
}

function bytesToStrings(count: number, bytes: Uint8Array, what: string, shape: number[]): string[] {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const strings: string[] = [];
  let offset = 0;
  while (offset < view.length) {
    if (offset + 4 > view.length) throw bad(`${what}: BYTES element ${strings.length} has a length prefix cut short at byte ${offset} of ${view.length}`);
    const length = view.readUInt32LE(offset);
    if (offset + 4 + length > view.length) throw bad(`${what}: BYTES element ${strings.length} says ${length} bytes but only ${view.length - offset - 4} remain`);
    strings.push(view.toString('utf8', offset + 4, offset + 4 + length));
    offset += 4 + length;
  }
  if (strings.length !== count) throw bad(`${what} has ${strings.length} BYTES elements in its ${bytes.length} binary bytes but its shape [${shape.join(', ')}] needs ${count}`);
  return strings;
}

/** Typed data (or BYTES strings) as the extension's bytes: a view without copy for typed arrays. */
export function tensorDataToBytes(datatype: OipDatatype, data: TensorData | readonly string[]): Uint8Array {
  if (datatype === 'BYTES' || Array.isArray(data)) {
    const encoded = (data as string[]).map((s) => Buffer.from(String(s), 'utf8'));
    const out = Buffer.allocUnsafe(encoded.reduce((n, b) => n + 4 + b.length, 0));
    let offset = 0;
    for (const b of encoded) {
      out.writeUInt32LE(b.length, offset);
      b.copy(out, offset + 4);
      offset += 4 + b.length;
    }
    return out;
  }
  if (!LITTLE_ENDIAN) throw new Error('binary tensor data needs a little-endian machine');
  const typed = data as Exclude<TensorData, string[]>;
  return new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
}

/**
 * A JSON request as the extension sends it: every input's values as binary (checked and converted from
 * flat or nested JSON values), and every output asked for as binary (`binary_data_output`).
 */
export function encodeBinaryRequest(request: OipInferenceRequest, options: { binaryOutputs?: boolean } = {}): { body: Buffer; headerLength: number } {
  const parts: Uint8Array[] = [];
  const inputs = request.inputs.map((input): Omit<OipRequestInput, 'data'> => {
    const { data, ...rest } = input;
    if (!isOipDatatype(input.datatype)) throw bad(`input ${JSON.stringify(input.name)}: unknown datatype ${JSON.stringify(input.datatype)}`);
    const values = Array.isArray(data) && data.some(Array.isArray) ? (data as unknown[]).flat(Infinity as 1) : (data as unknown[]);
    if (!Array.isArray(values)) throw bad(`input ${JSON.stringify(input.name)}: "data" must be a list`);
    const bytes = tensorDataToBytes(input.datatype, typedDataFromValues(input.name, ORT_TYPE_OF[input.datatype], values));
    parts.push(bytes);
    return { ...rest, parameters: { ...rest.parameters, binary_data_size: bytes.length } };
  });
  const header = { ...request, inputs, ...(options.binaryOutputs === false ? {} : { parameters: { ...request.parameters, binary_data_output: true } }) };
  return joinBinaryBody(header, parts);
}

/**
 * A binary response as the JSON response it stands for: each binary output gets its `data` back (the
 * same values a JSON answer carries) and loses its binary_data_size.
 */
export function decodeBinaryResponse(body: Uint8Array, headerLength: string): OipInferenceResponse {
  const { header, parts } = splitBinaryBody(body, headerLength, 'outputs');
  const response = header as OipInferenceResponse;
  if (!Array.isArray(response?.outputs)) throw bad('the JSON part of the response has no "outputs" list');
  return {
    ...response,
    outputs: response.outputs.map((output) => {
      const bytes = parts.get(output);
      if (!bytes) return output;
      if (!isOipDatatype(output.datatype)) throw bad(`output ${JSON.stringify(output.name)}: unknown datatype ${JSON.stringify(output.datatype)}`);
      // eslint-disable-next-line @typescript-eslint/no-unused-vars
      const { binary_data_size, ...parameters } = output.parameters ?? {};
      const data = jsonValuesOf(ORT_TYPE_OF[output.datatype], bytesToTensorData(output.datatype, output.shape, bytes, `output "${output.name}"`));
      return { name: output.name, shape: output.shape, datatype: output.datatype, ...(Object.keys(parameters).length ? { parameters } : {}), data };
    }),
  };
}
