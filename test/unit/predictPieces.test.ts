import * as assert from 'node:assert/strict';
import { logFrame } from '../support/logFrame';
import { demuxLogs, LogDemuxer } from '../../src/core/container/logFrames';
import { UserError } from '../../src/core/errors';
import type { ModelInfo } from '../../src/core/model/modelInfo';
import type { OipInferenceResponse } from '../../src/core/oip/oipTypes';
import { compareResponses } from '../../src/core/predict/parity';
import { generateRequest, parseRequest } from '../../src/core/predict/requestFile';


function response(outputs: OipInferenceResponse['outputs']): OipInferenceResponse {
  return { model_name: 'm', outputs };
}

describe('test-prediction pieces without an engine', () => {
  describe('container log frames', () => {
    it('splits stdout and stderr frames', () => {
      assert.deepEqual(demuxLogs(Buffer.concat([logFrame(1, 'ready\n'), logFrame(2, 'warning\n'), logFrame(1, 'ok')])), [
        { stream: 'stdout', text: 'ready\n' },
        { stream: 'stderr', text: 'warning\n' },
        { stream: 'stdout', text: 'ok' },
      ]);
    });

    it('keeps a frame cut across chunks until the rest arrives', () => {
      const all = Buffer.concat([logFrame(1, 'first line\n'), logFrame(2, 'second')]);
      const demuxer = new LogDemuxer();
      assert.deepEqual(demuxer.push(all.subarray(0, 5)), []);
      assert.deepEqual(demuxer.push(all.subarray(5, 22)), [{ stream: 'stdout', text: 'first line\n' }]);
      assert.deepEqual(demuxer.push(all.subarray(22)), [{ stream: 'stderr', text: 'second' }]);
    });
  });

  describe('compareResponses', () => {
    const local = response([
      { name: 'p', shape: [1, 2], datatype: 'FP32', data: [0.25, 0.75] },
      { name: 'label', shape: [1], datatype: 'INT64', data: [BigInt(1)] },
    ]);

    it('equal answers differ by 0, and an int64 number matches its bigint', () => {
      const served = response([
        { name: 'p', shape: [1, 2], datatype: 'FP32', data: [0.25, 0.75] },
        { name: 'label', shape: [1], datatype: 'INT64', data: [1] },
      ]);
      const parity = compareResponses(served, local);
      assert.equal(parity.maxAbsDiff, 0);
      assert.equal(parity.ok, true);
    });

    it('reports the largest difference and fails above the tolerance', () => {
      const served = response([
        { name: 'p', shape: [1, 2], datatype: 'FP32', data: [0.25, 0.7501] },
        { name: 'label', shape: [1], datatype: 'INT64', data: [1] },
      ]);
      const parity = compareResponses(served, local);
      assert.ok(Math.abs(parity.maxAbsDiff - 1e-4) < 1e-9);
      assert.equal(parity.ok, false);
      assert.deepEqual(parity.outputs.map((o) => o.name), ['p', 'label']);
    });

    it('a missing output or another shape is an infinite difference', () => {
      assert.equal(compareResponses(response([{ name: 'p', shape: [1, 2], datatype: 'FP32', data: [0.25, 0.75] }]), local).maxAbsDiff, Infinity);
      const reshaped = response([
        { name: 'p', shape: [2, 1], datatype: 'FP32', data: [0.25, 0.75] },
        { name: 'label', shape: [1], datatype: 'INT64', data: [1] },
      ]);
      assert.equal(compareResponses(reshaped, local).ok, false);
    });

    it('strings compare as equal or not', () => {
      const names = response([{ name: 's', shape: [2], datatype: 'BYTES', data: ['cat', 'dog'] }]);
      assert.equal(compareResponses(names, names).maxAbsDiff, 0);
      assert.equal(compareResponses(response([{ name: 's', shape: [2], datatype: 'BYTES', data: ['cat', 'cow'] }]), names).maxAbsDiff, Infinity);
    });
  });

  describe('request files', () => {
    it('bad JSON is reported at its line and column', () => {
      assert.throws(
        () => parseRequest('{\n  "inputs": [\n    {"name": "x",}\n  ]\n}', '/p/req.json'),
        (error: UserError) => error.location?.file === '/p/req.json' && error.location.line === 3 && error.location.column === 18 && /not valid JSON/.test(error.message),
      );
    });

    it('JSON that is not a request says what one looks like', () => {
      assert.throws(() => parseRequest('{"data": [1]}', '/p/req.json'), (error: UserError) => /needs an "inputs" list/.test(error.message) && /"datatype"/.test(error.hint ?? ''));
    });

    it('a line of a batch file is reported at that line', () => {
      assert.throws(() => parseRequest('[1,', '/p/batch.jsonl', 6), (error: UserError) => error.location?.line === 7);
    });
  });

  describe('generateRequest', () => {
    const info = (inputs: ModelInfo['inputs']) => ({ file: '/m.onnx', inputs });

    it('symbolic and free dimensions become 1, floats get varied values, integers zeros', () => {
      const request = generateRequest(
        info([
          { name: 'x', type: 'float32', shape: ['batch', 3], isTensor: true },
          { name: 'k', type: 'int64', shape: [], isTensor: true },
          { name: 'mask', type: 'bool', shape: [-1 as unknown as number, 2], isTensor: true },
          { name: 'text', type: 'string', shape: ['N'], isTensor: true },
        ]),
      );
      assert.deepEqual(request.inputs, [
        { name: 'x', shape: [1, 3], datatype: 'FP32', data: [0, 0.1, 0.2] },
        { name: 'k', shape: [], datatype: 'INT64', data: [0] },
        { name: 'mask', shape: [1, 2], datatype: 'BOOL', data: [false, false] },
        { name: 'text', shape: [1], datatype: 'BYTES', data: [''] },
      ]);
    });

    it('an input that is not a tensor asks for a sample file', () => {
      assert.throws(() => generateRequest(info([{ name: 'seq', type: 'sequence', shape: [], isTensor: false }])), (error: UserError) => /cannot make a request for input "seq"/.test(error.message) && /"sample"/.test(error.hint ?? ''));
    });
  });
});
