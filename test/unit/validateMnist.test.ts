import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { CancelledError } from '../../src/core/errors';
import { openScoringModel } from '../../src/core/model/inspectModel';
import { onnxRuntime } from '../../src/core/model/onnxRuntime';
import type { DataBatch } from '../../src/core/validation/dataReader';
import { ClassificationScorer } from '../../src/core/validation/scorers';
import { formatValidationReport } from '../../src/core/report/validationReport';
import { loadProject } from '../../src/core/project/loadProject';
import { validateProject } from '../../src/core/validation/validateProject';
import { makeMnistProject } from '../support/mnistProject';
import { SHARED_DATA } from '../support/projectFixture';

describe('validate on the real MNIST model and test set', function () {
  this.timeout(120_000);
  let project: { dir: string; cleanup: () => void };
  before(() => {
    project = makeMnistProject();
  });
  after(() => project.cleanup());

  it('reproduces the Model Zoo\'s published accuracy of 0.989 on all 10,000 rows', async () => {
    const progress: number[] = [];
    const report = await validateProject(loadProject(project.dir), { onProgress: (p) => progress.push(p.rows) });
    assert.equal(report.rows, 10_000);
    assert.ok(Math.abs(report.metrics.accuracy - 0.989) <= 0.0005, `accuracy ${report.metrics.accuracy}`);
    assert.deepEqual(Object.keys(report.metrics).sort(), ['accuracy', 'f1_macro', 'log_loss', 'roc_auc']);
    assert.ok(report.metrics.roc_auc > 0.99 && report.metrics.roc_auc <= 1, `roc_auc ${report.metrics.roc_auc}`);
    assert.equal(report.classification?.scores, 'softmax', 'MNIST gives raw scores, so softmax is applied');
    assert.equal(report.classification?.confusionMatrix.flat().reduce((a, b) => a + b, 0), 10_000);
    assert.equal(report.input.batchSize, 1, 'the batch dimension is fixed at 1: row by row');
    assert.equal(report.modelSha256, 'ddd007b8b9b1e79c323e0b090266409dc73ba8e137c192a163148c908222ed11');
    const dataSha = createHash('sha256').update(fs.readFileSync(path.join(SHARED_DATA, 'mnist', 'mnist_test.csv.gz'))).digest('hex');
    assert.equal(report.dataSha256, dataSha);
    assert.equal(progress.at(-1), 10_000);
    assert.ok(report.rowsPerSecond > 0);

    assert.equal(report.file, path.join(project.dir, '.modeldeploy', 'metrics', '8.0.0.json'));
    const stored = JSON.parse(fs.readFileSync(report.file, 'utf8'));
    assert.equal(stored.metrics.accuracy, report.metrics.accuracy);
    assert.equal(stored.rows, 10_000);
  });

  it('scores rows on a second session as well, and gives, to the last bit, the metrics of one session scoring every row in order', async () => {
    const config = loadProject(project.dir);
    const report = await validateProject(config);
    // The second session starts with the first and is handed rows once it is ready, long before 10,000 rows are through.
    assert.ok((report.secondSessionRows ?? 0) > 0, `rows scored on the second session: ${report.secondSessionRows}`);
    assert.ok(report.secondSessionRows! < 10_000);
    assert.match(formatValidationReport(report), new RegExp(`rows/s, ${report.secondSessionRows} of them on a second session\\)`));

    const lines = gunzipSync(fs.readFileSync(path.join(SHARED_DATA, 'mnist', 'mnist_test.csv.gz'))).toString().trim().split('\n').slice(1);
    const batch: DataBatch = { features: new Float64Array(lines.length * 784), targets: [], lines: Int32Array.from(lines, (_, i) => i + 2), count: lines.length };
    lines.forEach((line, row) => {
      const [label, ...pixels] = line.split(',');
      batch.targets.push(label);
      batch.features.set(pixels.map(Number), row * 784);
    });
    const { session } = await openScoringModel(config.model);
    const scorer = new ClassificationScorer(config.validation!.data, undefined);
    const ort = onnxRuntime();
    for (let row = 0; row < batch.count; row++) {
      const input = new ort.Tensor('float32', Float32Array.from(batch.features.subarray(row * 784, (row + 1) * 784)), [1, 1, 28, 28]);
      scorer.add(session.run({ Input3: input }, { Plus214_Output_0: null }).Plus214_Output_0, batch, row, 1);
    }
    session.release();
    const alone = scorer.result(config.validation!.metrics);
    assert.deepEqual(report.metrics, alone.metrics);
    assert.deepEqual(report.classification, alone.classification);
  });

  it('applies validation.input.scale (pixels scaled to 0-1 give 0.9890 where 0-255 give 0.9891)', async () => {
    const unscaled = await validateProject(loadProject(project.dir));
    const scaled = makeMnistProject().dir;
    fs.writeFileSync(path.join(scaled, 'modeldeploy.yaml'), fs.readFileSync(path.join(scaled, 'modeldeploy.yaml'), 'utf8').replace('shape: [-1, 1, 28, 28] }', 'shape: [-1, 1, 28, 28], scale: 0.00392156862745098 }'));
    try {
      const report = await validateProject(loadProject(scaled));
      // Both figures are those the data's README gives; the scores, and so the log loss, move much more.
      assert.equal(unscaled.metrics.accuracy, 0.9891);
      assert.equal(report.metrics.accuracy, 0.989);
      assert.ok(Math.abs(report.metrics.log_loss - unscaled.metrics.log_loss) > 0.01, `log loss ${report.metrics.log_loss} scaled, ${unscaled.metrics.log_loss} not`);
    } finally {
      fs.rmSync(scaled, { recursive: true, force: true });
    }
  });

  it('stops when cancelled and writes no report', async () => {
    const config = loadProject(project.dir);
    const abort = new AbortController();
    const metrics = path.join(project.dir, '.modeldeploy', 'metrics', '8.0.0.json');
    fs.rmSync(metrics, { force: true });
    const run = validateProject(config, { signal: abort.signal, onProgress: () => abort.abort() });
    await assert.rejects(run, CancelledError);
    assert.equal(fs.existsSync(metrics), false);
  });
});
