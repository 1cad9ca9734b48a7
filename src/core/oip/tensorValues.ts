import { fromFloat16Bits, toFloat16Bits } from './float16';
import { OipError } from './oipTypes';
import { pooledFloat32, pooledFloat64 } from './pooledArrays';

/**
 * A tensor's values as onnxruntime holds them: a typed array per element type (FP16 as Uint16 bit
 * patterns, BOOL as one byte each, 64-bit integers as BigInt arrays), or strings for BYTES.
 */
export type TensorData =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | BigUint64Array
  | BigInt64Array
  | Float32Array
  | Float64Array
  | string[];

/** A tensor's values held in a typed array: every element type but BYTES. */
export type NumericData = Exclude<TensorData, string[]>;

/** A typed array class, as an InputArrays is asked for one. */
export type NumericArrayType<T extends NumericData> = { new (length: number): T; readonly BYTES_PER_ELEMENT: number };

/**
 * Where a request's input values are written, when not in new arrays of their own: the batcher's next
 * batch (RequestBatcher), so that the values go where the joined run reads them.
 */
export interface InputArrays {
  /** An array of `length` elements of `type` for input `name`, which the caller fills whole; undefined: none to give. */
  array<T extends NumericData>(name: string, type: NumericArrayType<T>, length: number): T | undefined;
}

/** A value of a JSON tensor: what the protocol's `data` lists hold (bigint: a 64-bit integer beyond 2^53). */
export type JsonValue = number | string | boolean | bigint;

const INTEGER_RANGES: Record<string, [number, number]> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  uint8: [0, 255],
  uint16: [0, 65535],
  uint32: [0, 4294967295],
};

type IntegerArrayClass = { new (values: ArrayLike<number>): TensorData; from(values: ArrayLike<number>): TensorData };

const INTEGER_ARRAYS: Record<string, IntegerArrayClass> = { int8: Int8Array, int16: Int16Array, int32: Int32Array, uint8: Uint8Array, uint16: Uint16Array, uint32: Uint32Array };

const bad = (message: string) => new OipError(400, message);

/**
 * JSON has no infinities: a float that comes out infinite was a number too large for its type (1e400 for
 * any float, 1e39 for FP32, 70000 for FP16), which the model would turn into NaN scores.
 */
const outOfRange = (name: string, ortType: string, index: number, value: number) =>
  bad(`input "${name}" value ${index} (${Number.isFinite(value) ? value : 'a number beyond ±1.8e308'}) is too large for ${ortType}`);

/**
 * The smallest magnitude that rounds to infinity in float32: halfway between its largest finite value,
 * 2^128 - 2^104, and 2^128, where rounding to even goes up.
 */
export const FLOAT32_OVERFLOW = 2 ** 128 - 2 ** 103;

/**
 * JSON values (flat, row-major) as the typed data of onnxruntime element type `ortType`, checking each
 * value's type and range; `name` names the tensor in the errors (400).
 */
export function typedDataFromValues(name: string, ortType: string, values: unknown[]): TensorData {
  const where = (i: number) => `input "${name}" value ${i}`;
  const numbers = () =>
    values.map((v, i) => {
      if (typeof v !== 'number') throw bad(`${where(i)} is ${JSON.stringify(v)}, not a number`);
      return v;
    });
  switch (ortType) {
    case 'float32':
    case 'float64': {
      // The hot path of every float model: one pass, no intermediate array.
      const array = ortType === 'float32' ? new Float32Array(values.length) : new Float64Array(values.length);
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (typeof v !== 'number') throw bad(`${where(i)} is ${JSON.stringify(v)}, not a number`);
        array[i] = v;
        if (!Number.isFinite(array[i])) throw outOfRange(name, ortType, i, v);
      }
      return array;
    }
    case 'float16': {
      const bits = Uint16Array.from(numbers(), toFloat16Bits);
      const overflow = bits.findIndex((b) => (b & 0x7c00) === 0x7c00);
      if (overflow >= 0) throw outOfRange(name, ortType, overflow, values[overflow] as number);
      return bits;
    }
    case 'bool':
      return Uint8Array.from(
        values.map((v, i) => {
          if (typeof v !== 'boolean') throw bad(`${where(i)} is ${JSON.stringify(v)}, not true or false`);
          return v ? 1 : 0;
        }),
      );
    case 'string':
      return values.map((v, i) => {
        if (typeof v !== 'string') throw bad(`${where(i)} is ${JSON.stringify(v)}, not a string`);
        return v;
      });
    case 'int64':
    case 'uint64':
      // Whole numbers, or decimal strings for values beyond 2^53 that JSON numbers cannot carry exactly.
      return (ortType === 'int64' ? BigInt64Array : BigUint64Array).from(
        values.map((v, i) => {
          if (!((typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && /^-?\d+$/.test(v)) || typeof v === 'bigint')) throw bad(`${where(i)} is ${JSON.stringify(v)}, not an integer`);
          const big = BigInt(v);
          if (ortType === 'uint64' ? big < 0n || big >= 2n ** 64n : big < -(2n ** 63n) || big >= 2n ** 63n) throw bad(`${where(i)} ${String(v)} is out of range for ${ortType}`);
          return big;
        }),
      );
    default: {
      const range = INTEGER_RANGES[ortType];
      if (!range) throw bad(`input "${name}" has element type ${ortType}, which requests cannot fill`);
      return INTEGER_ARRAYS[ortType].from(
        numbers().map((v, i) => {
          if (!Number.isInteger(v) || v < range[0] || v > range[1]) throw bad(`${where(i)} ${v} is not a ${ortType}`);
          return v;
        }),
      );
    }
  }
}

