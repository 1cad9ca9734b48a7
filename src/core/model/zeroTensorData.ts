/** A zero-filled array of `size` elements laid out as onnxruntime holds the element type's tensor data. */
export function zeroTensorData(type: string, size: number): unknown {
  switch (type) {
    case 'string':
      return new Array<string>(size).fill('');
    case 'int64':
      return new BigInt64Array(size);
    case 'uint64':
      return new BigUint64Array(size);
    case 'float64':
      return new Float64Array(size);
    case 'int32':
      return new Int32Array(size);
    case 'uint32':
      return new Uint32Array(size);
    case 'int16':
      return new Int16Array(size);
    case 'uint16':
    case 'float16':
      return new Uint16Array(size);
    case 'int8':
      return new Int8Array(size);
    case 'uint8':
    case 'bool':
      return new Uint8Array(size);
    default:
      return new Float32Array(size);
  }
}
