import * as assert from 'node:assert/strict';
import { logFrame } from '../support/logFrame';
import { demuxLogs, LogDemuxer, type LogFrame } from '../../src/core/container/logFrames';
import type { OipInferenceResponse } from '../../src/core/oip/oipTypes';
import { compareResponses, PARITY_TOLERANCE } from '../../src/core/predict/parity';


describe('LogDemuxer: the engine log format, however it is chunked', () => {
  const log = Buffer.concat([logFrame(1, '{"message":"ready"}\n'), logFrame(2, 'warning: slow\n'), logFrame(1, ''), logFrame(2, 'x'.repeat(70_000)), logFrame(1, 'größe ✓\n')]);
  const whole = demuxLogs(log);

  it('reads stdout and stderr frames apart, an empty frame and a large one included', () => {
    assert.deepEqual(
      whole.map((f) => [f.stream, f.text.length]),
      [
        ['stdout', 20],
        ['stderr', 14],
        ['stdout', 0],
        ['stderr', 70_000],
        ['stdout', 8],
      ],
    );
    assert.equal(whole[4].text, 'größe ✓\n');
  });

  for (const size of [1, 3, 7, 8, 9, 4096]) {
    it(`gives the same frames fed ${size} byte${size > 1 ? 's' : ''} at a time (headers and bodies cut anywhere)`, () => {
      const demuxer = new LogDemuxer();
      const frames: LogFrame[] = [];
      for (let i = 0; i < log.length; i += size) frames.push(...demuxer.push(log.subarray(i, i + size)));
      assert.deepEqual(frames, whole);
    });
  }

  it('keeps an incomplete frame back until its end arrives', () => {
    const demuxer = new LogDemuxer();
    const one = logFrame(2, 'abc');
    assert.deepEqual(demuxer.push(one.subarray(0, 10)), []);
    assert.deepEqual(demuxer.push(one.subarray(10)), [{ stream: 'stderr', text: 'abc' }]);
    assert.deepEqual(demuxer.push(Buffer.alloc(0)), []);
  });
});

describe('compareResponses at its edges', () => {
  const response = (outputs: OipInferenceResponse['outputs']): OipInferenceResponse => ({ model_name: 'm', outputs });
  const local = response([{ name: 'y', shape: [1, 2], datatype: 'FP32', data: [0.5, 0.25] }]);

  it('a difference of exactly the tolerance passes; just above it fails', () => {
    assert.equal(compareResponses(response([{ name: 'y', shape: [1, 2], datatype: 'FP32', data: [0.5, 0.25 + PARITY_TOLERANCE / 2] }]), local).ok, true);
    const above = compareResponses(response([{ name: 'y', shape: [1, 2], datatype: 'FP32', data: [0.5, 0.25 + 2 * PARITY_TOLERANCE] }]), local);
    assert.equal(above.ok, false);
    assert.ok(Math.abs(above.maxAbsDiff - 2 * PARITY_TOLERANCE) < 1e-12);
  });

  it('a served answer with no outputs at all is an infinite difference, not a crash', () => {
    const parity = compareResponses({ model_name: 'm' } as OipInferenceResponse, local);
    assert.equal(parity.maxAbsDiff, Infinity);
    assert.equal(parity.ok, false);
  });

  it('an output the server adds is not compared; a different data length is infinite', () => {
    assert.equal(compareResponses(response([...local.outputs, { name: 'extra', shape: [1], datatype: 'FP32', data: [9] }]), local).maxAbsDiff, 0);
    assert.equal(compareResponses(response([{ name: 'y', shape: [1, 2], datatype: 'FP32', data: [0.5] }]), local).maxAbsDiff, Infinity);
  });

  it('NaN matches NaN only; a number against a string is infinite', () => {
    const nan = response([{ name: 'y', shape: [1, 2], datatype: 'FP32', data: [NaN, 0.25] }]);
    assert.equal(compareResponses(nan, nan).maxAbsDiff, 0);
    assert.equal(compareResponses(nan, local).maxAbsDiff, Infinity);
    assert.equal(compareResponses(response([{ name: 'y', shape: [1, 2], datatype: 'FP32', data: ['0.5', 0.25] }]), local).maxAbsDiff, Infinity);
  });

  it('int64: a served number is compared with the local bigint by value', () => {
    assert.equal(compareResponses(response([{ name: 'k', shape: [1], datatype: 'INT64', data: [7] }]), response([{ name: 'k', shape: [1], datatype: 'INT64', data: [BigInt(5)] }])).maxAbsDiff, 2);
  });
});