/**
 * Numbers (a request's data as the server's scanner reads it) as typed data of `ortType`: the same values,
 * and the same errors, as typedDataFromValues on the same numbers, converted in one native step where
 * every value fits. The result never shares `numbers`' memory, which the scanner writes over next; float
 * values go into an array from `into` when it gives one.
 */
export function typedDataFromNumbers(name: string, ortType: string, numbers: Float64Array | Float32Array, into?: InputArrays): TensorData {
  if (ortType === 'float32' && numbers instanceof Float32Array) {
    // Float32 values already and finite (the scanner gives a list with a value beyond float32's range as doubles): a plain copy.
    const array = into?.array(name, Float32Array, numbers.length) ?? pooledFloat32(numbers.length);
    array.set(numbers);
    return array;
  }
  if (ortType === 'float32' || ortType === 'float64') {
    const n = numbers.length;
    const array = ortType === 'float32' ? (into?.array(name, Float32Array, n) ?? pooledFloat32(n)) : (into?.array(name, Float64Array, n) ?? pooledFloat64(n));
    // One pass that converts and checks each value against the bound past which it would come out infinite.
    const bound = ortType === 'float32' ? FLOAT32_OVERFLOW : Infinity;
    for (let i = 0; i < numbers.length; i++) {
      const v = numbers[i];
      if (!(Math.abs(v) < bound)) throw outOfRange(name, ortType, i, v);
      array[i] = v;
    }
    return array;
  }
  const range = INTEGER_RANGES[ortType];
  if (range && numbers.every((v) => Number.isInteger(v) && v >= range[0] && v <= range[1])) return new INTEGER_ARRAYS[ortType](numbers);
  return typedDataFromValues(name, ortType, Array.from(numbers));
}

/** Typed data of onnxruntime element type `ortType` as JSON values: FP16 as numbers, BOOL as true/false, 64-bit integers exact. */
export function jsonValuesOf(ortType: string, raw: ArrayLike<number | bigint | string>): JsonValue[] {
  if (ortType === 'float16') return valuesOf(raw as Uint16Array, fromFloat16Bits);
  if (ortType === 'bool') return valuesOf(raw as Uint8Array, (v) => v !== 0);
  if (raw instanceof BigInt64Array || raw instanceof BigUint64Array) return valuesOf(raw, exactNumber);
  return valuesOf(raw, (v) => v as JsonValue);
}

// A counted loop: Array.from goes through the iterator protocol, measured at twenty times the cost for a
// classifier's ten scores, in every JSON answer. Pushed, not preallocated: JSON.stringify writes a list
// without holes faster (about a sixth less for those ten scores' response).
function valuesOf<T>(raw: ArrayLike<T>, value: (v: T) => JsonValue): JsonValue[] {
  const values: JsonValue[] = [];
  for (let i = 0; i < raw.length; i++) values.push(value(raw[i]));
  return values;
}

/** A 64-bit integer as a Number when that is exact (the usual case: class indices, counts), else kept as bigint. */
function exactNumber(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}
