import fc from 'fast-check';
import { JSON_HEADERS, type FuzzCase } from './fuzzCase';
import { INPUT, OUTPUTS, requestJson, requestSpec } from './validRequests';

type Json = Record<string, unknown>;
/** A change to a valid request's JSON object, which may also write the body or headers itself. */
interface Mutation {
  name: string;
  apply: (request: Json) => { value?: unknown; text?: string; headers?: Record<string, string> };
}

const mutation = <T>(name: string, arbitrary: fc.Arbitrary<T>, apply: (request: Json, value: T) => ReturnType<Mutation['apply']> | void): fc.Arbitrary<Mutation> =>
  arbitrary.map((value) => ({ name, apply: (request) => apply(request, value) ?? { value: request } }));

const input = (request: Json) => (request.inputs as Json[])[0];
const FIELD_PATHS = ['id', 'inputs', 'inputs.0', 'inputs.0.name', 'inputs.0.shape', 'inputs.0.shape.0', 'inputs.0.shape.1', 'inputs.0.datatype', 'inputs.0.data', 'inputs.0.data.0', 'inputs.0.parameters', 'outputs', 'outputs.0', 'outputs.0.name', 'outputs.0.parameters', 'parameters', 'parameters.binary_data_output'];
const DATATYPES = ['BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BYTES', 'fp32', 'FLOAT', 'BF16', '', ' FP32'];
const HUGE = [2 ** 31, 2 ** 32, 2 ** 53, Number.MAX_SAFE_INTEGER, 1e21, 1e308, -1, -(2 ** 31), 0.5, 0];
const ODD_VALUES: unknown[] = [null, true, '1.5', 'NaN', [], {}, [1, 2], { value: 1 }, 1e39, -1e39, 1e-50, Number.MAX_VALUE];
/** Number spellings JSON allows and does not: each goes through the server's own number scanner. */
const NUMBER_TOKENS = ['1e400', '-1e400', '-0', '1E+2', '1e-400', '0.0000001e-300', '123456789012345678901234567890', '01', '+1', '.5', '1.', '1e', '--1', '0x10', 'NaN', 'Infinity', '1_0', '١', '"1"', 'true', 'null', '[]', '{}', '1 2'];
const WHITESPACE = [' ', '\t', '\n', '\r', '\u00a0', '\u2028', '\f', '\v'];

/** The container and key at a dotted path, creating nothing; undefined when the path does not exist. */
function at(root: Json, path: string): { parent: Json; key: string } | undefined {
  const keys = path.split('.');
  let node: unknown = root;
  for (const key of keys.slice(0, -1)) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Json)[key];
  }
  return typeof node === 'object' && node !== null ? { parent: node as Json, key: keys[keys.length - 1] } : undefined;
}

