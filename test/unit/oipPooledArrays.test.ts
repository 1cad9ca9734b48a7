import * as assert from 'node:assert/strict';
import { pooledFloat32, pooledFloat64 } from '../../src/core/oip/pooledArrays';

describe('typed arrays carved out of shared blocks', () => {
  it('are new arrays of zeros, each its own, aligned, across many blocks', () => {
    const made: [Float64Array | Float32Array, number][] = [];
    // Enough to fill several blocks, with lengths that leave odd offsets behind them.
    for (let i = 0; i < 3000; i++) {
      const length = 1 + ((i * 7919) % 997);
      const array = i % 2 ? pooledFloat32(length) : pooledFloat64(length);
      assert.equal(array.length, length);
      assert.ok(array.every((v) => v === 0));
      assert.equal(array.byteOffset % 8, 0);
      array.fill(i);
      made.push([array, i]);
    }
    for (const [array, i] of made) assert.ok(array.every((v) => v === i), 'no later array wrote over an earlier one');
  });

  it('gives a large array a buffer of its own', () => {
    const array = pooledFloat64(100_000);
    assert.equal(array.buffer.byteLength, array.byteLength);
    assert.equal(pooledFloat32(100_000).buffer.byteLength, 400_000);
  });
});
