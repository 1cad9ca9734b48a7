import * as fs from 'node:fs';
import * as path from 'node:path';
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
