import * as assert from 'node:assert/strict';
import { encodeBinaryRequest, splitBinaryBody } from '../../src/core/oip/binaryTensors';
import { parseInferenceRequestJson } from '../../src/core/oip/inferenceRequestJson';
import { toJson } from '../../src/core/oip/encodeOutput';
import { JsonAnswerWriter } from '../../src/core/oip/jsonAnswerWriter';
import { ModelHost, type Answer } from '../../src/core/oip/modelHost';
import type { OipInferenceRequest } from '../../src/core/oip/oipTypes';
import { IRIS } from '../support/servingFixture';

/** Whether `value` and every object and list in it are frozen. */
function deeplyFrozen(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  return Object.isFrozen(value) && Object.values(value).every(deeplyFrozen);
}

const irisRows = (...rows: number[][]): OipInferenceRequest => ({ inputs: [{ name: 'float_input', shape: [rows.length, 4], datatype: 'FP32', data: rows.flat() }] });

describe('JSON parts shared by requests that send or get the same one', () => {
  describe('a binary request body', () => {
    it('parses a JSON part it saw last time to the same frozen header, with each body its own bytes', () => {
      const first = encodeBinaryRequest(irisRows([5.1, 3.5, 1.4, 0.2]));
      const second = encodeBinaryRequest(irisRows([6.7, 3.0, 5.2, 2.3]));
      assert.deepEqual(first.body.subarray(0, first.headerLength), second.body.subarray(0, second.headerLength), 'the same JSON part');
      const a = splitBinaryBody(first.body, String(first.headerLength), 'inputs');
      const b = splitBinaryBody(second.body, String(second.headerLength), 'inputs');
      assert.equal(b.header, a.header, 'parsed once');
      assert.ok(deeplyFrozen(a.header), 'no request can change what the next one gets');
      const input = (a.header as { inputs: object[] }).inputs[0];
      assert.deepEqual([...new Float32Array(Uint8Array.from(a.parts.get(input)!).buffer)], [5.1, 3.5, 1.4, 0.2].map(Math.fround));
      assert.deepEqual([...new Float32Array(Uint8Array.from(b.parts.get(input)!).buffer)], [6.7, 3.0, 5.2, 2.3].map(Math.fround));
      const other = encodeBinaryRequest({ ...irisRows([1, 2, 3, 4]), id: 'another JSON part' });
      assert.notEqual(splitBinaryBody(other.body, String(other.headerLength), 'inputs').header, a.header);
    });

    it('parses again a JSON part with input values in it, whose values the next body would write over', () => {
      // One input as JSON numbers beside nothing binary: the JSON part is the whole body.
      const mixed = Buffer.from(JSON.stringify(irisRows([1.5, 2.5, 3.5, 4.5])));
      const valuesOf = () => [...((splitBinaryBody(mixed, String(mixed.length), 'inputs').header as { inputs: { data: Float64Array }[] }).inputs[0].data)];
      assert.deepEqual(valuesOf(), [1.5, 2.5, 3.5, 4.5]);
      parseInferenceRequestJson(Buffer.from(JSON.stringify(irisRows([9, 9, 9, 9], [8, 8, 8, 8]))));
      assert.deepEqual(valuesOf(), [1.5, 2.5, 3.5, 4.5]);
    });
  });

  describe('the model host', () => {
    let host: ModelHost;
    before(async () => {
      // No class names: they would make every answer's JSON part its own.
      host = await ModelHost.load(IRIS, { name: 'iris', version: '2' });
    });
    after(() => host.close());

    const answer = (request: object) => new Promise<Answer>((resolve, reject) => host.answer(request, undefined, true, (error, given) => (given ? resolve(given) : reject(error))));
    const binaryOut = (request: OipInferenceRequest) => ({ ...request, parameters: { binary_data_output: true } });

    it('gives answers whose outputs all go as binary the same frozen JSON part, each with its own bytes', async () => {
      const a = await answer(binaryOut(irisRows([5.1, 3.5, 1.4, 0.2])));
      const b = await answer(binaryOut(irisRows([6.7, 3.0, 5.2, 2.3])));
      assert.equal(b.response, a.response);
      assert.ok(deeplyFrozen(a.response));
      const json = [(await host.infer(irisRows([5.1, 3.5, 1.4, 0.2]))).outputs, (await host.infer(irisRows([6.7, 3.0, 5.2, 2.3]))).outputs];
      assert.notDeepEqual(json[0], json[1], 'two rows that score differently');
      for (const [i, given] of [a, b].entries()) {
        const probabilities = a.response.outputs.findIndex((o) => o.datatype === 'FP32');
        const scores = json[i].find((o) => o.datatype === 'FP32')!.data;
        assert.deepEqual([...new Float32Array(Uint8Array.from(given.binary[probabilities]).buffer)], scores);
      }
    });

    it('gives a JSON part of its own to an answer with an id or another shape, and to answers not for the server', async () => {
      const shared = (await answer(binaryOut(irisRows([5.1, 3.5, 1.4, 0.2])))).response;
      const withId = (await answer({ ...binaryOut(irisRows([5.1, 3.5, 1.4, 0.2])), id: 'r1' })).response;
      assert.notEqual(withId, shared);
      assert.equal(withId.id, 'r1');
      const twoRows = (await answer(binaryOut(irisRows([5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3])))).response;
      assert.notEqual(twoRows, shared);
      assert.deepEqual(twoRows.outputs.map((o) => o.shape[0]), twoRows.outputs.map(() => 2));
      const inProcess = (served: boolean) => new Promise<Answer>((resolve, reject) => host.answer(irisRows([5.1, 3.5, 1.4, 0.2]), undefined, served, (error, given) => (given ? resolve(given) : reject(error))));
      const [first, second] = [await inProcess(false), await inProcess(false)];
      assert.notEqual(second.response, first.response);
      assert.ok(!Object.isFrozen(first.response));
      assert.equal(first.data, undefined);
      assert.ok(first.response.outputs.every((o) => Array.isArray(o.data)), 'the values in the response, as lists');
    });

    it('gives JSON answers for the server one frozen JSON part without the values, and each its own values', async () => {
      const a = await answer(irisRows([5.1, 3.5, 1.4, 0.2]));
      const b = await answer(irisRows([6.7, 3.0, 5.2, 2.3]));
      assert.equal(b.response, a.response);
      assert.ok(deeplyFrozen(a.response));
      assert.ok(a.response.outputs.every((o) => o.data === undefined));
      const inProcess = await host.infer(irisRows([6.7, 3.0, 5.2, 2.3]));
      assert.deepEqual(
        b.data!.map((values) => Array.from(values as ArrayLike<number | bigint>, Number)),
        inProcess.outputs.map((o) => o.data.map(Number)),
      );
      const binary = await answer(binaryOut(irisRows([5.1, 3.5, 1.4, 0.2])));
      assert.equal((await answer(irisRows([4.9, 3.1, 1.5, 0.1]))).response, a.response, "kept beside a binary answer's, for clients that mix them");
      assert.equal((await answer(binaryOut(irisRows([4.9, 3.1, 1.5, 0.1])))).response, binary.response);
      const withId = await answer({ ...irisRows([5.1, 3.5, 1.4, 0.2]), id: 'r1' });
      assert.equal(withId.data, undefined, "an id is the answer's own: its values go in its response");
      assert.ok(withId.response.outputs.every((o) => Array.isArray(o.data)));
    });

    it("writes a JSON answer's bytes as JSON.stringify writes the response with its values, whatever the shapes that came before", async () => {
      const writer = new JsonAnswerWriter();
      const requests = [irisRows([5.1, 3.5, 1.4, 0.2]), irisRows([6.7, 3.0, 5.2, 2.3], [5.9, 3.0, 4.2, 1.5]), irisRows([4.9, 3.1, 1.5, 0.1]), irisRows([6.3, 2.5, 5.0, 1.9])];
      for (const request of requests) {
        const given = await answer(request);
        assert.ok(given.data, 'the values, for the writer');
        assert.equal(writer.write(given.response, given.data).toString(), toJson(await host.infer(request)));
      }
    });
  });
});

