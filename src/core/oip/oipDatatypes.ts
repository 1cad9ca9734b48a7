import type { OipDatatype } from './oipTypes';

/** onnxruntime's element type for each protocol datatype. */
export const ORT_TYPE_OF: Record<OipDatatype, string> = {
  BOOL: 'bool',
  UINT8: 'uint8',
  UINT16: 'uint16',
  UINT32: 'uint32',
  UINT64: 'uint64',
  INT8: 'int8',
  INT16: 'int16',
  INT32: 'int32',
  INT64: 'int64',
  FP16: 'float16',
  FP32: 'float32',
  FP64: 'float64',
  BYTES: 'string',
};

const OIP_TYPE_OF: Record<string, OipDatatype> = Object.fromEntries(Object.entries(ORT_TYPE_OF).map(([oip, ort]) => [ort, oip as OipDatatype]));

export function oipDatatypeOf(ortType: string): OipDatatype | undefined {
  return OIP_TYPE_OF[ortType];
}

export function isOipDatatype(value: unknown): value is OipDatatype {
  return typeof value === 'string' && Object.hasOwn(ORT_TYPE_OF, value);
}
