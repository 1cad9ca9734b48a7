import fc from 'fast-check';
import type { FuzzCase } from './fuzzCase';
import { binaryParts, framedBody, INPUT, requestSpec } from './validRequests';

type Json = Record<string, unknown>;
type Parts = { header: Json; data: Buffer };
/** A corruption of a valid binary tensor data request: its JSON header, its bytes, or its framing header. */
type Corruption = (parts: Parts) => Pick<FuzzCase, 'headers' | 'body'>;

const input = (header: Json) => (header.inputs as Json[])[0];
/** The parts framed again, with the true header length unless one is given. */
const frame = (header: unknown, data: Buffer, headerLength?: string) => framedBody(JSON.stringify(header), data, headerLength);
const LENGTH_TEXTS = ['-1', '', ' ', 'abc', '1e3', '0x10', '99999999999999999999', '9007199254740993', '0', ' 12', '12 ', '+12', '1.5', '\u00b2'];
const SIZES: unknown[] = [-1, 0, 0.5, '16', null, true, [], {}, 2 ** 31, 2 ** 53, Number.MAX_VALUE, -0];

const corruptions: fc.Arbitrary<[string, Corruption]>[] = [
  fc.oneof(fc.constantFrom(...LENGTH_TEXTS), fc.integer({ min: -8, max: 8 })).map((change): [string, Corruption] => [
    'header-length',
    ({ header, data }) => {
      const length = Buffer.byteLength(JSON.stringify(header));
      return frame(header, data, typeof change === 'number' ? String(length + change) : change);
    },
  ]),
  fc.oneof(fc.constantFrom(...SIZES), fc.integer({ min: -20, max: 20 })).map((size): [string, Corruption] => [
    'binary-data-size',
    ({ header, data }) => {
      const parameters = input(header).parameters as Json;
      parameters.binary_data_size = typeof size === 'number' && Number.isInteger(size) && Math.abs(size) <= 20 ? data.length + size : size;
      return frame(header, data);
    },
  ]),
  fc.integer({ min: 1, max: 64 }).map((cut): [string, Corruption] => ['truncated-tail', ({ header, data }) => frame(header, data.subarray(0, Math.max(0, data.length - cut)))]),
  fc.uint8Array({ minLength: 1, maxLength: 64 }).map((extra): [string, Corruption] => ['extra-bytes', ({ header, data }) => frame(header, Buffer.concat([data, extra]))]),
  fc.constant<[string, Corruption]>(['data-and-size', ({ header, data }) => (Object.assign(input(header), { data: [1, 2, 3, 4] }), frame(header, data))]),
  fc.constantFrom('BOOL', 'UINT8', 'INT64', 'FP16', 'FP64', 'BYTES').map((datatype): [string, Corruption] => ['binary-datatype', ({ header, data }) => (Object.assign(input(header), { datatype }), frame(header, data))]),
  fc.array(fc.integer({ min: -2, max: 2 ** 31 }), { maxLength: 4 }).map((shape): [string, Corruption] => ['binary-shape', ({ header, data }) => (Object.assign(input(header), { shape }), frame(header, data))]),
  fc.constant<[string, Corruption]>(['two-sized-inputs', ({ header, data }) => ((header.inputs as Json[]).push({ ...input(header), name: `${INPUT}2` }), frame(header, Buffer.concat([data, data])))]),
  fc.constant<[string, Corruption]>(['sized-output', ({ header, data }) => ((header.outputs = [{ name: 'label', parameters: { binary_data_size: 8 } }]), frame(header, data))]),
  fc.constant<[string, Corruption]>(['no-framing-header', ({ header, data }) => ({ headers: { 'Content-Type': 'application/json' }, body: Buffer.concat([Buffer.from(JSON.stringify(header)), data]) })]),
  fc.constant<[string, Corruption]>(['size-without-bytes', ({ header }) => ({ headers: { 'Content-Type': 'application/json' }, body: Buffer.from(JSON.stringify(header)) })]),
  fc.constantFrom('null', '[]', '"x"', '{', '{"inputs":{}}', '').map((json): [string, Corruption] => ['header-not-json', ({ data }) => framedBody(json, data)]),
];

/** Valid binary requests with their framing corrupted: each may be answered 200 or 4xx, never 5xx. */
export const binaryFramingCase: fc.Arbitrary<FuzzCase> = fc.tuple(requestSpec, fc.oneof(...corruptions)).map(([spec, [name, corrupt]]) => ({ family: 'binary', mutation: name, ...corrupt(binaryParts(spec)) }));