describe('the JSON answer writer', () => {
  it('puts each output\'s values in its data list, names that hold the key\'s own text or escapes notwithstanding', () => {
    const header = { model_name: 'm"data":[', model_version: '1', outputs: [{ name: '"data":[]', shape: [2], datatype: 'FP32' as const }, { name: 'x\\"\n\u00e9', shape: [3], datatype: 'INT64' as const }] };
    const data = [Float32Array.of(1.5, -0.1), BigInt64Array.of(-(2n ** 63n), 0n, 2n ** 53n + 1n)];
    const response = { ...header, outputs: header.outputs.map((output, i) => ({ ...output, data: Array.from(data[i] as ArrayLike<number | bigint>) })) };
    assert.equal(new JsonAnswerWriter().write(header, data).toString(), toJson(response));
  });

  it('grows its room for an answer of many values', () => {
    const values = Float32Array.from({ length: 5000 }, (_, i) => Math.fround(-1 / (i + 0.3)));
    const header = { model_name: 'm', outputs: [{ name: 'y', shape: [5000], datatype: 'FP32' as const }] };
    assert.equal(new JsonAnswerWriter().write(header, [values]).toString(), JSON.stringify({ ...header, outputs: [{ ...header.outputs[0], data: Array.from(values) }] }));
  });
});