const mutations: fc.Arbitrary<Mutation>[] = [
  mutation('delete-field', fc.constantFrom(...FIELD_PATHS), (request, path) => {
    const place = at(request, path);
    if (place) delete place.parent[place.key];
  }),
  mutation('body-swap', fc.jsonValue({ maxDepth: 3 }), (_, value) => ({ value })),
  mutation('type-swap', fc.tuple(fc.constantFrom(...FIELD_PATHS), fc.jsonValue({ maxDepth: 3 })), (request, [path, value]) => {
    const place = at(request, path);
    if (place) place.parent[place.key] = value;
  }),
  mutation('shape', fc.array(fc.oneof(fc.integer({ min: -3, max: 20 }), fc.constantFrom(...HUGE)), { maxLength: 6 }), (request, shape) => void (input(request).shape = shape)),
  mutation('huge-dim', fc.tuple(fc.constantFrom(...HUGE), fc.boolean()), (request, [dim, first]) => {
    const shape = input(request).shape as number[];
    shape[first ? 0 : 1] = dim;
  }),
  mutation('empty-batch', fc.boolean(), (request, nested) => {
    Object.assign(input(request), { shape: [0, 4], data: nested ? [[]] : [] });
  }),
  mutation('data-length', fc.integer({ min: -6, max: 6 }).filter((n) => n !== 0), (request, change) => {
    const data = (input(request).data as unknown[]).flat();
    input(request).data = change < 0 ? data.slice(0, Math.max(0, data.length + change)) : [...data, ...Array.from({ length: change }, (_, i) => i)];
  }),
  mutation('data-value', fc.tuple(fc.nat(), fc.oneof(fc.constantFrom(...ODD_VALUES), fc.string({ maxLength: 4 }), fc.double())), (request, [index, value]) => {
    const data = (input(request).data as unknown[]).flat();
    data[index % data.length] = value;
    input(request).data = data;
  }),
  mutation('number-spelling', fc.tuple(fc.nat(), fc.constantFrom(...NUMBER_TOKENS)), (request, [index, token]) => {
    const data = (input(request).data as number[][] | number[]).flat().map(String);
    data[index % data.length] = token;
    return { text: JSON.stringify({ ...request, inputs: [{ ...input(request), data: '@DATA@' }] }).replace('"@DATA@"', `[${data.join(',')}]`) };
  }),
  mutation('whitespace-and-escapes', fc.tuple(fc.constantFrom(...WHITESPACE), fc.boolean()), (request, [space, escapeKeys]) => {
    let text = JSON.stringify(request, undefined, 1).replace(/\n/g, space === '\n' ? '\n' : `\n${space}`);
    // The same keys spelt with \u escapes: JSON.parse reads them as the plain keys.
    if (escapeKeys) text = text.replace(/"(name|data|shape|datatype|inputs)":/g, (_, key: string) => `"${key.slice(0, -1)}\\u00${key.charCodeAt(key.length - 1).toString(16)}":`);
    return { text };
  }),
  mutation('datatype', fc.oneof(fc.constantFrom(...DATATYPES), fc.string({ maxLength: 8 })), (request, datatype) => void (input(request).datatype = datatype)),
  mutation('ragged', fc.tuple(fc.nat(), fc.integer({ min: 0, max: 8 }), fc.boolean()), (request, [index, width, deeper]) => {
    const rows: unknown[][] = chunk((input(request).data as number[][] | number[]).flat(), 4);
    const target = rows[index % rows.length];
    rows[index % rows.length] = deeper ? target.map((v) => [v]) : target.slice(0, width).concat(Array(Math.max(0, width - target.length)).fill(1));
    input(request).data = rows;
  }),
  mutation('deep-nesting', fc.integer({ min: 2, max: 20_000 }), (request, depth) => ({ text: JSON.stringify({ ...request, inputs: [{ ...input(request), data: '@DATA@' }] }).replace('"@DATA@"', `${'['.repeat(depth)}1${']'.repeat(depth)}`) })),
  mutation('unicode-name', fc.tuple(fc.constantFrom('input', 'output', 'id', 'key'), fc.string({ unit: 'binary', minLength: 1, maxLength: 12 })), (request, [where, text]) => {
    if (where === 'input') input(request).name = text;
    else if (where === 'output') request.outputs = [{ name: text }];
    else if (where === 'id') request.id = text;
    else input(request)[text] = text;
  }),
  mutation('duplicate-input', fc.boolean(), (request, renamed) => void (request.inputs as Json[]).push({ ...input(request), name: renamed ? `${INPUT}\u0000` : INPUT })),
  mutation('outputs', fc.oneof(fc.constant([{ name: 'label' }, { name: 'label' }]), fc.constantFrom(...OUTPUTS).map((name) => [{ name, parameters: { binary_data: 'yes' } }]), fc.constant([{ name: 'nope' }]), fc.constant([null]), fc.constant([])), (request, outputs) => void (request.outputs = outputs)),
  mutation('prototype-keys', fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'), (request, key) => ({
    text: JSON.stringify(request).replace('{', `{"${key}":{"inputs":[],"polluted":true},`).replace(`"name":"${INPUT}"`, `"${key}":{"length":1e9},"name":"${INPUT}"`),
  })),
  mutation('content-type', fc.constantFrom('text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', 'application/JSON', '*/*', '\u00e9'), (request, type) => ({ value: request, headers: { 'Content-Type': type } })),
];

function chunk(values: number[], size: number): number[][] {
  return Array.from({ length: Math.ceil(values.length / size) }, (_, i) => values.slice(i * size, (i + 1) * size));
}

/** Valid requests with one of the structural mutations applied: each may be answered 200 or 4xx, never 5xx. */
export const structuralCase: fc.Arbitrary<FuzzCase> = fc.tuple(requestSpec, fc.oneof(...mutations)).map(([spec, m]) => {
  const changed = m.apply(requestJson(spec));
  const body = changed.text !== undefined ? changed.text : JSON.stringify(changed.value === undefined ? null : changed.value);
  return { family: 'structural', mutation: m.name, headers: changed.headers ?? JSON_HEADERS, body: Buffer.from(body ?? 'null') };
});
