import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cli } from '../support/cliProcess';
import { makeMnistProject } from '../support/mnistProject';
import { makeProject, REPO_ROOT, SHARED_DATA } from '../support/projectFixture';


describe('the modeldeploy command line', function () {
  this.timeout(120_000);

  it('prints its usage with --help and exits 0', () => {
    const run = cli(['--help']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /usage: modeldeploy <command>/);
    for (const command of ['init', 'inspect', 'validate']) assert.match(run.stdout, new RegExp(`^  ${command} `, 'm'));
  });

  it('prints the version of package.json with --version, as text and as JSON, and exits 0', () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    const text = cli(['--version']);
    assert.equal(text.code, 0);
    assert.equal(text.stdout, `modeldeploy ${version}\n`);
    const json = cli(['--version', '--json']);
    assert.equal(json.code, 0);
    assert.deepEqual(JSON.parse(json.stdout), { version });
  });

  it('exits 2 on a --port that is not a port number, before doing anything', () => {
    const run = cli(['run', '--port', '99999']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /error: --port 99999 is not a port number from 1 to 65535/);
  });

  it('exits 2 with a hint on an unknown command', () => {
    const run = cli(['deploi']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /error: unknown command "deploi"/);
  });

  describe('on the MNIST project', () => {
    let project: { dir: string; cleanup: () => void };
    before(() => {
      project = makeMnistProject();
    });
    after(() => project.cleanup());

    it('inspect --json prints the inputs and outputs', () => {
      const run = cli(['inspect', '--project', project.dir, '--json']);
      assert.equal(run.code, 0, run.stderr);
      const info = JSON.parse(run.stdout);
      assert.deepEqual(
        info.inputs.map((i: { name: string; type: string; shape: unknown[] }) => [i.name, i.type, i.shape]),
        [['Input3', 'float32', [1, 1, 28, 28]]],
      );
      assert.deepEqual(info.outputs[0].shape, [1, 10]);
      assert.equal(info.sha256, 'ddd007b8b9b1e79c323e0b090266409dc73ba8e137c192a163148c908222ed11');
    });

    it('validate --json prints the metrics, rows, speed and hashes', () => {
      const run = cli(['validate', '--project', project.dir, '--json']);
      assert.equal(run.code, 0, run.stderr);
      const report = JSON.parse(run.stdout);
      assert.ok(Math.abs(report.metrics.accuracy - 0.989) <= 0.0005, `accuracy ${report.metrics.accuracy}`);
      assert.equal(report.rows, 10_000);
      assert.ok(report.rowsPerSecond > 0);
      assert.match(report.dataSha256, /^[0-9a-f]{64}$/);
      assert.equal(report.modelSha256, 'ddd007b8b9b1e79c323e0b090266409dc73ba8e137c192a163148c908222ed11');
    });

    it('validate prints a table of metrics and the confusion matrix', () => {
      const run = cli(['validate', '--project', project.dir]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^accuracy\s+0\.989\d$/m);
      assert.match(run.stdout, /confusion matrix/);
      assert.match(run.stdout, /wrote .*\.modeldeploy\/metrics\/8\.0\.0\.json/);
    });
  });

  describe('reports a user\'s mistakes in one line each, exit 2, no stack trace', () => {
    it('a config with a typo: file:line:col', () => {
      const project = makeProject({ 'm.onnx': 'x', 'modeldeploy.yaml': 'name: a\nversion: 1.0.0\nmodle: m.onnx\ntask: raw\n' });
      try {
        const run = cli(['inspect'], { cwd: project.dir });
        assert.equal(run.code, 2);
        assert.equal(run.stderr, 'error: modeldeploy.yaml:3:1: unknown key "modle". did you mean "model"?\n');
      } finally {
        project.cleanup();
      }
    });

    it('a model that is not ONNX', () => {
      const project = makeProject({ 'm.onnx': 'not a model', 'modeldeploy.yaml': 'name: a\nversion: 1.0.0\nmodel: m.onnx\ntask: raw\n' });
      try {
        const run = cli(['inspect', '--project', project.dir]);
        assert.equal(run.code, 2);
        assert.match(run.stderr, /^error: .*m\.onnx: not an ONNX model .*export the model to ONNX/);
        assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
      } finally {
        project.cleanup();
      }
    });

    it('a data file whose columns do not match the model', () => {
      const project = makeProject({
        'model/mnist.onnx': fs.readFileSync(path.join(SHARED_DATA, 'mnist', 'mnist-8.onnx')),
        'data.csv': 'label,a,b,c\n1,0,0,0\n',
        'modeldeploy.yaml': 'name: a\nversion: 1.0.0\nmodel: model/mnist.onnx\ntask: classification\nvalidation:\n  data: data.csv\n  target: label\n',
      });
      try {
        const run = cli(['validate', '--project', project.dir]);
        assert.equal(run.code, 2);
        // The field the message is about is given its line in the config.
        assert.match(run.stderr, /^error: .*modeldeploy\.yaml:5:1: model input "Input3" takes 784 values per row \(shape \[-1, 1, 28, 28\]\) but the data gives 3 feature columns/);
      } finally {
        project.cleanup();
      }
    });

    it('a data file that does not exist is caught by the config check', () => {
      const project = makeProject({ 'm.onnx': 'x', 'modeldeploy.yaml': 'name: a\nversion: 1.0.0\nmodel: m.onnx\ntask: classification\nvalidation:\n  data: missing.csv\n  target: y\n' });
      try {
        const run = cli(['validate', '--project', project.dir]);
        assert.equal(run.code, 2);
        assert.match(run.stderr, /modeldeploy\.yaml:6:9: validation data file "missing\.csv" does not exist/);
      } finally {
        project.cleanup();
      }
    });

    it('a folder without a project', () => {
      const project = makeProject({ 'readme.txt': '' });
      try {
        const run = cli(['validate', '--project', project.dir]);
        assert.equal(run.code, 2);
        assert.match(run.stderr, /no modeldeploy\.yaml in .*Initialize Project/);
      } finally {
        project.cleanup();
      }
    });
  });

  it('init writes a config that then loads', () => {
    const project = makeProject({ 'models/digits.onnx': fs.readFileSync(path.join(SHARED_DATA, 'mnist', 'mnist-8.onnx')) });
    try {
      const run = cli(['init', '--project', project.dir]);
      assert.equal(run.code, 0, run.stderr);
      const config = fs.readFileSync(path.join(project.dir, 'modeldeploy.yaml'), 'utf8');
      assert.match(config, /^model: models\/digits\.onnx$/m);
      assert.match(config, /^task: classification/m);
      assert.match(config, /input\s+Input3: float32 \[1, 1, 28, 28\]/);
      assert.equal(cli(['inspect', '--project', project.dir]).code, 0);
      const again = cli(['init', '--project', project.dir]);
      assert.equal(again.code, 2);
      assert.match(again.stderr, /modeldeploy\.yaml already exists/);
    } finally {
      project.cleanup();
    }
  });
});
