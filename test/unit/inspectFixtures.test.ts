import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { inspectModel } from '../../src/core/model/inspectModel';
import { FIXTURE_MODELS } from '../support/projectFixture';

const fixture = (name: string) => path.join(FIXTURE_MODELS, name);

describe('inspectModel on models of every awkward shape', () => {
  it('a batch dimension fixed at 1', async () => {
    const info = await inspectModel(fixture('fixed-batch.onnx'));
    assert.deepEqual(info.batch, { kind: 'fixed', size: 1 });
    assert.deepEqual(info.inputs[0].shape, [1, 4]);
  });

  it('several inputs', async () => {
    const info = await inspectModel(fixture('two-inputs.onnx'));
    assert.deepEqual(
      info.inputs.map((i) => [i.name, i.shape]),
      [
        ['a', ['N', 2]],
        ['b', ['N', 2]],
      ],
    );
    assert.deepEqual(info.batch, { kind: 'free' });
  });

  it('an int64 scalar input', async () => {
    const info = await inspectModel(fixture('int64-scalar.onnx'));
    assert.deepEqual(info.inputs[1], { name: 'k', type: 'int64', shape: [], isTensor: true });
    assert.deepEqual(info.batch, { kind: 'free' }, 'a scalar has no batch dimension to fix');
  });

  it('symbolic dimensions, named as the model names them', async () => {
    const info = await inspectModel(fixture('symbolic-dims.onnx'));
    assert.deepEqual(info.inputs[0].shape, ['batch', 'sequence']);
  });

  it('a non-tensor (ZipMap) output: reported with a note, not a crash', async () => {
    const info = await inspectModel(fixture('zipmap.onnx'));
    assert.deepEqual(info.outputs[0], { name: 'label', type: 'int64', shape: ['N'], isTensor: true });
    assert.deepEqual(info.outputs[1], { name: 'output_probability', type: 'non-tensor', shape: [], isTensor: false });
    assert.ok(info.notes.some((n) => n.includes('"output_probability" is not a tensor')));
    assert.deepEqual(info.opsets, [
      { domain: 'ai.onnx', version: 13 },
      { domain: 'ai.onnx.ml', version: 1 },
    ]);
  });
});
