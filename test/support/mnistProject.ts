import * as fs from 'node:fs';
import * as path from 'node:path';
import { onnx } from 'onnx-proto';
import { makeProject, SHARED_DATA } from './projectFixture';

const MNIST = path.join(SHARED_DATA, 'mnist');

/**
 * A throwaway project around the shared MNIST model and test set. The files are copied into a temporary
 * folder (never into the repository) because a project may not reach outside its own folder.
 */
export function makeMnistProject(extraConfig = ''): { dir: string; cleanup: () => void } {
  return makeProject({
    'model/mnist-8.onnx': fs.readFileSync(path.join(MNIST, 'mnist-8.onnx')),
    'data/mnist_test.csv.gz': fs.readFileSync(path.join(MNIST, 'mnist_test.csv.gz')),
    'modeldeploy.yaml': `name: mnist
version: 8.0.0
model: model/mnist-8.onnx
task: classification
validation:
  data: data/mnist_test.csv.gz
  target: label
  input: { name: Input3, shape: [-1, 1, 28, 28] }
  metrics: [accuracy, f1_macro, roc_auc, log_loss]
${extraConfig}`,
  });
}

/** Writes the MNIST model with its batch dimension fixed at `size` instead of 1 (the shapes between are inferred again). */
export function writeMnistOfBatch(size: number, target: string): void {
  const model = onnx.ModelProto.decode(fs.readFileSync(path.join(MNIST, 'mnist-8.onnx')));
  for (const value of [model.graph!.input![0], model.graph!.output![0]]) value.type!.tensorType!.shape!.dim![0] = onnx.TensorShapeProto.Dimension.create({ dimValue: size });
  model.graph!.valueInfo = [];
  fs.writeFileSync(target, onnx.ModelProto.encode(model).finish());
}
