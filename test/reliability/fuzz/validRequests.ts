import fc from 'fast-check';
import { INFERENCE_HEADER_CONTENT_LENGTH } from '../../../src/core/oip/binaryTensors';
import { jsonCase, type FuzzCase } from './fuzzCase';

/** The iris model's one input: FP32 [-1, 4]; its outputs: label and probabilities. */
export const INPUT = 'float_input';
export const OUTPUTS = ['label', 'probabilities'];
const FEATURES = 4;

/** A well-formed iris request, before it is written as JSON or binary tensor data. */
export interface RequestSpec {
  rows: number[][];
  nested: boolean;
  id?: string;
  outputs?: { name: string; binary?: boolean }[];
  binaryOutput?: boolean;
}

const feature = fc.float({ min: 0, max: Math.fround(10), noNaN: true });
const row = fc.array(feature, { minLength: FEATURES, maxLength: FEATURES });

export const requestSpec: fc.Arbitrary<RequestSpec> = fc.record(
  {
    // Mostly small batches, some large enough to be read in several chunks.
    rows: fc.oneof({ weight: 9, arbitrary: fc.array(row, { minLength: 1, maxLength: 16 }) }, { weight: 1, arbitrary: fc.array(row, { minLength: 500, maxLength: 2000 }) }),
    nested: fc.boolean(),
    id: fc.string({ unit: 'grapheme', maxLength: 12 }),
    outputs: fc.subarray(OUTPUTS, { minLength: 1 }).chain((names) => fc.tuple(...names.map((name) => fc.record({ name: fc.constant(name), binary: fc.boolean() }, { requiredKeys: ['name'] })))),
    binaryOutput: fc.boolean(),
  },
  { requiredKeys: ['rows', 'nested'] },
);

/** The request as the JSON object the protocol defines. */
export function requestJson(spec: RequestSpec): Record<string, unknown> {
  const json: Record<string, unknown> = {};
  if (spec.id !== undefined) json.id = spec.id;
  json.inputs = [{ name: INPUT, shape: [spec.rows.length, FEATURES], datatype: 'FP32', data: spec.nested ? spec.rows : spec.rows.flat() }];
  if (spec.outputs) json.outputs = spec.outputs.map((o) => (o.binary === undefined ? { name: o.name } : { name: o.name, parameters: { binary_data: o.binary } }));
  if (spec.binaryOutput !== undefined) json.parameters = { binary_data_output: spec.binaryOutput };
  return json;
}

/** The request in binary tensor data framing: the JSON header, then the rows as little-endian float32. */
export function binaryParts(spec: RequestSpec): { header: Record<string, unknown>; data: Buffer } {
  const header = requestJson(spec);
  const values = new Float32Array(spec.rows.flat());
  const [input] = header.inputs as Record<string, unknown>[];
  delete input.data;
  input.parameters = { binary_data_size: values.byteLength };
  return { header, data: Buffer.from(values.buffer) };
}

/** A binary tensor data body: the JSON text, then the bytes; `headerLength` overrides the true length of the JSON. */
export function framedBody(json: string, data: Buffer, headerLength?: string): Pick<FuzzCase, 'headers' | 'body'> {
  const text = Buffer.from(json);
  return {
    headers: { 'Content-Type': 'application/octet-stream', [INFERENCE_HEADER_CONTENT_LENGTH]: headerLength ?? String(text.length) },
    body: Buffer.concat([text, data]),
  };
}

/** Valid requests, as JSON or as binary tensor data: each must be answered 200. */
export const validCase: fc.Arbitrary<FuzzCase> = fc.tuple(requestSpec, fc.boolean()).map(([spec, binary]) => {
  if (!binary) return jsonCase('valid', 'json', requestJson(spec));
  const { header, data } = binaryParts(spec);
  return { family: 'valid', mutation: 'binary', ...framedBody(JSON.stringify(header), data) };
});
