import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { generateDockerfile } from '../../src/core/packaging/dockerfile';
import { cli } from '../support/cliProcess';
import { containersOf, docker, exampleProject, type TestProject } from './engineFixture';

async function listening(): Promise<net.Server> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** The project's one container: running, under the project's name, and answering predictions. */
async function assertServing(project: TestProject, id: string, port?: number): Promise<void> {
  const containers = await containersOf(project.name);
  assert.deepEqual(
    containers.map((c) => ({ id: c.Id, state: c.State })),
    [{ id, state: 'running' }],
  );
  assert.doesNotMatch(containers[0].Names[0], /-next$/);
  if (port) assert.equal(containers[0].Ports.find((p) => p.PrivatePort === 8080)?.PublicPort, port);
  const predict = cli(['predict', '--project', project.dir]);
  assert.equal(predict.code, 0, predict.stderr);
}

describe('run keeps the container that serves until the new one is ready, on the real Docker engine', () => {
  let project: TestProject;
  before(() => {
    project = exampleProject('iris');
    assert.equal(cli(['build', '--project', project.dir]).code, 0);
  });
  after(async () => project.cleanup());

  const run = (...args: string[]) => cli(['run', '--json', ...args, '--project', project.dir]);
  const idOf = (stdout: string) => (JSON.parse(stdout) as { container: string }).container;

  it('run --port on a port another process holds: exit 2 naming the port, and the running container still serves', async () => {
    const first = run();
    assert.equal(first.code, 0, first.stderr);
    const server = await listening();
    const port = (server.address() as net.AddressInfo).port;
    try {
      const taken = run('--port', String(port));
      assert.equal(taken.code, 2, taken.stderr);
      assert.match(taken.stderr, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already taken\\. choose another port`));
      assert.doesNotMatch(taken.stderr, /^\s+at /m);
    } finally {
      server.close();
    }
    await assertServing(project, idOf(first.stdout));
  });

  it('run --port on the port of the running container replaces it, under the same name', async () => {
    const server = await listening();
    const port = (server.address() as net.AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    const first = run('--port', String(port));
    assert.equal(first.code, 0, first.stderr);
    const second = run('--port', String(port));
    assert.equal(second.code, 0, second.stderr);
    assert.notEqual(idOf(second.stdout), idOf(first.stdout));
    assert.match((await docker.getContainer(idOf(second.stdout)).inspect()).Name, new RegExp(`^/modeldeploy-${project.name}-[0-9a-f]{8}$`));
    await assertServing(project, idOf(second.stdout), port);

    // An image that cannot start: the container that held the port is started again and serves.
    fs.writeFileSync(path.join(project.dir, 'Dockerfile'), `${generateDockerfile()}CMD ["node", "-e", "console.error('model store unreachable'); process.exit(3)"]\n`);
    assert.equal(cli(['build', '--project', project.dir]).code, 0);
    const failed = run('--port', String(port));
    assert.equal(failed.code, 2, failed.stderr);
    assert.match(failed.stderr, /the container exited at start with code 3; its last output: model store unreachable\..*; the container that ran before serves again\n$/);
    await assertServing(project, idOf(second.stdout), port);
  });
});
