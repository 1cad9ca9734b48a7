import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { generateDockerfile } from '../../src/core/packaging/dockerfile';
import { cli, type CliRun } from '../support/cliProcess';
import { allContainerIds, containersOf, docker, exampleProject, type TestProject } from './engineFixture';

/** A clear failure: exit 2, one error line saying what and where, no stack trace. */
function assertUserError(run: CliRun, pattern: RegExp): void {
  assert.equal(run.code, 2, `exit code; stderr: ${run.stderr}`);
  assert.match(run.stderr, pattern);
  assert.doesNotMatch(run.stderr, /^\s+at /m, 'no stack trace');
}

async function imageId(reference: string): Promise<string | undefined> {
  return docker
    .getImage(reference)
    .inspect()
    .then((i) => i.Id, () => undefined);
}

describe('failures on the real Docker engine give clear errors and leave nothing behind', () => {
  let project: TestProject;
  let built: string;
  beforeEach(() => {
    project = exampleProject('iris');
  });
  afterEach(async () => project.cleanup());

  const buildOnce = () => {
    const run = cli(['build', '--json', '--project', project.dir]);
    assert.equal(run.code, 0, run.stderr);
    built = (JSON.parse(run.stdout) as { id: string }).id;
  };

  it('an invalid project Dockerfile: the message names the file and line; the previous image stays under the tag', async () => {
    buildOnce();
    const before = await allContainerIds();
    fs.writeFileSync(path.join(project.dir, 'Dockerfile'), `${generateDockerfile()}FORM nothing\n`);
    const line = generateDockerfile().split('\n').length;
    const run = cli(['build', '--project', project.dir]);
    assertUserError(run, new RegExp(`error: \\S*Dockerfile:${line}: the image build failed: .*unknown instruction: FORM.*\\. fix Dockerfile, or delete it`, 'i'));
    assert.equal(await imageId(`${project.name}:2.0.0`), built);
    assert.deepEqual(await allContainerIds(), before);
  });

  it('a failing build step: the message carries the step output; no intermediate container is left', async () => {
    buildOnce();
    const before = await allContainerIds();
    fs.writeFileSync(path.join(project.dir, 'Dockerfile'), `${generateDockerfile()}RUN ["node", "-e", "console.error('step broke'); process.exit(4)"]\n`);
    const run = cli(['build', '--project', project.dir]);
    assertUserError(run, /the image build failed: .*(exit code|non-zero code): 4/);
    assert.equal(await imageId(`${project.name}:2.0.0`), built);
    assert.deepEqual(await allContainerIds(), before);
  });

  it('a base image that is missing offline: the message names the image and the config line, and no image is made', async () => {
    fs.appendFileSync(path.join(project.dir, 'modeldeploy.yaml'), 'image:\n  base: modeldeploy-test/missing-base:1\n');
    const run = cli(['build', '--project', project.dir]);
    assertUserError(run, /modeldeploy\.yaml:\d+:\d+: the base image modeldeploy-test\/missing-base:1 is not in the local Docker engine and cannot be pulled: .*docker pull modeldeploy-test\/missing-base:1/);
    assert.equal(await imageId(`${project.name}:2.0.0`), undefined);
  });

  it('a port already taken: the message names it and the container is removed', async () => {
    buildOnce();
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const run = cli(['run', '--port', String(port), '--project', project.dir]);
      assertUserError(run, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already taken\\. choose another port`));
      assert.deepEqual(await containersOf(project.name), []);
    } finally {
      server.close();
    }
  });

  it('a container that exits at start: the message has its exit code and last output, and it is removed', async () => {
    fs.writeFileSync(path.join(project.dir, 'Dockerfile'), `${generateDockerfile()}CMD ["node", "-e", "console.error('model store unreachable'); process.exit(3)"]\n`);
    buildOnce();
    const run = cli(['run', '--project', project.dir]);
    assertUserError(run, /the container exited at start with code 3; its last output: model store unreachable/);
    assert.deepEqual(await containersOf(project.name), []);
  });

  it('an engine that does not answer: exit 2 naming the address and how to start Docker', () => {
    const run = cli(['build', '--project', project.dir], { env: { DOCKER_HOST: 'unix:///tmp/modeldeploy-no-engine.sock' } });
    assertUserError(run, /the Docker engine at unix:\/\/\/tmp\/modeldeploy-no-engine\.sock does not answer .*start Docker/);
  });

  it('run before build: exit 2 saying to build first', async () => {
    const run = cli(['run', '--project', project.dir]);
    assertUserError(run, /the Docker engine has no image it-iris-[0-9a-f]+:2\.0\.0\. build it first/);
    assert.deepEqual(await containersOf(project.name), []);
  });
});
