import * as assert from 'node:assert/strict';
import { pooledFloat32Copy, pooledFloat64Copy } from '../../src/core/oip/pooledArrays';

describe('typed arrays carved out of shared blocks', () => {
  it('are copies with the values, each its own, aligned, across many blocks', () => {
    const made: [Float64Array | Float32Array, number][] = [];
    // Enough to fill several blocks, with lengths that leave odd offsets behind them.
    for (let i = 0; i < 3000; i++) {
      const values = Float64Array.from({ length: 1 + ((i * 7919) % 997) }, (_, j) => i + j / 3);
      const copy = i % 2 ? pooledFloat32Copy(values) : pooledFloat64Copy(values);
      assert.deepEqual(Array.from(copy), Array.from(i % 2 ? new Float32Array(values) : values));
      assert.equal(copy.byteOffset % 8, 0);
      made.push([copy, i]);
    }
    for (const [copy, i] of made) assert.equal(copy[0], i % 2 ? Math.fround(i) : i, 'no later array wrote over an earlier one');
  });

  it('gives a large array a buffer of its own', () => {
    const values = new Float64Array(100_000).fill(1.5);
    const copy = pooledFloat64Copy(values);
    assert.equal(copy.buffer.byteLength, copy.byteLength);
    assert.equal(copy[99_999], 1.5);
    assert.equal(pooledFloat32Copy(values).buffer.byteLength, 400_000);
  });
});
