import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import { cli } from '../support/cliProcess';
import { REPO_ROOT } from '../support/projectFixture';
import { docker, exampleProject, type TestProject } from './engineFixture';

/** A port nothing listens on now (taken from the kernel and given back). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('run --port, a second run, and logs --follow on the real Docker engine', () => {
  let project: TestProject;
  before(() => {
    project = exampleProject('iris');
    assert.equal(cli(['build', '--project', project.dir]).code, 0);
  });
  after(async () => project.cleanup());

  it('run --port publishes on that port of 127.0.0.1, and a second run replaces the first container', async () => {
    const port = await freePort();
    const first = cli(['run', '--json', '--port', String(port), '--project', project.dir]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal((JSON.parse(first.stdout) as { url: string }).url, `http://127.0.0.1:${port}`);
    const second = cli(['run', '--json', '--project', project.dir]);
    assert.equal(second.code, 0, second.stderr);
    const running = await docker.listContainers({ filters: { label: [`modeldeploy.project=${project.name}`] } });
    assert.equal(running.length, 1, 'one local container per project');
    assert.equal(running[0].Id, (JSON.parse(second.stdout) as { container: string }).container);
  });

  it('logs --follow prints the output as it comes and ends cleanly on Ctrl+C', async () => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'dist', 'cli.js'), 'logs', '--follow', '--project', project.dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('"message":"ready"')) resolve();
      }),
    );
    const predict = cli(['predict', '--project', project.dir]);
    assert.equal(predict.code, 0, predict.stderr);
    await new Promise<void>((resolve) => {
      const check = () => (output.includes(`"path":"/v2/models/${project.name}/infer"`) ? resolve() : setTimeout(check, 50));
      check();
    });
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 0);
  });
});
