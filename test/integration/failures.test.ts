import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { generateDockerfile } from '../../src/core/packaging/dockerfile';
import { cli, type CliRun } from '../support/cliProcess';
import { writeUnloadableModel } from '../support/unloadableModel';
import { assertNothingLeftBehind, containersOf, exampleProject, imageIdOf, snapshotEngine, type TestProject } from './engineFixture';

/** A clear failure: exit 2, one error line saying what and where, no stack trace. */
function assertUserError(run: CliRun, pattern: RegExp): void {
  assert.equal(run.code, 2, `exit code; stderr: ${run.stderr}`);
  assert.match(run.stderr, pattern);
  assert.doesNotMatch(run.stderr, /^\s+at /m, 'no stack trace');
  assert.doesNotMatch(run.stderr, /internal error/, 'reported as a problem to fix, not a crash');
}

describe('failures on the real Docker engine give clear errors and leave nothing behind', () => {
  let project: TestProject;
  let built: string;
  beforeEach(() => {
    project = exampleProject('iris');
  });
  afterEach(async () => project.cleanup());

  const tag = () => `${project.name}:2.0.0`;
  const buildOnce = () => {
    const run = cli(['build', '--json', '--project', project.dir]);
    assert.equal(run.code, 0, run.stderr);
    built = (JSON.parse(run.stdout) as { id: string }).id;
  };

  it('an invalid project Dockerfile: the message names the file and line; the previous image stays under the tag', async () => {
    buildOnce();
    const before = await snapshotEngine(project.name, tag());
    assert.equal(before.tagged, built);
    fs.writeFileSync(path.join(project.dir, 'Dockerfile'), `${generateDockerfile()}FORM nothing\n`);
    const line = generateDockerfile().split('\n').length;
    const run = cli(['build', '--project', project.dir]);
    assertUserError(run, new RegExp(`error: \\S*Dockerfile:${line}: the image build failed: .*unknown instruction: FORM.*\\. fix Dockerfile, or delete it`, 'i'));
    await assertNothingLeftBehind(before);
  });

  it('a failing build step: the message carries the step output; no intermediate container is left', async () => {
    buildOnce();
    const before = await snapshotEngine(project.name, tag());
    fs.writeFileSync(path.join(project.dir, 'Dockerfile'), `${generateDockerfile()}RUN ["node", "-e", "console.error('step broke'); process.exit(4)"]\n`);
    const run = cli(['build', '--project', project.dir]);
    assertUserError(run, /Dockerfile: the image build failed: .*(exit code|non-zero code): 4/);
    await assertNothingLeftBehind(before);
  });

  it('a model that onnxruntime cannot load: exit 2 naming the model file and the reason; the previous image stays under the tag', async () => {
    buildOnce();
    const before = await snapshotEngine(project.name, tag());
    const model = path.join(project.dir, 'model', 'iris-v2.onnx');
    writeUnloadableModel(model);
    const run = cli(['build', '--project', project.dir]);
    assertUserError(run, /error: \S*iris-v2\.onnx: onnxruntime cannot load the model: .*NoSuchOperator/);
    await assertNothingLeftBehind(before);
  });

  it('a base image that is missing offline: the message names the image and the config line, and no image is made', async () => {
    fs.appendFileSync(path.join(project.dir, 'modeldeploy.yaml'), 'image:\n  base: modeldeploy-test/missing-base:1\n');
    const before = await snapshotEngine(project.name, tag());
    const run = cli(['build', '--project', project.dir]);
    assertUserError(run, /modeldeploy\.yaml:\d+:\d+: the base image modeldeploy-test\/missing-base:1 is not in the local Docker engine and cannot be pulled: .*docker pull modeldeploy-test\/missing-base:1/);
    await assertNothingLeftBehind(before);
    assert.equal(before.tagged, undefined);
    assert.equal(await imageIdOf('modeldeploy-test/missing-base:1'), undefined);
  });

  it('a port already taken: the message names it and the container is removed', async () => {
    buildOnce();
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const before = await snapshotEngine(project.name, tag());
      const run = cli(['run', '--port', String(port), '--project', project.dir]);
      assertUserError(run, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already taken\\. choose another port`));
      await assertNothingLeftBehind(before);
      assert.equal(before.tagged, built);
    } finally {
      server.close();
    }
  });

  it('a container that exits at start: the message has its exit code and last output, and it is removed', async () => {
    // One stream, so that the order of the two lines is the order they were written in.
    fs.writeFileSync(path.join(project.dir, 'Dockerfile'), `${generateDockerfile()}CMD ["node", "-e", "console.error('loading'); console.error('model store unreachable'); process.exit(3)"]\n`);
    buildOnce();
    const before = await snapshotEngine(project.name, tag());
    const run = cli(['run', '--project', project.dir]);
    assertUserError(run, /^error: the container exited at start with code 3; its last output: loading \| model store unreachable\. the container is removed, so this is its last output: fix what it says, then run again\n$/);
    await assertNothingLeftBehind(before);
    assertUserError(cli(['logs', '--project', project.dir]), /has no local container/);
  });

  for (const command of ['build', 'run', 'predict', 'logs', 'stop']) {
    it(`an engine that does not answer: ${command} exits 2 naming the address and how to start Docker`, async () => {
      const before = await snapshotEngine(project.name, tag());
      const run = cli([command, '--project', project.dir], { env: { DOCKER_HOST: 'unix:///tmp/modeldeploy-no-engine.sock' } });
      assertUserError(run, /^error: the Docker engine at unix:\/\/\/tmp\/modeldeploy-no-engine\.sock does not answer \(connect ENOENT [^)]*\)\. start Docker .*scripts\/provision\/docker\.sh.*DOCKER_HOST/);
      assert.equal(run.stdout, '');
      await assertNothingLeftBehind(before);
    });
  }

  it('an ssh:// engine address that refuses: build exits 2 naming it (the ssh transport, a bundle of its own, loads on first use)', async () => {
    const before = await snapshotEngine(project.name, tag());
    const run = cli(['build', '--project', project.dir], { env: { DOCKER_HOST: 'ssh://nobody@127.0.0.1:1' } });
    assertUserError(run, /^error: the Docker engine at ssh:\/\/nobody@127\.0\.0\.1:1 does not answer \(connect ECONNREFUSED 127\.0\.0\.1:1\)/m);
    await assertNothingLeftBehind(before);
  });

  it('run before build: exit 2 saying to build first', async () => {
    const before = await snapshotEngine(project.name, tag());
    const run = cli(['run', '--project', project.dir]);
    assertUserError(run, /the Docker engine has no image it-iris-[0-9a-f]+:2\.0\.0\. build it first/);
    await assertNothingLeftBehind(before);
  });

  it('predict with no running container: exit 2 saying to run one first, before sending anything', async () => {
    buildOnce();
    const before = await snapshotEngine(project.name, tag());
    for (const args of [[], ['--batch', path.join(project.dir, 'requests.jsonl')]]) {
      const run = cli(['predict', ...args, '--project', project.dir]);
      assertUserError(run, new RegExp(`^error: no local container of ${project.name} is running\\. start one with "modeldeploy run"`));
    }
    assert.equal(fs.existsSync(path.join(project.dir, 'requests.results.jsonl')), false, 'no results file');
    assert.deepEqual(await containersOf(project.name), []);
    await assertNothingLeftBehind(before);
  });
});
