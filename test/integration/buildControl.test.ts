import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { connectEngine } from '../../src/core/engine/dockerEngine';
import { CancelledError, UserError } from '../../src/core/errors';
import { inspectModel } from '../../src/core/model/inspectModel';
import { buildImage } from '../../src/core/packaging/buildImage';
import { generateDockerfile } from '../../src/core/packaging/dockerfile';
import { loadProject } from '../../src/core/project/loadProject';
import { allContainerIds, docker, exampleProject, type TestProject } from './engineFixture';

/** A project Dockerfile with a step that stays silent for `seconds`. */
function slowDockerfile(dir: string, seconds: number): void {
  fs.writeFileSync(path.join(dir, 'Dockerfile'), `${generateDockerfile()}RUN ["node", "-e", "setTimeout(() => {}, ${seconds * 1000})"]\n`);
}

/** Waits until no container made since `before` is left (a builder may remove a step's container late). */
async function settlesTo(before: Set<string>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let now = await allContainerIds();
  while ([...now].some((id) => !before.has(id)) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    now = await allContainerIds();
  }
  assert.deepEqual([...now].filter((id) => !before.has(id)), [], 'containers left behind');
}

describe('build control on the real Docker engine: cancel and idle timeout', function () {
  this.timeout(120_000);

  let project: TestProject;
  before(() => {
    project = exampleProject('iris');
  });
  after(async () => project.cleanup());

  it('a cancelled build stops at once, keeps the previous image and leaves no container', async () => {
    const config = loadProject(project.dir);
    const engine = await connectEngine();
    const model = await inspectModel(config.model);
    const previous = await buildImage(engine, config, { model });
    const before = await allContainerIds();
    slowDockerfile(project.dir, 12);
    const abort = new AbortController();
    let stepStarted = false;
    const building = buildImage(engine, config, { model, signal: abort.signal, onOutput: (line) => (stepStarted ||= line.includes('RUN')) });
    building.catch(() => undefined);
    // Cancel while the slow step runs, so that what happens to it is what the test sees.
    const deadline = Date.now() + 60_000;
    while (!stepStarted && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(stepStarted, 'the slow step started');
    await new Promise((resolve) => setTimeout(resolve, 500));
    const started = Date.now();
    abort.abort();
    await assert.rejects(building, (error) => error instanceof CancelledError);
    assert.ok(Date.now() - started < 5_000, 'the cancel did not wait for the 12 s step');
    assert.equal((await docker.getImage(`${config.name}:${config.version}`).inspect()).Id, previous.id);
    await settlesTo(before, 60_000);
  });

  it('a build that the engine leaves silent past the idle timeout is stopped with a clear message', async () => {
    const config = loadProject(project.dir);
    slowDockerfile(project.dir, 8);
    const before = await allContainerIds();
    await assert.rejects(
      buildImage(await connectEngine(), config, { model: await inspectModel(config.model), idleTimeoutMs: 1500 }),
      (error) => error instanceof UserError && /got no answer from the Docker engine for 2 s and was stopped/.test(error.message),
    );
    await settlesTo(before, 60_000);
  });
});
