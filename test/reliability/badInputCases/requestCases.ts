import type { RawRequest } from './rawHttp';

/** A malformed request to the model server, and the status and `{"error"}` words it must answer with. */
export interface RequestCase extends RawRequest {
  name: string;
  status: number;
  error: RegExp;
}

/** The served model's name and the server's body limit for these cases. */
export const MODEL = 'iris';
export const BODY_LIMIT_BYTES = 256 * 1024;
/** How long the server waits for a body that its Content-Length promised. */
export const BODY_TIMEOUT_MS = 1500;

const INFER = `/v2/models/${MODEL}/infer`;
const JSON_TYPE = { 'Content-Type': 'application/json' };

/** The iris input with one field changed; `null` data is left out. */
const input = (patch: Record<string, unknown> = {}) => ({ name: 'float_input', shape: [1, 4], datatype: 'FP32', data: [5.1, 3.5, 1.4, 0.2], ...patch });
const infer = (body: unknown, extra: Partial<RawRequest> = {}): RawRequest => ({ path: INFER, headers: JSON_TYPE, body: typeof body === 'string' ? body : JSON.stringify(body), ...extra });

/** A request of the binary tensor data extension: `json` then `bytes`, with the header length given or the real one. */
function framed(json: unknown, bytes: Buffer, headerLength?: string | number): RawRequest {
  const header = Buffer.from(JSON.stringify(json));
  return { path: INFER, headers: { 'Content-Type': 'application/octet-stream', 'Inference-Header-Content-Length': headerLength ?? header.length }, body: Buffer.concat([header, bytes]) };
}
const floats = (...values: number[]) => Buffer.from(new Float32Array(values).buffer);
const binaryInput = (size: unknown, patch: Record<string, unknown> = {}) => ({ inputs: [{ ...input(), data: undefined, parameters: { binary_data_size: size }, ...patch }] });

/** A request the server must answer 200, before and after every bad one. */
export const GOOD_REQUEST: RawRequest = infer({ inputs: [input()] });

