import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cli } from '../support/cliProcess';
import { aliasBombConfig } from '../support/aliasBomb';
import { makeProject, REPO_ROOT } from '../support/projectFixture';

const ALIAS_BOMB = aliasBombConfig('model.onnx');

/** The one JSON object a --json run prints on stdout for its error. */
function jsonError(stdout: string): { message: string; location?: { file: string; line?: number }; hint?: string; exitCode: number } {
  const printed = JSON.parse(stdout) as { error?: { message: string; exitCode: number } };
  assert.ok(printed.error, stdout);
  return printed.error;
}

describe('the command line on input it must refuse clearly', function () {
  this.timeout(120_000);

  it('exits 2 with the config line on a YAML alias bomb, not as an internal error', () => {
    const project = makeProject({ 'modeldeploy.yaml': ALIAS_BOMB, 'model.onnx': 'x' });
    try {
      const run = cli(['inspect', '--project', project.dir]);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /modeldeploy\.yaml:6:\d+: YAML: its aliases \(\*a and others\) expand to too many values/);
      assert.doesNotMatch(run.stderr, /internal error/);
    } finally {
      project.cleanup();
    }
  });

  it('exits 2 saying what is wrong when modeldeploy.yaml is a folder', () => {
    const project = makeProject({ 'modeldeploy.yaml/inside.txt': '' });
    try {
      const run = cli(['inspect', '--project', project.dir, '--json']);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /modeldeploy\.yaml in .* is a folder, not a file/);
      assert.doesNotMatch(run.stderr, /EISDIR|internal error/);
      const error = jsonError(run.stdout);
      assert.equal(error.exitCode, 2);
      assert.equal(error.location?.file, path.join(project.dir, 'modeldeploy.yaml'));
    } finally {
      project.cleanup();
    }
  });

  it('--json prints one error object on stdout for every kind of failure', () => {
    const project = makeProject({ 'modeldeploy.yaml': 'name: x\nversion: 1.0.0\nmodel: model.onnx\ntask: raw\nvalidation: { data: d.csv, target: y, input: { scale: 1e400 } }\n', 'model.onnx': 'x', 'd.csv': 'a,y\n1,2\n' });
    try {
      const runs = {
        'an unknown option': cli(['inspect', '--nope', '--json']),
        'no command': cli(['--json']),
        'an unknown command': cli(['deploi', '--json']),
        'a config error': cli(['inspect', '--project', project.dir, '--json']),
        'a missing project': cli(['inspect', '--project', path.join(project.dir, 'nowhere'), '--json']),
      };
      for (const [what, run] of Object.entries(runs)) {
        assert.equal(run.code, 2, `${what}: ${run.stderr}`);
        const error = jsonError(run.stdout);
        assert.equal(error.exitCode, 2, what);
        assert.ok(error.message.length > 0, what);
      }
      const config = jsonError(runs['a config error'].stdout);
      assert.match(config.message, /"validation\.input\.scale" must be a finite number, not Infinity/);
      assert.equal(config.location?.line, 5);
    } finally {
      project.cleanup();
    }
  });

  it('accepts a model whose name starts with two dots', () => {
    const project = makeProject({ 'modeldeploy.yaml': 'name: x\nversion: 1.0.0\nmodel: ..model.onnx\ntask: raw\n' });
    try {
      fs.copyFileSync(path.join(REPO_ROOT, 'examples', 'iris', 'model', 'iris-v1.onnx'), path.join(project.dir, '..model.onnx'));
      const run = cli(['inspect', '--project', project.dir, '--json']);
      assert.equal(run.code, 0, run.stderr);
    } finally {
      project.cleanup();
    }
  });
});
