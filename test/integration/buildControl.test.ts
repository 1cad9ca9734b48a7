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

describe('build control on the real Docker engine: cancel and idle timeout', () => {
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
    slowDockerfile(project.dir, 60);
    const abort = new AbortController();
    const started = Date.now();
    await assert.rejects(
      buildImage(engine, config, { model, signal: abort.signal, onOutput: (line) => line.includes('RUN') && abort.abort() }),
      (error) => error instanceof CancelledError,
    );
    assert.ok(Date.now() - started < 20_000, 'it did not wait for the step');
    assert.equal((await docker.getImage(`${config.name}:${config.version}`).inspect()).Id, previous.id);
    // The engine removes the step's container once it notices the client left.
    for (let i = 0; i < 50 && (await allContainerIds()).size > before.size; i++) await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(await allContainerIds(), before);
  });

  it('a build that the engine leaves silent past the idle timeout is stopped with a clear message', async () => {
    const config = loadProject(project.dir);
    slowDockerfile(project.dir, 30);
    const before = await allContainerIds();
    await assert.rejects(
      buildImage(await connectEngine(), config, { model: await inspectModel(config.model), idleTimeoutMs: 1500 }),
      (error) => error instanceof UserError && /got no answer from the Docker engine for 2 s and was stopped/.test(error.message),
    );
    for (let i = 0; i < 50 && (await allContainerIds()).size > before.size; i++) await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(await allContainerIds(), before);
  });
});