export const requestCases: RequestCase[] = [
  { name: 'a body that is not JSON', ...infer('{"inputs": ['), status: 400, error: /not valid JSON/ },
  { name: 'an empty body', ...infer(''), status: 400, error: /the body is not valid JSON: Unexpected end of JSON input/ },
  { name: 'a JSON array as the body', ...infer('[1, 2]'), status: 400, error: /must be a JSON object/ },
  { name: 'inputs that are not a list', ...infer({ inputs: 5 }), status: 400, error: /the request has no "inputs" list/ },
  { name: 'no inputs', ...infer({ inputs: [] }), status: 400, error: /missing input "float_input"/ },
  { name: 'an unknown input name', ...infer({ inputs: [input({ name: 'pixels' })] }), status: 400, error: /no input "pixels"; its inputs are float_input/ },
  { name: 'the wrong datatype', ...infer({ inputs: [input({ datatype: 'INT64' })] }), status: 400, error: /takes FP32 values, not INT64/ },
  { name: 'an unknown datatype', ...infer({ inputs: [input({ datatype: 'FLOAT' })] }), status: 400, error: /unknown datatype "FLOAT"/ },
  { name: 'the wrong shape', ...infer({ inputs: [input({ shape: [1, 3], data: [1, 2, 3] })] }), status: 400, error: /shape \[1, 3\] but the model takes \[-1, 4\]/ },
  { name: 'data shorter than the shape', ...infer({ inputs: [input({ shape: [2, 4] })] }), status: 400, error: /has 4 values but its shape \[2, 4\] needs 8/ },
  { name: 'a shape of a billion rows with four values', ...infer({ inputs: [input({ shape: [1_000_000_000, 4] })] }), status: 400, error: /has 4 values but its shape \[1000000000, 4\] needs 4000000000/ },
  { name: 'a negative dimension', ...infer({ inputs: [input({ shape: [-1, 4] })] }), status: 400, error: /input "float_input": "shape" must be a list of non-negative integers/ },
  { name: 'a string among the numbers', ...infer({ inputs: [input({ data: [1, 2, 'x', 4] })] }), status: 400, error: /value 2 is "x", not a number/ },
  { name: 'ragged nested data', ...infer({ inputs: [input({ shape: [2, 4], data: [[5.1, 3.5, 1.4], [6.3, 2.5, 5, 1.9, 7]] })] }), status: 400, error: /data\[0\] has 3 entries but dimension 1 of the shape \[2, 4\] is 4/ },
  { name: 'nested data with a level missing', ...infer({ inputs: [input({ shape: [2, 4], data: [[1, 2, 3, 4], 5] })] }), status: 400, error: /data\[1\] is 5, but nested data must have 2 levels/ },
  { name: 'data nested 100,000 deep', ...infer(`{"inputs":[{"name":"float_input","shape":[1,4],"datatype":"FP32","data":${'['.repeat(100_000)}1${']'.repeat(100_000)}}]}`), status: 400, error: /data\[0\] has 1 entries but dimension 1 of the shape \[1, 4\] is 4/ },
  { name: 'a number beyond any float (1e400)', ...infer('{"inputs":[{"name":"float_input","shape":[1,4],"datatype":"FP32","data":[1e400,1,1,1]}]}'), status: 400, error: /value 0 \(a number beyond ±1\.8e308\) is too large for float32/ },
  { name: 'a number beyond float32 (1e39)', ...infer({ inputs: [input({ data: [1, 1e39, 1, 1] })] }), status: 400, error: /value 1 \(1e\+39\) is too large for float32/ },
  { name: 'NaN, which JSON has no word for', ...infer('{"inputs":[{"name":"float_input","shape":[1,4],"datatype":"FP32","data":[NaN,1,1,1]}]}'), status: 400, error: /not valid JSON/ },
  { name: 'null among the numbers', ...infer({ inputs: [input({ data: [1, null, 1, 1] })] }), status: 400, error: /input "float_input" value 1 is null, not a number/ },
  { name: 'an unknown output', ...infer({ inputs: [input()], outputs: [{ name: 'scores' }] }), status: 400, error: /no output "scores"/ },
  { name: 'an unknown model', ...infer({ inputs: [input()] }, { path: '/v2/models/other/infer' }), status: 404, error: /no model named "other"/ },
  { name: 'an unknown version', ...infer({ inputs: [input()] }, { path: `/v2/models/${MODEL}/versions/9/infer` }), status: 404, error: /has no version "9"/ },
  { name: 'GET on the infer route', method: 'GET', path: INFER, status: 405, error: /GET is not allowed .* use POST/ },
  { name: 'DELETE on a health route', method: 'DELETE', path: '/v2/health/ready', status: 405, error: /DELETE is not allowed on \/v2\/health\/ready; use GET/ },
  { name: 'an unknown route', method: 'GET', path: '/v1/models', status: 404, error: /no route \/v1\/models/ },
  { name: 'a malformed %-escape in the model name', ...infer({ inputs: [input()] }, { path: '/v2/models/ir%E0%A4%A/infer' }), status: 400, error: /"ir%E0%A4%A" has a malformed %-escape/ },
  { name: 'a text/plain body', ...infer({ inputs: [input()] }, { headers: { 'Content-Type': 'text/plain' } }), status: 400, error: /must be JSON/ },
  { name: 'a body over the limit', ...infer({ inputs: [input({ data: new Array(BODY_LIMIT_BYTES / 4).fill(1.2345) })] }), status: 413, error: new RegExp(`over the limit of ${BODY_LIMIT_BYTES} bytes`) },
  { name: 'a body shorter than its Content-Length', ...infer({ inputs: [input()] }, { headers: { ...JSON_TYPE, 'Content-Length': 5000 } }), status: 408, error: /the body did not arrive within 1\.5 s/ },
  { name: 'a binary header length larger than the body', ...framed({ inputs: [input()] }, Buffer.alloc(0), 10_000), status: 400, error: /says the JSON part has 10000 bytes, but the whole body has only \d+/ },
  { name: 'a negative binary header length', ...framed({ inputs: [input()] }, Buffer.alloc(0), '-5'), status: 400, error: /"-5" is not a number of bytes/ },
  { name: 'a non-numeric binary header length', ...framed({ inputs: [input()] }, Buffer.alloc(0), 'abc'), status: 400, error: /Inference-Header-Content-Length header "abc" is not a number of bytes/ },
  { name: 'a binary header length that cuts the JSON', ...framed({ inputs: [input()] }, Buffer.alloc(0), 10), status: 400, error: /the JSON part of the body \(its first 10 bytes, per Inference-Header-Content-Length\) is not valid JSON/ },
  { name: 'a binary_data_size that does not fit the shape', ...framed(binaryInput(12), floats(1, 2, 3)), status: 400, error: /input "float_input" has binary_data_size 12 but its shape \[1, 4\] of FP32 needs 16 bytes/ },
  { name: 'binary parts longer than binary_data_size', ...framed(binaryInput(16), floats(1, 2, 3, 4, 5)), status: 400, error: /binary_data_size values total 16 bytes, but 20 bytes follow/ },
  { name: 'binary parts shorter than binary_data_size', ...framed(binaryInput(16), floats(1, 2)), status: 400, error: /binary_data_size values total 16 bytes, but 8 bytes follow/ },
  { name: 'a binary_data_size that is a string', ...framed(binaryInput('16'), floats(1, 2, 3, 4)), status: 400, error: /binary_data_size "16" is not a number of bytes/ },
  { name: 'both data and binary_data_size', ...framed(binaryInput(16, { data: [1, 2, 3, 4] }), floats(1, 2, 3, 4)), status: 400, error: /input "float_input" has both "data" and a binary_data_size/ },
  { name: 'a binary_data_size without the binary header', ...infer(binaryInput(16)), status: 400, error: /has a binary_data_size but the request is not binary/ },
];
