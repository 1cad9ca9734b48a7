/**
 * Typed arrays carved out of shared blocks: each request's values need an array of their own, and an
 * ArrayBuffer of their own (memory outside the JavaScript heap, allocated, tracked and freed one by
 * one) costs more per request than the copy into it. A block is freed once no array in it is alive;
 * arrays live as long as their request, so few blocks are held at once.
 */
const BLOCK_BYTES = 1 << 20;
/** Larger arrays get a buffer of their own: they would use up a block in a few requests. */
const LARGEST_POOLED = BLOCK_BYTES / 16;

let block = new ArrayBuffer(BLOCK_BYTES);
let used = 0;

/** A byte offset in `block` for `bytes` bytes, aligned for any element type; -1: not pooled. */
function carve(bytes: number): number {
  if (bytes > LARGEST_POOLED) return -1;
  const at = (used + 7) & ~7;
  if (at + bytes > BLOCK_BYTES) {
    block = new ArrayBuffer(BLOCK_BYTES);
    used = bytes;
    return 0;
  }
  used = at + bytes;
  return at;
}

/** A copy of `values` as a Float64Array. */
export function pooledFloat64Copy(values: Float64Array): Float64Array {
  const at = carve(values.length * 8);
  const copy = at < 0 ? new Float64Array(values.length) : new Float64Array(block, at, values.length);
  copy.set(values);
  return copy;
}

/** `values` as a Float32Array (each rounded to float32, as `new Float32Array(values)` does). */
export function pooledFloat32Copy(values: Float64Array): Float32Array {
  const at = carve(values.length * 4);
  const copy = at < 0 ? new Float32Array(values.length) : new Float32Array(block, at, values.length);
  copy.set(values);
  return copy;
}
