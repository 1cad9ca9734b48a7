import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../../src/core/errors';
import { loadProject } from '../../src/core/project/loadProject';
import { validateProject } from '../../src/core/validation/validateProject';
import { copyExample, FIXTURE_MODELS, makeProject } from '../support/projectFixture';

describe('validate the example projects', function () {
  this.timeout(60_000);

  it('iris v2 scores above its gate and v1 clearly below it', async () => {
    const iris = copyExample('iris');
    try {
      const v2 = await validateProject(loadProject(iris.dir));
      assert.equal(v2.rows, 45);
      assert.ok(Math.abs(v2.metrics.accuracy - 42 / 45) < 1e-12, `v2 accuracy ${v2.metrics.accuracy}`);
      assert.deepEqual(Object.keys(v2.metrics), ['accuracy', 'f1_macro', 'roc_auc', 'log_loss']);
      assert.deepEqual(v2.classification?.labels, ['setosa', 'versicolor', 'virginica']);
      assert.equal(v2.classification?.scores, 'probabilities');

      const config = path.join(iris.dir, 'modeldeploy.yaml');
      fs.writeFileSync(config, fs.readFileSync(config, 'utf8').replace('version: 2.0.0', 'version: 1.0.0').replace('model: model/iris-v2.onnx', 'model: model/iris-v1.onnx'));
      const v1 = await validateProject(loadProject(iris.dir));
      assert.ok(v1.metrics.accuracy < 0.85, `v1 accuracy ${v1.metrics.accuracy}`);
      assert.ok(fs.existsSync(path.join(iris.dir, '.modeldeploy', 'metrics', '1.0.0.json')));
      assert.ok(fs.existsSync(path.join(iris.dir, '.modeldeploy', 'metrics', '2.0.0.json')));
    } finally {
      iris.cleanup();
    }
  });

  it('house-prices (a .csv.gz regression set) reports MAE, RMSE, R² and MAPE', async () => {
    const houses = copyExample('house-prices');
    try {
      const report = await validateProject(loadProject(houses.dir));
      assert.equal(report.rows, 152);
      assert.ok(report.metrics.rmse > 3 && report.metrics.rmse < 6, `rmse ${report.metrics.rmse}`);
      assert.ok(report.metrics.r2 > 0.6 && report.metrics.r2 < 1, `r2 ${report.metrics.r2}`);
      assert.ok(report.metrics.mae < report.metrics.rmse);
      assert.equal(report.classification, undefined);
    } finally {
      houses.cleanup();
    }
  });
});

describe('validate reports mismatches between model, config and data', function () {
  this.timeout(60_000);
  const model = (name: string) => fs.readFileSync(path.join(FIXTURE_MODELS, name));

  async function expectError(files: Record<string, string | Buffer>, message: RegExp, check?: (error: UserError) => void): Promise<void> {
    const project = makeProject(files);
    try {
      await assert.rejects(validateProject(loadProject(project.dir)), (error: unknown) => {
        assert.ok(error instanceof UserError, `a UserError, got ${String(error)}`);
        assert.match(error.message, message);
        check?.(error);
        return true;
      });
      assert.equal(fs.existsSync(path.join(project.dir, '.modeldeploy')), false, 'no report is written');
    } finally {
      project.cleanup();
    }
  }
  const config = (modelFile: string, extra = '') => `name: t\nversion: 1.0.0\nmodel: ${modelFile}\ntask: classification\nvalidation:\n  data: d.csv\n  target: y\n${extra}`;

  it('a target value that is not a class', () =>
    expectError({ 'm.onnx': model('fixed-batch.onnx'), 'd.csv': 'a,b,c,d,y\n1,2,3,4,0\n1,2,3,4,cat\n', 'modeldeploy.yaml': config('m.onnx') }, /target value "cat" is not a class/, (e) => {
      assert.equal(e.location?.line, 3);
      assert.match(e.hint ?? '', /labels/);
    }));

  it('labels that do not match the model\'s classes', () =>
    expectError({ 'm.onnx': model('fixed-batch.onnx'), 'd.csv': 'a,b,c,d,y\n1,2,3,4,a\n', 'modeldeploy.yaml': `${config('m.onnx')}labels: [a, b]\n` }, /the model scores 3 classes but labels names 2/));

  it('a model with two inputs', () =>
    expectError({ 'm.onnx': model('two-inputs.onnx'), 'd.csv': 'a,b,y\n1,2,0\n', 'modeldeploy.yaml': config('m.onnx') }, /the model has 2 inputs \("a", "b"\)/, (e) => assert.equal(e.location?.field, 'validation.input.name')));

  it('an output that is not a tensor', () =>
    expectError({ 'm.onnx': model('zipmap.onnx'), 'd.csv': 'a,b,c,d,y\n1,2,3,4,0\n', 'modeldeploy.yaml': config('m.onnx', '  output: output_probability\n') }, /model output "output_probability" is not a tensor/));

  it('an output of class indices instead of scores', () =>
    expectError({ 'm.onnx': model('zipmap.onnx'), 'd.csv': 'a,b,c,d,y\n1,2,3,4,0\n', 'modeldeploy.yaml': config('m.onnx', '  output: label\n') }, /holds class indices or strings, not scores/));

  it('an input name the model does not have', () =>
    expectError({ 'm.onnx': model('fixed-batch.onnx'), 'd.csv': 'a,b,c,d,y\n1,2,3,4,0\n', 'modeldeploy.yaml': config('m.onnx', '  input: { name: pixels }\n') }, /the model has no input "pixels"/, (e) => assert.match(e.hint ?? '', /"x"/)));

  it('an empty validation set', () => expectError({ 'm.onnx': model('fixed-batch.onnx'), 'd.csv': 'a,b,c,d,y\n', 'modeldeploy.yaml': config('m.onnx') }, /the validation set has no rows/));

  it('a fixed batch model is fed row by row, whatever the row count', async () => {
    const rows = Array.from({ length: 7 }, (_, i) => `${i},0,0,1,${i % 3}`).join('\n');
    const project = makeProject({ 'm.onnx': model('fixed-batch.onnx'), 'd.csv': `a,b,c,d,y\n${rows}\n`, 'modeldeploy.yaml': config('m.onnx') });
    try {
      const report = await validateProject(loadProject(project.dir));
      assert.equal(report.rows, 7);
      assert.equal(report.input.batchSize, 1);
    } finally {
      project.cleanup();
    }
  });
});
