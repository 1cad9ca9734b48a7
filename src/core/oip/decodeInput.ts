import type { Tensor } from 'onnxruntime-node';
import { onnxRuntime } from '../model/onnxRuntime';
import type { TensorInfo } from '../model/modelInfo';
import { toFloat16Bits } from './float16';
import { isOipDatatype, oipDatatypeOf } from './oipDatatypes';
import { OipError } from './oipTypes';

const INTEGER_RANGES: Record<string, [number, number]> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  uint8: [0, 255],
  uint16: [0, 65535],
  uint32: [0, 4294967295],
};

const bad = (message: string) => new OipError(400, message);

/**
 * Turns one request input into an onnxruntime tensor for the model input `spec`, checking everything a
 * client can get wrong: the datatype, the shape against the model's fixed dimensions, the data's length
 * and each value's type and range. Data may be flat or nested (row-major).
 */
export function decodeInput(input: unknown, spec: TensorInfo): Tensor {
  const { name, shape, datatype, data } = input as Record<string, unknown>;
  if (!isOipDatatype(datatype)) throw bad(`input "${String(name)}": unknown datatype ${JSON.stringify(datatype)}`);
  const expected = oipDatatypeOf(spec.type);
  if (datatype !== expected) throw bad(`input "${spec.name}" takes ${expected ?? spec.type} values, not ${datatype}`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) throw bad(`input "${spec.name}": "shape" must be a list of non-negative integers`);
  const dims = shape as number[];
  if (dims.length !== spec.shape.length || spec.shape.some((d, i) => typeof d === 'number' && d !== dims[i])) {
    throw bad(`input "${spec.name}" has shape [${dims.join(', ')}] but the model takes [${spec.shape.map((d) => (typeof d === 'number' ? d : -1)).join(', ')}]`);
  }
  if (!Array.isArray(data)) throw bad(`input "${spec.name}": "data" must be a list`);
  // Nested data is row-major: flattening keeps the order. Flat data (the common case) is used as it is.
  const values = data.some(Array.isArray) ? ((data as unknown[]).flat(Infinity as 1) as unknown[]) : (data as unknown[]);
  const count = dims.reduce((a, b) => a * b, 1);
  if (values.length !== count) throw bad(`input "${spec.name}" has ${values.length} values but its shape [${dims.join(', ')}] needs ${count}`);
  return new (onnxRuntime().Tensor)(spec.type as 'float32', toTypedData(spec, values) as Float32Array, dims);
}

function toTypedData(spec: TensorInfo, values: unknown[]): unknown {
  const where = (i: number) => `input "${spec.name}" value ${i}`;
  const numbers = () =>
    values.map((v, i) => {
      if (typeof v !== 'number') throw bad(`${where(i)} is ${JSON.stringify(v)}, not a number`);
      return v;
    });
  switch (spec.type) {
    case 'float32':
    case 'float64': {
      // The hot path of every float model: one pass, no intermediate array.
      const array = spec.type === 'float32' ? new Float32Array(values.length) : new Float64Array(values.length);
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (typeof v !== 'number') throw bad(`${where(i)} is ${JSON.stringify(v)}, not a number`);
        array[i] = v;
      }
      return array;
    }
    case 'float16':
      return Uint16Array.from(numbers(), toFloat16Bits);
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
      return (spec.type === 'int64' ? BigInt64Array : BigUint64Array).from(
        values.map((v, i) => {
          if (!((typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && /^-?\d+$/.test(v)))) throw bad(`${where(i)} is ${JSON.stringify(v)}, not an integer`);
          const big = BigInt(v);
          if (spec.type === 'uint64' ? big < 0n || big >= 2n ** 64n : big < -(2n ** 63n) || big >= 2n ** 63n) throw bad(`${where(i)} ${String(v)} is out of range for ${spec.type}`);
          return big;
        }),
      );
    default: {
      const range = INTEGER_RANGES[spec.type];
      if (!range) throw bad(`input "${spec.name}" has element type ${spec.type}, which requests cannot fill`);
      const array = { int8: Int8Array, int16: Int16Array, int32: Int32Array, uint8: Uint8Array, uint16: Uint16Array, uint32: Uint32Array }[spec.type as 'int8'];
      return array.from(
        numbers().map((v, i) => {
          if (!Number.isInteger(v) || v < range[0] || v > range[1]) throw bad(`${where(i)} ${v} is not a ${spec.type}`);
          return v;
        }),
      );
    }
  }
}
