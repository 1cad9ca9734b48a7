import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { scorePair } from '../../src/core/deploy/scorePair';
import { UserError } from '../../src/core/errors';
import { loadProject } from '../../src/core/project/loadProject';
import { makeMnistProject, writeMnistOfBatch } from '../support/mnistProject';
import { SHARED_DATA } from '../support/projectFixture';

const argmaxAccuracy = (scores: Float64Array, targets: Float64Array, width: number) => {
  let right = 0;
  for (let r = 0; r < targets.length; r++) {
    const row = scores.subarray(r * width, (r + 1) * width);
    if (row.indexOf(Math.max(...row)) === targets[r]) right++;
  }
  return right / targets.length;
};

describe('scorePair: the deployed and the candidate model over the same validation rows, for the diff', function () {
  this.timeout(120_000);
  let project: { dir: string; cleanup: () => void };
  before(() => {
    project = makeMnistProject();
  });
  after(() => project.cleanup());

  it('pairs every row of the MNIST test set: the deployed model on its own thread answers what the candidate does, to the last bit', async () => {
    // The deployed model takes two rows a run and the candidate one, so the rows are cut differently on each side.
    const deployed = path.join(project.dir, 'model', 'deployed-batch-2.onnx');
    writeMnistOfBatch(2, deployed);
    const config = loadProject(project.dir);
    const paired = await scorePair(config, deployed, config.model);
    assert.equal(paired.rows, 10_000);
    assert.equal(paired.width, 10);
    assert.equal(paired.deployed.length, 100_000);
    assert.deepEqual(paired.deployed, paired.candidate);
    const labels = gunzipSync(fs.readFileSync(path.join(SHARED_DATA, 'mnist', 'mnist_test.csv.gz'))).toString().trim().split('\n').slice(1).map((line) => Number(line.split(',')[0]));
    assert.deepEqual(Array.from(paired.targets), labels, 'the targets in file order');
    assert.equal(argmaxAccuracy(paired.candidate, paired.targets, 10), 0.9891, "the Model Zoo's published accuracy");
  });

  it('names the deployed model file when it cannot be read, as the candidate\'s would be', async () => {
    const config = loadProject(project.dir);
    const missing = path.join(project.dir, 'model', 'gone.onnx');
    await assert.rejects(scorePair(config, missing, config.model), (error: Error) => {
      assert.ok(error instanceof UserError, `a UserError, not ${error.constructor.name}`);
      assert.match(error.message, /model file does not exist/);
      assert.equal(error.location?.file, missing);
      return true;
    });
  });
});
