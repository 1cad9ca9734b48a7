/**
 * Whether this machine stores numbers little-endian. Typed arrays use the machine's byte order, and the
 * binary tensor data extension's is little-endian: typed-array views of its bytes are right only when this
 * holds (x86-64, arm64: every platform the image is built for).
 */
export const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
