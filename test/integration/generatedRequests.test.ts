import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { probe } from '../../src/core/container/waitReady';
import { cli } from '../support/cliProcess';
import { FIXTURE_MODELS, makeProject, REPO_ROOT } from '../support/projectFixture';
import { exampleProject, uniqueName, withCleanup, type TestProject } from './engineFixture';

/** A project around a fixture model, with no sample: predict makes its request from the model. */
function fixtureProject(model: string): TestProject {
  const name = uniqueName(`it-${model}`);
  const copy = makeProject({
    [`model/${model}.onnx`]: fs.readFileSync(path.join(FIXTURE_MODELS, `${model}.onnx`)),
    'modeldeploy.yaml': `name: ${name}\nversion: 1.0.0\nmodel: model/${model}.onnx\ntask: raw\n`,
  });
  return withCleanup(copy.dir, name, copy.cleanup);
}

describe('test predictions made from the model, and the parity check failing', () => {
  for (const model of ['two-inputs', 'int64-scalar', 'symbolic-dims']) {
    it(`${model}: a request made from the model's inputs is answered by the container as in-process`, async () => {
      const project = fixtureProject(model);
      try {
        assert.equal(cli(['build', '--project', project.dir]).code, 0);
        assert.equal(cli(['run', '--project', project.dir]).code, 0);
        const run = cli(['predict', '--json', '--project', project.dir]);
        assert.equal(run.code, 0, run.stderr);
        const result = JSON.parse(run.stdout) as { response: { outputs: { data: number[] }[] }; parity: { maxAbsDiff: number } };
        assert.ok(result.response.outputs.length > 0);
        assert.equal(result.parity.maxAbsDiff, 0);
      } finally {
        await project.cleanup();
      }
    });
  }

  describe('a server answering with another model than the project has', () => {
    let server: ChildProcess;
    let url: string;
    let project: TestProject;

    before(async () => {
      project = exampleProject('iris');
      // The iris v1 and v2 models take the same input: serving v1 under the v2 project's name is the fault.
      server = spawn(process.execPath, [path.join(REPO_ROOT, 'dist', 'runtime.js')], {
        env: { ...process.env, MODELDEPLOY_MODEL: path.join(project.dir, 'model', 'iris-v1.onnx'), MODELDEPLOY_NAME: project.name, MODELDEPLOY_HOST: '127.0.0.1', MODELDEPLOY_PORT: '0' },
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      // Port 0: the server takes a free one and says which in its "listening" line.
      url = await new Promise<string>((resolve) => server.stdout!.on('data', (chunk: Buffer) => /"url":"([^"]+)"/.test(chunk.toString()) && resolve(/"url":"([^"]+)"/.exec(chunk.toString())![1])));
      for (let i = 0; i < 100 && (await probe(`${url}/v2/health/ready`, 500)) !== 200; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    });
    after(async () => {
      server.kill();
      await project.cleanup();
    });

    it('predict fails with exit 3 and prints the difference', () => {
      const run = cli(['predict', '--url', url, '--project', project.dir]);
      assert.equal(run.code, 3, run.stderr);
      assert.match(run.stdout, /parity with in-process onnxruntime: max \|difference\| [\d.]+ \(FAILED, tolerance 0\.00001\)/);
    });
  });
});
