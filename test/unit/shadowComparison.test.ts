import * as assert from 'node:assert/strict';
import { joinBinaryBody, tensorDataToBytes } from '../../src/core/oip/binaryTensors';
import type { OipDatatype } from '../../src/core/oip/oipTypes';
import { compareShadowAnswers, type ShadowAnswer, type ShadowCompare } from '../../src/runtime/shadowComparison';

type Values = (number | string | boolean)[];
type Output = { name: string; shape: number[]; datatype: OipDatatype; data: Values | Values[] };

const output = (name: string, shape: number[], datatype: OipDatatype, data: Output['data']): Output => ({ name, shape, datatype, data });
const probabilities = (rows: number[][]) => output('probabilities', [rows.length, rows[0].length], 'FP32', rows.flat());

function json(outputs: Output[], status = 200): ShadowAnswer {
  return { status, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify({ model_name: 'm', outputs })) };
}

/** The same outputs as the binary tensor extension frames them: JSON header, then each tensor's raw bytes. */
function binary(outputs: { name: string; shape: number[]; datatype: 'FP32' | 'INT64'; data: number[] }[]): ShadowAnswer {
  const parts = outputs.map((o) => tensorDataToBytes(o.datatype, o.datatype === 'FP32' ? Float32Array.from(o.data) : BigInt64Array.from(o.data.map(BigInt))));
  const header = { model_name: 'm', outputs: outputs.map((o, i) => ({ name: o.name, shape: o.shape, datatype: o.datatype, parameters: { binary_data_size: parts[i].length } })) };
  const { body, headerLength } = joinBinaryBody(header, parts);
  return { status: 200, headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(headerLength) }, body };
}

const compared = (classDiffers: boolean | undefined, maxAbsDifference: number) => ({ kind: 'compared', classDiffers, maxAbsDifference });

function incomparable(active: ShadowAnswer, shadow: ShadowAnswer, compare: ShadowCompare, reason: RegExp): void {
  const result = compareShadowAnswers(active, shadow, compare);
  assert.equal(result?.kind, 'incomparable', JSON.stringify(result));
  assert.match((result as { reason: string }).reason, reason);
}

