import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { onnxRuntime } from '../../src/core/model/onnxRuntime';
import { decodeBinaryResponse, encodeBinaryRequest } from '../../src/core/oip/binaryTensors';
import { toJson } from '../../src/core/oip/encodeOutput';
import { toFloat16Bits, fromFloat16Bits } from '../../src/core/oip/float16';
import type { ModelServer } from '../../src/runtime/startServer';
import { IRIS, LABELS, serve } from '../support/servingFixture';
import { cli } from '../support/cliProcess';
import { copyExample, FIXTURE_MODELS, makeProject, REPO_ROOT, SHARED_DATA } from '../support/projectFixture';

const HEADER = 'Inference-Header-Content-Length';


interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  json: () => any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** A POST with exactly the given headers (no Content-Type unless given). */
function post(url: string, body: Buffer | string, headers: Record<string, string> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent: false, headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const all = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: all, json: () => JSON.parse(all.toString('utf8')) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const postJson = (url: string, request: unknown) => post(url, JSON.stringify(request), { 'Content-Type': 'application/json' });

// The test's own encoder and decoder of the extension, written from the specification with DataView, so
// that the runtime is checked against an independent implementation.
const SIZES: Record<string, number> = { BOOL: 1, UINT8: 1, INT8: 1, UINT16: 2, INT16: 2, FP16: 2, UINT32: 4, INT32: 4, FP32: 4, UINT64: 8, INT64: 8, FP64: 8 };

function toBytes(datatype: string, values: unknown[]): Buffer {
  if (datatype === 'BYTES') {
    return Buffer.concat(
      values.flatMap((v) => {
        const bytes = Buffer.from(v as string, 'utf8');
        const length = Buffer.alloc(4);
        length.writeUInt32LE(bytes.length);
        return [length, bytes];
      }),
    );
  }
  const size = SIZES[datatype];
  const view = new DataView(new ArrayBuffer(values.length * size));
  values.forEach((v, i) => {
    const at = i * size;
    switch (datatype) {
      case 'BOOL': return view.setUint8(at, v ? 1 : 0);
      case 'UINT8': return view.setUint8(at, v as number);
      case 'INT8': return view.setInt8(at, v as number);
      case 'UINT16': return view.setUint16(at, v as number, true);
      case 'INT16': return view.setInt16(at, v as number, true);
      case 'FP16': return view.setUint16(at, toFloat16Bits(v as number), true);
      case 'UINT32': return view.setUint32(at, v as number, true);
      case 'INT32': return view.setInt32(at, v as number, true);
      case 'FP32': return view.setFloat32(at, v as number, true);
      case 'FP64': return view.setFloat64(at, v as number, true);
      case 'UINT64': return view.setBigUint64(at, BigInt(v as number), true);
      case 'INT64': return view.setBigInt64(at, BigInt(v as number), true);
    }
  });
  return Buffer.from(view.buffer);
}

function fromBytes(datatype: string, bytes: Buffer): unknown[] {
  if (datatype === 'BYTES') {
    const out: string[] = [];
    for (let at = 0; at < bytes.length; ) {
      const length = bytes.readUInt32LE(at);
      out.push(bytes.toString('utf8', at + 4, at + 4 + length));
      at += 4 + length;
    }
    return out;
  }
  const size = SIZES[datatype];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  return Array.from({ length: bytes.length / size }, (_, i) => {
    const at = i * size;
    switch (datatype) {
      case 'BOOL': return view.getUint8(at) !== 0;
      case 'UINT8': return view.getUint8(at);
      case 'INT8': return view.getInt8(at);
      case 'UINT16': return view.getUint16(at, true);
      case 'INT16': return view.getInt16(at, true);
      case 'FP16': return fromFloat16Bits(view.getUint16(at, true));
      case 'UINT32': return view.getUint32(at, true);
      case 'INT32': return view.getInt32(at, true);
      case 'FP32': return view.getFloat32(at, true);
      case 'FP64': return view.getFloat64(at, true);
      case 'UINT64': return view.getBigUint64(at, true);
      case 'INT64': return view.getBigInt64(at, true);
      default: throw new Error(`no datatype ${datatype}`);
    }
  });
}

type Input = { name: string; shape: number[]; datatype: string; data: unknown[] };

/**
 * A binary request: the inputs named in `binary` (all by default) go as bytes, the others as JSON data;
 * `pad` spaces after the JSON move the binary parts to other offsets (and alignments).
 */
function frame(request: { inputs: Input[]; [key: string]: unknown }, options: { binary?: string[]; pad?: number } = {}): { body: Buffer; headerLength: number } {
  const parts: Buffer[] = [];
  const inputs = request.inputs.map((input) => {
    if (options.binary && !options.binary.includes(input.name)) return input;
    const bytes = toBytes(input.datatype, input.data);
    parts.push(bytes);
    const { data: _data, ...rest } = input; // eslint-disable-line @typescript-eslint/no-unused-vars
    return { ...rest, parameters: { binary_data_size: bytes.length } };
  });
  const json = Buffer.from(JSON.stringify({ ...request, inputs }) + ' '.repeat(options.pad ?? 0));
  return { body: Buffer.concat([json, ...parts]), headerLength: json.length };
}

function postFramed(url: string, framed: { body: Buffer; headerLength: number | string }, contentType: string | null = 'application/octet-stream'): Promise<Raw> {
  return post(url, framed.body, { [HEADER]: String(framed.headerLength), ...(contentType === null ? {} : { 'Content-Type': contentType }) });
}

/** A binary answer read with the test's own decoder: the JSON part, with each binary output's data put back. */
function readBinaryAnswer(answer: Raw): { header: any; outputs: any[] } { // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.equal(answer.status, 200, answer.body.toString());
  assert.equal(answer.headers['content-type'], 'application/octet-stream');
  const length = Number(answer.headers[HEADER.toLowerCase()]);
  assert.ok(Number.isInteger(length) && length > 0, 'the answer says the length of its JSON part');
  const header = JSON.parse(answer.body.subarray(0, length).toString('utf8'));
  let offset = length;
  const outputs = header.outputs.map((o: { datatype: string; data?: unknown[]; parameters?: { binary_data_size?: number } }) => {
    const size = o.parameters?.binary_data_size;
    if (size === undefined) return o;
    assert.equal(o.data, undefined, 'a binary output has no data');
    const data = fromBytes(o.datatype, answer.body.subarray(offset, offset + size));
    offset += size;
    return { ...o, data };
  });
  assert.equal(offset, answer.body.length, 'the binary parts fill the rest of the answer');
  return { header, outputs };
}

const IRIS_ROWS = [5.1, 3.5, 1.4, 0.2, 6.7, 3.0, 5.2, 2.3];
const irisRequest = (extra: Record<string, unknown> = {}) => ({ id: 'b1', inputs: [{ name: 'float_input', shape: [2, 4], datatype: 'FP32', data: IRIS_ROWS }], ...extra });

describe('the binary tensor data extension', function () {
  this.timeout(60_000);

  describe('on the iris classifier', () => {
    let server: ModelServer;
    let infer: string;
    before(async () => {
      server = await serve(IRIS, 'iris', { labels: LABELS, maxBodyBytes: 4096 });
      infer = `${server.url}/v2/models/iris/infer`;
    });
    after(() => server.close());

    it('says so in the server metadata', async () => {
      const answer = await new Promise<string>((resolve) => http.get(`${server.url}/v2`, (res) => res.on('data', (d: Buffer) => resolve(d.toString()))));
      assert.deepEqual(JSON.parse(answer).extensions, ['binary_tensor_data']);
    });

    for (const contentType of ['application/octet-stream', 'application/json', null]) {
      it(`reads a binary request by its header with ${contentType ? `Content-Type ${contentType}` : 'no Content-Type'}: the same answer as JSON`, async () => {
        const json = await postJson(infer, irisRequest());
        assert.equal(json.status, 200);
        const binary = await postFramed(infer, frame(irisRequest()), contentType);
        assert.equal(binary.status, 200, binary.body.toString());
        assert.equal(binary.headers['content-type'], 'application/json', 'JSON outputs unless asked for binary');
        assert.deepEqual(binary.json(), json.json());
      });
    }

    it('answers binary outputs with binary_data_output: the JSON answer\'s numbers, class names kept', async () => {
      const json = (await postJson(infer, irisRequest())).json();
      const answer = await postFramed(infer, frame(irisRequest({ parameters: { binary_data_output: true } })));
      const { header, outputs } = readBinaryAnswer(answer);
      assert.deepEqual(header.outputs.map((o: { parameters: unknown }) => o.parameters), [{ binary_data_size: 24, class_names: ['setosa', 'virginica'] }, { binary_data_size: 16 }]);
      assert.deepEqual([header.id, header.model_name], ['b1', 'iris']);
      assert.deepEqual(outputs.map((o) => [o.name, o.shape, o.datatype, o.data.map(Number)]), json.outputs.map((o: { name: string; shape: number[]; datatype: string; data: number[] }) => [o.name, o.shape, o.datatype, o.data]));
      // The client's decoder gives back exactly the JSON answer.
      assert.deepEqual(decodeBinaryResponse(answer.body, String(answer.headers[HEADER.toLowerCase()])), json);
    });

    it('asks for binary outputs from a JSON request too, per output, with an output\'s binary_data winning over binary_data_output', async () => {
      const perOutput = readBinaryAnswer(await postJson(infer, irisRequest({ outputs: [{ name: 'probabilities', parameters: { binary_data: true } }, { name: 'label' }] })));
      assert.deepEqual(perOutput.header.outputs.map((o: { name: string; data?: unknown }) => [o.name, o.data === undefined]), [['probabilities', true], ['label', false]]);
      assert.deepEqual(perOutput.outputs[1].data, [0, 2]);
      const overridden = readBinaryAnswer(await postFramed(infer, frame(irisRequest({ parameters: { binary_data_output: true }, outputs: [{ name: 'probabilities' }, { name: 'label', parameters: { binary_data: false } }] }))));
      assert.deepEqual(overridden.header.outputs.map((o: { name: string; data?: unknown }) => [o.name, o.data === undefined]), [['probabilities', true], ['label', false]]);
      const off = await postFramed(infer, frame(irisRequest({ parameters: { binary_data_output: false } })));
      assert.equal(off.headers['content-type'], 'application/json');
      assert.equal(off.headers[HEADER.toLowerCase()], undefined);
    });

    const good = () => frame(irisRequest());
    const withInput = (patch: Record<string, unknown>, bytes: Buffer) => {
      const json = Buffer.from(JSON.stringify({ inputs: [{ name: 'float_input', shape: [1, 4], datatype: 'FP32', ...patch }] }));
      return { body: Buffer.concat([json, bytes]), headerLength: json.length };
    };
    const malformed: { title: string; send: () => Promise<Raw>; status?: number; error: RegExp }[] = [
      { title: 'a header length that is not a number', send: () => postFramed(infer, { body: good().body, headerLength: 'abc' }), error: /Inference-Header-Content-Length header "abc" is not a number of bytes/ },
      { title: 'a negative header length', send: () => postFramed(infer, { body: good().body, headerLength: '-5' }), error: /"-5" is not a number of bytes/ },
      { title: 'a header length larger than the body', send: () => postFramed(infer, { body: good().body, headerLength: good().body.length + 1 }), error: /says the JSON part has \d+ bytes, but the whole body has only \d+/ },
      { title: 'a JSON part that is not JSON', send: () => postFramed(infer, { body: good().body, headerLength: 10 }), error: /the JSON part of the body \(its first 10 bytes, per Inference-Header-Content-Length\) is not valid JSON/ },
      { title: 'a binary_data_size that does not match the shape', send: () => postFramed(infer, withInput({ parameters: { binary_data_size: 12 } }, toBytes('FP32', [1, 2, 3]))), error: /input "float_input" has binary_data_size 12 but its shape \[1, 4\] of FP32 needs 16 bytes/ },
      { title: 'binary parts shorter than the rest of the body', send: () => postFramed(infer, withInput({ parameters: { binary_data_size: 16 } }, toBytes('FP32', [1, 2, 3, 4, 5]))), error: /binary parts do not add up: the inputs' binary_data_size values total 16 bytes, but 20 bytes follow/ },
      { title: 'binary parts longer than the rest of the body', send: () => postFramed(infer, withInput({ parameters: { binary_data_size: 16 } }, toBytes('FP32', [1, 2]))), error: /total 16 bytes, but 8 bytes follow/ },
      { title: 'an input with both data and binary_data_size', send: () => postFramed(infer, withInput({ data: [1, 2, 3, 4], parameters: { binary_data_size: 16 } }, toBytes('FP32', [1, 2, 3, 4]))), error: /input "float_input" has both "data" and a binary_data_size/ },
      { title: 'a binary_data_size that is not a number of bytes', send: () => postFramed(infer, withInput({ parameters: { binary_data_size: '16' } }, toBytes('FP32', [1, 2, 3, 4]))), error: /binary_data_size "16" is not a number of bytes/ },
      { title: 'a binary_data_size in a request without the header', send: () => post(infer, withInput({ parameters: { binary_data_size: 16 } }, Buffer.alloc(0)).body, { 'Content-Type': 'application/json' }), error: /has a binary_data_size but the request is not binary/ },
      { title: 'a binary_data_output that is not a boolean', send: () => postFramed(infer, frame(irisRequest({ parameters: { binary_data_output: 'yes' } }))), error: /binary_data_output must be true or false/ },
      { title: 'a binary body over the limit', send: () => postFramed(infer, withInput({ shape: [300, 4], parameters: { binary_data_size: 4800 } }, Buffer.alloc(4800))), status: 413, error: /over the limit of 4096 bytes/ },
    ];
    for (const m of malformed) {
      it(`refuses ${m.title} with ${m.status ?? 400} and says so, and keeps serving`, async () => {
        const answer = await m.send();
        assert.equal(answer.status, m.status ?? 400, answer.body.toString());
        assert.match(answer.json().error, m.error);
        const after = await postFramed(infer, good());
        assert.equal(after.status, 200, 'a good binary request still works');
      });
    }
  });

  describe('with every datatype (all-types.onnx)', () => {
    let server: ModelServer;
    let infer: string;
    before(async () => {
      server = await serve(path.join(FIXTURE_MODELS, 'all-types.onnx'), 'types');
      infer = `${server.url}/v2/models/types/infer`;
    });
    after(() => server.close());

    const cases: Input[] = [
      { name: 'x_bool', shape: [2, 2], datatype: 'BOOL', data: [true, false, false, true] },
      { name: 'x_uint8', shape: [2, 2], datatype: 'UINT8', data: [0, 255, 7, 1] },
      { name: 'x_uint16', shape: [2, 2], datatype: 'UINT16', data: [0, 65535, 7, 1] },
      { name: 'x_uint32', shape: [2, 2], datatype: 'UINT32', data: [0, 4294967295, 7, 1] },
      { name: 'x_uint64', shape: [2, 2], datatype: 'UINT64', data: ['18446744073709551615', 1, 0, 2] },
      { name: 'x_int8', shape: [2, 2], datatype: 'INT8', data: [-128, 127, 0, 1] },
      { name: 'x_int16', shape: [2, 2], datatype: 'INT16', data: [-32768, 32767, 0, 1] },
      { name: 'x_int32', shape: [2, 2], datatype: 'INT32', data: [-2147483648, 2147483647, 0, 1] },
      { name: 'x_int64', shape: [2, 2], datatype: 'INT64', data: ['9007199254740993', -5, 0, '-9223372036854775808'] },
      { name: 'x_float16', shape: [2, 2], datatype: 'FP16', data: [0.5, -2, 1024, 0.0999755859375] },
      { name: 'x_float32', shape: [2, 2], datatype: 'FP32', data: [0.5, -2, 3.25, 1e-3] },
      { name: 'x_float64', shape: [2, 2], datatype: 'FP64', data: [0.1, -2e300, Math.PI, 1e-310] },
      { name: 'x_string', shape: [2, 2], datatype: 'BYTES', data: ['a', 'héllo', '', 'z'] },
    ];

    it('gives the same answer for binary and JSON inputs of every datatype, at every alignment of the binary parts', async () => {
      const json = await postJson(infer, { inputs: cases });
      assert.equal(json.status, 200, json.body.toString());
      for (let pad = 0; pad < 8; pad++) {
        const binary = await postFramed(infer, frame({ inputs: cases }, { pad }));
        assert.equal(binary.status, 200, binary.body.toString());
        // Compared as text: 64-bit integers beyond 2^53 are exact JSON numbers.
        assert.equal(binary.body.toString(), json.body.toString(), `pad ${pad}`);
      }
    });

    it('mixes JSON and binary inputs in one request', async () => {
      const json = await postJson(infer, { inputs: cases });
      for (const binaryNames of [['x_float16', 'x_string', 'x_int64'], ['x_bool', 'x_float64', 'x_uint8', 'x_float32']]) {
        const mixed = await postFramed(infer, frame({ inputs: cases }, { binary: binaryNames, pad: 3 }));
        assert.equal(mixed.status, 200, mixed.body.toString());
        assert.equal(mixed.body.toString(), json.body.toString(), binaryNames.join(', '));
      }
    });

    it('answers binary outputs of every datatype that decode to the JSON answer\'s values', async () => {
      const json = await postJson(infer, { inputs: cases });
      const answer = await postFramed(infer, frame({ inputs: cases, parameters: { binary_data_output: true } }));
      const { header, outputs } = readBinaryAnswer(answer);
      assert.equal(header.outputs.length, cases.length);
      for (const [i, input] of cases.entries()) {
        const output = outputs[i];
        assert.equal(output.name, input.name.replace('x_', 'y_'));
        assert.equal(output.datatype, input.datatype);
        const expected = input.datatype === 'FP32' ? input.data.map((v) => Math.fround(v as number)) : input.datatype.endsWith('INT64') ? input.data.map((v) => BigInt(v as string)) : input.data;
        assert.deepEqual(output.data, expected, input.name);
      }
      // The shared decoder turns the binary answer into exactly the JSON answer's text.
      assert.equal(toJson(decodeBinaryResponse(answer.body, String(answer.headers[HEADER.toLowerCase()]))), json.body.toString());
    });

    it('the shared request encoder gives the same answer as JSON', async () => {
      const json = await postJson(infer, { inputs: cases });
      const framed = encodeBinaryRequest({ inputs: cases } as never);
      const answer = await postFramed(infer, framed);
      assert.equal(toJson(decodeBinaryResponse(answer.body, String(answer.headers[HEADER.toLowerCase()]))), json.body.toString());
    });

    it('refuses BYTES elements that do not fit their bytes, and keeps serving', async () => {
      const bad = frame({ inputs: cases }, { binary: ['x_string'] });
      // Make the last element's length prefix claim more bytes than there are.
      bad.body.writeUInt32LE(9, bad.body.length - 5);
      const answer = await postFramed(infer, bad);
      assert.equal(answer.status, 400);
      assert.match(answer.json().error, /input "x_string": BYTES element 3 says 9 bytes but only 1 remain/);
      const fewer = frame({ inputs: cases.map((c) => (c.name === 'x_string' ? { ...c, shape: [2, 2], data: ['a', 'b', 'c'] } : c)) }, { binary: ['x_string'] });
      const short = await postFramed(infer, fewer);
      assert.equal(short.status, 400);
      assert.match(short.json().error, /input "x_string" has 3 BYTES elements in its 15 binary bytes but its shape \[2, 2\] needs 4/);
      assert.equal((await postFramed(infer, frame({ inputs: cases }))).status, 200);
    });
  });

  it('classifies a real MNIST digit from binary pixels, with a binary answer', async () => {
    const server = await serve(path.join(SHARED_DATA, 'mnist', 'mnist-8.onnx'), 'mnist');
    try {
      const [label, ...pixels] = gunzipSync(fs.readFileSync(path.join(SHARED_DATA, 'mnist', 'mnist_test.csv.gz'))).toString().split('\n')[1].split(',').map(Number);
      const request = { inputs: [{ name: 'Input3', shape: [1, 1, 28, 28], datatype: 'FP32', data: pixels }] };
      const infer = `${server.url}/v2/models/mnist/infer`;
      const json = (await postJson(infer, request)).json();
      const { outputs } = readBinaryAnswer(await postFramed(infer, frame({ ...request, parameters: { binary_data_output: true } })));
      assert.deepEqual(outputs[0].data, json.outputs[0].data);
      const scores = outputs[0].data as number[];
      assert.equal(scores.indexOf(Math.max(...scores)), label);
    } finally {
      await server.close();
    }
  });

  it('batches concurrent binary requests and answers each exactly as unbatched', async () => {
    const server = await serve(IRIS, 'iris', { batching: true });
    try {
      const runs = async () => Number(/modeldeploy_batch_size_count (\d+)/.exec((await new Promise<string>((resolve) => http.get(`${server.url}/metrics`, (res) => { let t = ''; res.on('data', (d: Buffer) => (t += d.toString())); res.on('end', () => resolve(t)); })))) ?.[1]);
      const before = await runs();
      const requests = Array.from({ length: 12 }, (_, i) => {
        const rows = (i % 3) + 1;
        return Array.from({ length: rows * 4 }, (_, k) => ((i * 7 + k * 3) % 70) / 10);
      });
      const answers = await Promise.all(
        requests.map((data, i) =>
          i % 2
            ? postFramed(`${server.url}/v2/models/iris/infer`, frame({ inputs: [{ name: 'float_input', shape: [data.length / 4, 4], datatype: 'FP32', data }], parameters: { binary_data_output: true } }, { pad: i }))
            : postJson(`${server.url}/v2/models/iris/infer`, { inputs: [{ name: 'float_input', shape: [data.length / 4, 4], datatype: 'FP32', data }] }),
        ),
      );
      const ort = onnxRuntime();
      const session = await ort.InferenceSession.create(IRIS);
      for (const [i, data] of requests.entries()) {
        const local = await session.run({ float_input: new ort.Tensor('float32', Float32Array.from(data), [data.length / 4, 4]) });
        const outputs = i % 2 ? readBinaryAnswer(answers[i]).outputs : answers[i].json().outputs;
        const probabilities = outputs.find((o: { name: string }) => o.name === 'probabilities');
        assert.deepEqual(probabilities.shape, [data.length / 4, 3]);
        assert.deepEqual(probabilities.data, Array.from(local.probabilities.data as Float32Array), `request ${i}`);
        assert.deepEqual(outputs.find((o: { name: string }) => o.name === 'label').data.map(Number), Array.from(local.label.data as BigInt64Array, Number), `request ${i}`);
      }
      await session.release();
      const after = await runs();
      assert.ok(after - before < requests.length, `${after - before} runs for ${requests.length} requests: some were merged`);
    } finally {
      await server.close();
    }
  });

  describe('modeldeploy predict --binary against the runtime process', () => {
    let runtime: { child: ChildProcess; url: Promise<string>; output: () => string } | undefined;
    let project: { dir: string; cleanup: () => void };
    const start = (env: Record<string, string>) => {
      const child = spawn(process.execPath, [path.join(REPO_ROOT, 'dist', 'runtime.js')], { env: { ...process.env, MODELDEPLOY_HOST: '127.0.0.1', MODELDEPLOY_PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
      let output = '';
      const url = new Promise<string>((resolve, reject) => {
        child.stdout!.on('data', (d: Buffer) => {
          output += d.toString();
          const listening = /"message":"listening","url":"([^"]+)"/.exec(output);
          if (listening && /"message":"ready"/.test(output)) resolve(listening[1]);
        });
        child.on('exit', (code) => reject(new Error(`the runtime exited ${code}: ${output}`)));
      });
      return { child, url, output: () => output };
    };
    /** The response sizes of the infer requests, from the runtime's access log. */
    const inferBytes = () =>
      runtime!
        .output()
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { path?: string; status?: number; bytes?: number })
        .filter((l) => l.path?.endsWith('/infer'))
        .map((l) => [l.status, l.bytes]);
    afterEach(() => {
      runtime?.child.kill('SIGKILL');
      project?.cleanup();
    });

    it('sends binary inputs, decodes the binary answer and finds parity 0 on iris, with the --json output of a JSON predict', async () => {
      project = copyExample('iris');
      runtime = start({ MODELDEPLOY_MODEL: path.join(project.dir, 'model', 'iris-v2.onnx'), MODELDEPLOY_NAME: 'iris-classifier' });
      const url = await runtime.url;
      const binary = cli(['predict', '--project', project.dir, '--url', url, '--binary', '--json']);
      assert.equal(binary.code, 0, binary.stderr);
      const plain = cli(['predict', '--project', project.dir, '--url', url, '--json']);
      assert.equal(plain.code, 0, plain.stderr);
      const [b, p] = [JSON.parse(binary.stdout), JSON.parse(plain.stdout)];
      // The binary answer is the JSON part plus 2x3 float32 and 2 int64 values: another size than the JSON one.
      // cli() blocks this process: let the runtime's output arrive.
      for (let i = 0; i < 50 && inferBytes().length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 50));
      const [[binaryStatus, binaryBytes], [plainStatus, plainBytes]] = inferBytes();
      assert.deepEqual([binaryStatus, plainStatus], [200, 200]);
      assert.notEqual(binaryBytes, plainBytes, 'the first answer was binary');
      assert.equal(b.parity.maxAbsDiff, 0);
      assert.deepEqual(Object.keys(b), Object.keys(p));
      assert.deepEqual(b.response, p.response);
      const text = cli(['predict', '--project', project.dir, '--url', url, '--binary']);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /parity with in-process onnxruntime: max \|difference\| 0 \(ok/);
    });

    it('carries every datatype, FP16 and BYTES included, with parity 0', async () => {
      const sample = { inputs: [
        { name: 'x_bool', shape: [1, 2], datatype: 'BOOL', data: [true, false] },
        { name: 'x_uint8', shape: [1, 2], datatype: 'UINT8', data: [0, 255] },
        { name: 'x_uint16', shape: [1, 2], datatype: 'UINT16', data: [0, 65535] },
        { name: 'x_uint32', shape: [1, 2], datatype: 'UINT32', data: [0, 4294967295] },
        { name: 'x_uint64', shape: [1, 2], datatype: 'UINT64', data: [7, 1] },
        { name: 'x_int8', shape: [1, 2], datatype: 'INT8', data: [-128, 127] },
        { name: 'x_int16', shape: [1, 2], datatype: 'INT16', data: [-32768, 32767] },
        { name: 'x_int32', shape: [1, 2], datatype: 'INT32', data: [-2147483648, 2147483647] },
        { name: 'x_int64', shape: [1, 2], datatype: 'INT64', data: [-5, 3] },
        { name: 'x_float16', shape: [1, 2], datatype: 'FP16', data: [0.5, -2] },
        { name: 'x_float32', shape: [1, 2], datatype: 'FP32', data: [0.1, 3.25] },
        { name: 'x_float64', shape: [1, 2], datatype: 'FP64', data: [0.1, Math.PI] },
        { name: 'x_string', shape: [1, 2], datatype: 'BYTES', data: ['héllo', ''] },
      ] };
      project = makeProject({
        'model.onnx': fs.readFileSync(path.join(FIXTURE_MODELS, 'all-types.onnx')),
        'sample.json': JSON.stringify(sample),
        'modeldeploy.yaml': 'name: types\nversion: 1.0.0\nmodel: model.onnx\ntask: regression\nsample: sample.json\n',
      });
      runtime = start({ MODELDEPLOY_MODEL: path.join(project.dir, 'model.onnx'), MODELDEPLOY_NAME: 'types' });
      const url = await runtime.url;
      const binary = cli(['predict', '--project', project.dir, '--url', url, '--binary', '--json']);
      assert.equal(binary.code, 0, binary.stderr + binary.stdout);
      const result = JSON.parse(binary.stdout);
      assert.equal(result.parity.maxAbsDiff, 0);
      assert.deepEqual(result.response.outputs.find((o: { name: string }) => o.name === 'y_string').data, ['héllo', '']);
      assert.deepEqual(result.response.outputs.find((o: { name: string }) => o.name === 'y_float16').data, [0.5, -2]);
    });
  });
});
