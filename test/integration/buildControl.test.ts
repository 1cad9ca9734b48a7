import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { connectEngine } from '../../src/core/engine/dockerEngine';
import { CancelledError, UserError } from '../../src/core/errors';
import { buildImage } from '../../src/core/packaging/buildImage';
import { generateDockerfile } from '../../src/core/packaging/dockerfile';
import { runtimeImageTag } from '../../src/core/packaging/runtimeImage';
import { loadProject } from '../../src/core/project/loadProject';
import { inspectInWorker } from '../../src/core/worker/inspectInWorker';
import { REPO_ROOT } from '../support/projectFixture';
import { writeUnloadableModel } from '../support/unloadableModel';
import { allContainerIds, docker, exampleProject, imageIdOf, strayContainers, type TestProject } from './engineFixture';

/** A project Dockerfile with a step that stays silent for `seconds`. */
function slowDockerfile(dir: string, seconds: number): void {
  fs.writeFileSync(path.join(dir, 'Dockerfile'), `${generateDockerfile()}RUN ["node", "-e", "setTimeout(() => {}, ${seconds * 1000})"]\n`);
}

/** Waits until no container this project's build made since `before` is left (a builder may remove a step's container late). */
async function settlesTo(before: Set<string>, project: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let left = await strayContainers(before, project);
  while (left.length && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    left = await strayContainers(before, project);
  }
  assert.deepEqual(left, [], 'containers left behind');
}

describe('build control on the real Docker engine: cancel, idle timeout, a model onnxruntime refuses', function () {
  this.timeout(120_000);

  let project: TestProject;
  // Builds made from the compiled core (not the CLI bundle) use the runtime version "dev", so their
  // runtime image is made for these tests: removed afterwards unless it was there before.
  let devRuntime: string;
  let devRuntimeWasThere: boolean;
  before(async () => {
    project = exampleProject('iris');
    const config = loadProject(project.dir);
    devRuntime = runtimeImageTag(await docker.getImage(config.image.base).inspect(), config, 'dev', REPO_ROOT);
    devRuntimeWasThere = (await imageIdOf(devRuntime)) !== undefined;
  });
  after(async () => {
    await project.cleanup();
    if (!devRuntimeWasThere) await docker.getImage(devRuntime).remove().catch(() => undefined);
  });

  it('a cancelled build stops at once, keeps the previous image and leaves no container', async () => {
    const config = loadProject(project.dir);
    const engine = await connectEngine();
    const previous = await buildImage(engine, config, { inspection: inspectInWorker(config.model) });
    assert.equal(previous.runtimeImage, devRuntime);
    const before = await allContainerIds();
    slowDockerfile(project.dir, 12);
    const abort = new AbortController();
    let stepStarted = false;
    const building = buildImage(engine, config, { inspection: inspectInWorker(config.model), signal: abort.signal, onOutput: (line) => (stepStarted ||= line.includes('RUN')) });
    building.catch(() => undefined);
    // Cancel while the slow step runs, so that what happens to it is what the test sees.
    const deadline = Date.now() + 60_000;
    while (!stepStarted && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(stepStarted, 'the slow step started');
    await new Promise((resolve) => setTimeout(resolve, 500));
    abort.abort();
    // The step sleeps 12 s: a build that ignored the cancel would end "built", one that waited for the
    // step would still be running when the 10 s guard settles.
    const guard = new Promise<string>((resolve) => setTimeout(() => resolve('still running after 10 s'), 10_000).unref());
    const outcome = await Promise.race([building.then(() => 'built', (error) => (error instanceof CancelledError ? 'cancelled' : String(error))), guard]);
    assert.equal(outcome, 'cancelled');
    assert.equal((await docker.getImage(`${config.name}:${config.version}`).inspect()).Id, previous.id);
    await settlesTo(before, config.name, 60_000);
  });

  it('a build that the engine leaves silent past the idle timeout is stopped with a clear message', async () => {
    const config = loadProject(project.dir);
    slowDockerfile(project.dir, 8);
    const before = await allContainerIds();
    await assert.rejects(
      buildImage(await connectEngine(), config, { inspection: inspectInWorker(config.model), idleTimeoutMs: 1500 }),
      (error) => error instanceof UserError && /got no answer from the Docker engine for 2 s and was stopped/.test(error.message),
    );
    await settlesTo(before, config.name, 60_000);
  });

  // A refusal during the build stops it (a slow step keeps the build going long enough to see that); a
  // large model's load can outlast a model-only build, which the delayed refusal stands for.
  for (const refusal of ['during the build', 'after the build finished']) {
    it(`a model that onnxruntime cannot load fails the build with its reason (${refusal}), keeps the previous image and leaves no image`, async () => {
      const config = loadProject(project.dir);
      fs.rmSync(path.join(project.dir, 'Dockerfile'), { force: true });
      fs.copyFileSync(path.join(REPO_ROOT, 'examples', 'iris', 'model', path.basename(config.model)), config.model);
      const engine = await connectEngine();
      const previous = await buildImage(engine, config, { inspection: inspectInWorker(config.model) });
      const imagesBefore = new Set((await docker.listImages({ all: true })).map((i) => i.Id));
      writeUnloadableModel(config.model);
      if (refusal === 'during the build') slowDockerfile(project.dir, 30);
      const inspection = inspectInWorker(config.model);
      let built = false;
      const onOutput = (line: string) => (built ||= /exporting to image: done/.test(line));
      if (refusal !== 'during the build') inspection.loaded = inspection.loaded.catch(async (error) => {
        while (!built) await new Promise((resolve) => setTimeout(resolve, 20));
        throw error;
      });
      await assert.rejects(
        buildImage(engine, config, { inspection, onOutput }),
        (error) => error instanceof UserError && /onnxruntime cannot load the model/.test(error.message) && error.location?.file === config.model,
      );
      assert.equal(built, refusal !== 'during the build', 'the refusal came when this case says');
      fs.rmSync(path.join(project.dir, 'Dockerfile'), { force: true });
      assert.equal((await docker.getImage(`${config.name}:${config.version}`).inspect()).Id, previous.id, 'the tag still names the previous image');
      const made = (await docker.listImages({ all: true })).filter((i) => !imagesBefore.has(i.Id) && i.Labels?.['modeldeploy.project'] === config.name);
      assert.deepEqual(made.map((i) => i.Id), [], 'no image of the refused model is left');
    });
  }
});
