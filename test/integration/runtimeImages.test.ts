import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runEngineBuild } from '../../src/core/packaging/engineBuild';
import { cli } from '../support/cliProcess';
import { docker, exampleProject, imageIdOf, layersOf, removeProjectResources, uniqueName, type TestProject } from './engineFixture';

const DEFAULT_BASE = 'node:20-bookworm-slim';

/** A base image of its own: the default base plus one small layer, so its runtime image has layers no other has. */
async function makeBase(tag: string): Promise<void> {
  const dockerfile = `FROM ${DEFAULT_BASE}\nCOPY marker /etc/modeldeploy-test-marker\n`;
  await runEngineBuild(docker, [{ archivePath: 'Dockerfile', content: dockerfile }, { archivePath: 'marker', content: `${tag} ${randomBytes(8).toString('hex')}\n` }], { tag, platform: 'linux/amd64', onOutput: () => undefined, idleTimeoutMs: 120_000 });
}

function projectOn(base: string | undefined): TestProject {
  const project = exampleProject('iris');
  if (base) fs.appendFileSync(path.join(project.dir, 'modeldeploy.yaml'), `image:\n  base: ${base}\n`);
  return project;
}

/** Builds through the CLI; the runtime image it had to build first, if it had to. */
function build(project: TestProject): { built: string | undefined } {
  const run = cli(['build', '--project', project.dir]);
  assert.equal(run.code, 0, run.stderr);
  return { built: /building the runtime image (\S+)/.exec(run.stderr)?.[1] };
}

describe('runtime images: one per base, reused by model-only rebuilds, removed only when unused', function () {
  this.timeout(300_000);

  const baseRepo = uniqueName('modeldeploy-test/base');
  const bases = { a: `${baseRepo}:a`, b: `${baseRepo}:b`, c: `${baseRepo}:c` };
  const projects: Record<'a' | 'b' | 'c' | 'default', TestProject | undefined> = { a: undefined, b: undefined, c: undefined, default: undefined };
  const runtimes: Record<'a' | 'b' | 'c', string | undefined> = { a: undefined, b: undefined, c: undefined };

  before(async () => {
    for (const tag of Object.values(bases)) await makeBase(tag);
    // A project image on the default base, so that the runtime images this suite makes never sweep away
    // the default base's runtime image that other runs on this engine are using.
    projects.default = projectOn(undefined);
    build(projects.default);
  });

  after(async () => {
    for (const project of Object.values(projects)) await project?.cleanup();
    // The runtime images of this suite's bases are this suite's alone; the default base's is shared.
    for (const tag of Object.values(runtimes)) if (tag) await docker.getImage(tag).remove({ force: true }).catch(() => undefined);
    for (const tag of Object.values(bases)) await docker.getImage(tag).remove({ force: true }).catch(() => undefined);
  });

  it('a project on a new base gets a runtime image built on that base, once', async () => {
    projects.a = projectOn(bases.a);
    runtimes.a = build(projects.a).built;
    assert.ok(runtimes.a, 'the first build on base a built its runtime image');
    const baseLayers = await layersOf(bases.a);
    const runtimeLayers = await layersOf(runtimes.a);
    assert.deepEqual(runtimeLayers.slice(0, baseLayers.length), baseLayers, 'the runtime image starts from base a');
    assert.deepEqual((await layersOf(`${projects.a.name}:2.0.0`)).slice(0, runtimeLayers.length), runtimeLayers);
    assert.equal(build(projects.a).built, undefined, 'a rebuild reuses it');
  });

  it("another base's runtime image does not remove one that a project image is built on", async () => {
    projects.b = projectOn(bases.b);
    runtimes.b = build(projects.b).built;
    assert.ok(runtimes.b && runtimes.b !== runtimes.a, 'base b has a runtime image of its own');
    assert.ok(await imageIdOf(runtimes.a!), `${runtimes.a} is kept: ${projects.a!.name}:2.0.0 is built on it`);
    // And so a model-only rebuild of project a still sends and builds only the model.
    fs.copyFileSync(path.join(projects.a!.dir, 'model', 'iris-v1.onnx'), path.join(projects.a!.dir, 'model', 'iris-v2.onnx'));
    assert.equal(build(projects.a!).built, undefined, 'the model-only rebuild did not rebuild the runtime');
    const runtimeLayers = await layersOf(runtimes.a!);
    assert.deepEqual((await layersOf(`${projects.a!.name}:2.0.0`)).slice(0, runtimeLayers.length), runtimeLayers);
  });

  it('a runtime image that no image is built on any more is removed when a new one is built', async () => {
    await removeProjectResources(projects.a!.name);
    projects.c = projectOn(bases.c);
    runtimes.c = build(projects.c).built;
    assert.ok(runtimes.c, 'base c got its runtime image');
    assert.equal(await imageIdOf(runtimes.a!), undefined, `${runtimes.a} is removed: nothing is built on it`);
    assert.ok(await imageIdOf(runtimes.b!), `${runtimes.b} is kept: ${projects.b!.name}:2.0.0 is built on it`);
  });
});
