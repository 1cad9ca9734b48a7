/**
 * Typed arrays carved out of shared blocks: each request's values need an array of their own, and an
 * ArrayBuffer of their own (memory outside the JavaScript heap, allocated, tracked and freed one by
 * one) costs more per request than filling it. A block is freed once no array in it is alive;
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

/** A new Float64Array of `length` zeros. */
export function pooledFloat64(length: number): Float64Array {
  const at = carve(length * 8);
  return at < 0 ? new Float64Array(length) : new Float64Array(block, at, length);
}

/** A new Float32Array of `length` zeros. */
export function pooledFloat32(length: number): Float32Array {
  const at = carve(length * 4);
  return at < 0 ? new Float32Array(length) : new Float32Array(block, at, length);
}
