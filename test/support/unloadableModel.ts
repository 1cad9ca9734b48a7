import * as fs from 'node:fs';
import { onnx } from 'onnx-proto';

/** Writes an ONNX file that parses, with a plausible signature, but whose one operator onnxruntime does not know. */
export function writeUnloadableModel(file: string): void {
  const T = onnx.TensorProto.DataType;
  const value = (name: string) => ({ name, type: { tensorType: { elemType: T.FLOAT, shape: { dim: [{ dimParam: 'N' }, { dimValue: 4 }] } } } });
  const graph = { name: 'g', input: [value('float_input')], output: [value('y')], node: [{ opType: 'NoSuchOperator', input: ['float_input'], output: ['y'] }] };
  fs.writeFileSync(file, onnx.ModelProto.encode({ irVersion: 8, opsetImport: [{ domain: '', version: 13 }], graph }).finish());
}
