import * as assert from 'node:assert/strict';
import { toJson } from '../../src/core/oip/encodeOutput';
import { JSON_NUMBER_MAX_BYTES, writeFloat32Json, writeIntegerJson } from '../../src/core/oip/jsonNumbers';
import { seededNumbers } from '../support/seededNumbers';

const out = Buffer.alloc(64);
const float = new Float32Array(1);
const bits = new Uint32Array(float.buffer);

/** The text writeFloat32Json writes for the float32 value with these bits, and JSON.stringify's. */
function bothTexts(pattern: number): [string, string] {
  bits[0] = pattern;
  const value = float[0];
  const end = writeFloat32Json(out, 0, value);
  return [out.toString('latin1', 0, end), JSON.stringify(value)];
}

function assertAsJsonStringify(pattern: number): void {
  const [ours, expected] = bothTexts(pattern);
  if (ours !== expected) assert.fail(`bits 0x${(pattern >>> 0).toString(16)}: wrote ${ours}, JSON.stringify writes ${expected}`);
}

const patternOf = (value: number) => {
  float[0] = value;
  return bits[0];
};

describe('JSON numbers written as bytes', () => {
  it('writes every float32 value as JSON.stringify writes it: random bit patterns over the whole range', () => {
    const next = seededNumbers(20261204);
    for (let i = 0; i < 400_000; i++) {
      assertAsJsonStringify(next());
    }
  });

  it('writes every eleventh value of the binades its own digit search covers, edges included, as JSON.stringify does', () => {
    // Exponents from 2^-20 (below 1e-6, where V8 writes the text) to 2^54 (past 1e16, likewise).
    for (let exponent = 127 - 20; exponent <= 127 + 54; exponent++) {
      for (let mantissa = exponent % 11; mantissa < 1 << 23; mantissa += 11 * 64) assertAsJsonStringify((exponent << 23) | mantissa);
      assertAsJsonStringify(exponent << 23);
      assertAsJsonStringify((exponent << 23) | 0x7fffff);
    }
  });

  it('writes zeros, powers of two and of ten with their neighbours, the extremes and non-finite values as JSON.stringify does', () => {
    const values = [0, -0, Infinity, -Infinity, NaN, 3.4028234663852886e38, 1.1754943508222875e-38, 1.401298464324817e-45, 16777216, 16777217, 123456789, 0.1, 0.3, 1 / 3];
    for (let p = -40; p <= 60; p++) values.push(2 ** p, -(2 ** p));
    for (let p = -8; p <= 18; p++) values.push(Number(`1e${p}`), Number(`-1e${p}`), Number(`5e${p}`));
    for (const value of values) {
      const pattern = patternOf(value);
      for (const neighbour of [pattern - 2, pattern - 1, pattern, pattern + 1, pattern + 2]) assertAsJsonStringify(neighbour >>> 0);
    }
  });

  it('never writes more than JSON_NUMBER_MAX_BYTES', () => {
    for (const value of [-1.1754942106924411e-38, -3.4028234663852886e38, -1.401298464324817e-45, -0.0000012345678]) {
      assert.ok(writeFloat32Json(out, 0, Math.fround(value)) <= JSON_NUMBER_MAX_BYTES);
    }
    assert.ok(writeIntegerJson(out, 0, -(2n ** 63n)) <= JSON_NUMBER_MAX_BYTES);
    assert.ok(writeIntegerJson(out, 0, 2n ** 64n - 1n) <= JSON_NUMBER_MAX_BYTES);
  });

  it('writes integers, numbers and bigints, as toJson writes them', () => {
    const values: (number | bigint)[] = [0, 1, -1, 9, 10, -10, 99, 100, 255, 65535, 2 ** 31 - 1, -(2 ** 31 - 1), -(2 ** 31), 2 ** 31, 2 ** 32 - 1, 2 ** 53 - 1, -(2 ** 53 - 1)];
    values.push(0n, -1n, 7n, 2n ** 31n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, -(2n ** 53n) - 1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 64n - 1n);
    for (let i = 0; i < 2000; i++) values.push(Math.round((Math.sin(i) * 10 ** (i % 10)) | 0));
    for (const value of values) {
      const end = writeIntegerJson(out, 0, value);
      assert.equal(out.toString('latin1', 0, end), toJson(value), String(value));
    }
  });
});