describe('the comparison of a shadow answer with the active one', () => {
  const classify: ShadowCompare = { output: 'probabilities', task: 'classification' };

  it('compares only when both answered 200: other statuses are counted on their own', () => {
    const ok = json([probabilities([[0.75, 0.25]])]);
    assert.equal(compareShadowAnswers(ok, json([], 500), classify), undefined);
    assert.equal(compareShadowAnswers(json([], 400), ok, classify), undefined);
    assert.equal(compareShadowAnswers({ ...ok, status: 201 }, ok, classify), undefined);
  });

  it('takes the argmax of each row, and the largest absolute difference over every element', () => {
    const active = json([probabilities([[0.75, 0.25, 0], [0.125, 0.5, 0.375], [0, 0, 1]])]);
    const sameClasses = json([probabilities([[0.5, 0.25, 0.25], [0.25, 0.5, 0.25], [0, 0.25, 0.75]])]);
    assert.deepEqual(compareShadowAnswers(active, sameClasses, classify), compared(false, 0.25));
    const lastRowDiffers = json([probabilities([[0.75, 0.25, 0], [0.125, 0.5, 0.375], [0.5, 0, 0.5]])]);
    assert.deepEqual(compareShadowAnswers(active, lastRowDiffers, classify), compared(true, 0.5));
  });

  it('lets the first of equal maxima win, as numpy does', () => {
    const active = json([probabilities([[0.5, 0.5, 0.25]])]);
    assert.deepEqual(compareShadowAnswers(active, json([probabilities([[0.5, 0.5, 0.125]])]), classify), compared(false, 0.125));
    // Class 1 in the shadow: an argmax where the last maximum won would call both class 1.
    assert.deepEqual(compareShadowAnswers(active, json([probabilities([[0.375, 0.5, 0.25]])]), classify), compared(true, 0.125));
  });

  it('reads a row of one float as the probability of class 1, above 0.5', () => {
    const p = (value: number) => json([output('probabilities', [1, 1], 'FP64', [value])]);
    assert.deepEqual(compareShadowAnswers(p(0.625), p(0.375), classify), compared(true, 0.25));
    assert.deepEqual(compareShadowAnswers(p(0.625), p(0.875), classify), compared(false, 0.25));
    // 0.5 is not above 0.5: class 0, like 0.25.
    assert.deepEqual(compareShadowAnswers(p(0.5), p(0.25), classify), compared(false, 0.25));
    // A scalar is one row.
    const scalar = (value: number) => json([output('probabilities', [], 'FP32', [value])]);
    assert.deepEqual(compareShadowAnswers(scalar(0.75), scalar(0.25), classify), compared(true, 0.5));
  });

  it('takes integer, BOOL and BYTES values as the classes themselves', () => {
    const labels = (data: Values) => json([output('label', [data.length], 'INT64', data)]);
    assert.deepEqual(compareShadowAnswers(labels([0, 2, 1]), labels([0, 2, 1]), { output: 'label' }), compared(false, 0));
    assert.deepEqual(compareShadowAnswers(labels([0, 2, 1]), labels([0, 1, 1]), { output: 'label' }), compared(true, 1));
    // Not a probability: 2 and 1 are two classes, though both are above 0.5.
    assert.deepEqual(compareShadowAnswers(labels([2]), labels([1]), { output: 'label' }), compared(true, 1));
    const flags = (data: boolean[]) => json([output('spam', [data.length, 1], 'BOOL', data)]);
    assert.deepEqual(compareShadowAnswers(flags([true, false]), flags([true, true]), { output: 'spam' }), compared(true, 1));
    const names = (data: string[]) => json([output('species', [data.length], 'BYTES', data)]);
    assert.deepEqual(compareShadowAnswers(names(['setosa', 'virginica']), names(['setosa', 'virginica']), { output: 'species' }), compared(false, 0));
    assert.deepEqual(compareShadowAnswers(names(['setosa', 'virginica']), names(['setosa', 'versicolor']), { output: 'species' }), compared(true, 0));
  });

  it('compares scores only for regression and raw, and for every numeric output both have when none is named', () => {
    const active = json([output('price', [2, 1], 'FP32', [0.75, 0.25]), output('species', [1], 'BYTES', ['a']), output('only-here', [1], 'FP32', [100])]);
    const shadow = json([output('price', [2, 1], 'FP32', [0.25, 0.375]), output('species', [1], 'BYTES', ['b'])]);
    // Classes would differ (0.75 vs 0.25 around 0.5): regression does not look at them.
    assert.deepEqual(compareShadowAnswers(active, shadow, { output: 'price', task: 'regression' }), compared(undefined, 0.5));
    assert.deepEqual(compareShadowAnswers(active, shadow, { output: 'price', task: 'raw' }), compared(undefined, 0.5));
    // None named: "price", the one numeric output in both; the BYTES and the unmatched ones are left out.
    assert.deepEqual(compareShadowAnswers(active, shadow, {}), compared(undefined, 0.5));
    assert.deepEqual(compareShadowAnswers(active, shadow, { task: 'classification' }), compared(true, 0.5));
    const twoOutputs = (p: number[], label: number) => json([probabilities([p]), output('label', [1], 'INT64', [label])]);
    assert.deepEqual(compareShadowAnswers(twoOutputs([0.75, 0.25], 0), twoOutputs([0.5, 0.5], 0), {}), compared(undefined, 0.25));
    assert.deepEqual(compareShadowAnswers(twoOutputs([0.75, 0.25], 0), twoOutputs([0.75, 0.25], 3), {}), compared(undefined, 3));
  });

  it('reads nested data as well as flat', () => {
    const nested = json([output('probabilities', [2, 2], 'FP32', [[0.75, 0.25], [0, 1]])]);
    assert.deepEqual(compareShadowAnswers(nested, json([probabilities([[0.75, 0.25], [1, 0]])]), classify), compared(true, 1));
  });

  it('decodes binary framed answers, compared with JSON ones or with each other', () => {
    const active = binary([{ name: 'probabilities', shape: [2, 3], datatype: 'FP32', data: [0.75, 0.25, 0, 0.125, 0.5, 0.375] }, { name: 'label', shape: [2], datatype: 'INT64', data: [0, 1] }]);
    assert.deepEqual(compareShadowAnswers(active, json([probabilities([[0.75, 0.25, 0], [0.5, 0.125, 0.375]])]), classify), compared(true, 0.375));
    assert.deepEqual(compareShadowAnswers(json([probabilities([[0.75, 0.25, 0], [0.125, 0.5, 0.375]])]), active, classify), compared(false, 0));
    const shadow = binary([{ name: 'probabilities', shape: [2, 3], datatype: 'FP32', data: [0.25, 0.75, 0, 0.125, 0.5, 0.375] }, { name: 'label', shape: [2], datatype: 'INT64', data: [1, 1] }]);
    assert.deepEqual(compareShadowAnswers(active, shadow, { output: 'label' }), compared(true, 1));
    assert.deepEqual(compareShadowAnswers(active, shadow, {}), compared(undefined, 1));
  });

  it('calls a pair incomparable, saying why, when an output is missing, its shape differs, or a body is not OIP', () => {
    const active = json([probabilities([[0.75, 0.25]])]);
    incomparable(active, json([output('scores', [1, 2], 'FP32', [0.75, 0.25])]), classify, /the shadow's answer has no output "probabilities"/);
    incomparable(active, json([probabilities([[0.75, 0.25, 0]])]), classify, /shape \[1,2\] in the active version's answer but \[1,3\] in the shadow's/);
    incomparable(active, json([output('probabilities', [2, 1], 'FP32', [0.75, 0.25])]), classify, /shape/);
    incomparable(active, json([output('probabilities', [1, 2], 'FP32', [0.75])]), classify, /has 1 values for its shape \[1,2\]/);
    incomparable(active, json([output('probabilities', [1, 2], 'FP32', [0.75, 'x'])]), classify, /not FP32/);
    incomparable(active, { status: 200, headers: {}, body: Buffer.from('<html>') }, classify, /JSON/);
    incomparable(active, { status: 200, headers: {}, body: Buffer.from('{"error": "x"}') }, classify, /no "outputs" list/);
    incomparable(active, { status: 200, headers: { 'inference-header-content-length': '999' }, body: Buffer.from('{}') }, classify, /Inference-Header-Content-Length/);
    incomparable(active, json([output('other', [1], 'FP32', [1])]), {}, /no numeric output in common/);
    const names = json([output('species', [1], 'BYTES', ['a'])]);
    incomparable(names, names, { output: 'species', task: 'regression' }, /BYTES: it has no scores/);
  });

  it('takes two NaNs as equal and one NaN as an infinite difference', () => {
    const scores = (value: number) => binary([{ name: 'y', shape: [1], datatype: 'FP32', data: [value] }]);
    assert.deepEqual(compareShadowAnswers(scores(NaN), scores(NaN), { output: 'y', task: 'raw' }), compared(undefined, 0));
    assert.deepEqual(compareShadowAnswers(scores(NaN), scores(1), { output: 'y', task: 'raw' }), compared(undefined, Infinity));
  });
});
