import * as fs from 'node:fs';
import { onnx } from 'onnx-proto';

/**
 * A copy of the Model Zoo's MNIST model whose batch dimension is free: the export fixes it at 1 on the
 * input and output (its Reshape already takes -1), so that dimension is named there. The shapes the export
 * recorded for the values in between also say batch 1, and onnxruntime would carry that 1 on to the
 * output, where the server would see a fixed batch and not batch requests: they are dropped, and
 * onnxruntime infers them again.
 */
export function writeFreeBatchMnist(source: string, target: string): void {
  const model = onnx.ModelProto.decode(fs.readFileSync(source));
  for (const value of [model.graph!.input![0], model.graph!.output![0]]) {
    value.type!.tensorType!.shape!.dim![0] = onnx.TensorShapeProto.Dimension.create({ dimParam: 'N' });
  }
  model.graph!.valueInfo = [];
  fs.writeFileSync(target, onnx.ModelProto.encode(model).finish());
}
