import * as fs from 'node:fs';
import { onnx } from 'onnx-proto';

/**
 * A copy of the Model Zoo's MNIST model whose batch dimension is free: the export fixes it at 1 on the
 * input and output only (its Reshape already takes -1), so naming that dimension is enough.
 */
export function writeFreeBatchMnist(source: string, target: string): void {
  const model = onnx.ModelProto.decode(fs.readFileSync(source));
  for (const value of [model.graph!.input![0], model.graph!.output![0]]) {
    value.type!.tensorType!.shape!.dim![0] = onnx.TensorShapeProto.Dimension.create({ dimParam: 'N' });
  }
  fs.writeFileSync(target, onnx.ModelProto.encode(model).finish());
}
