import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runtimeImageTag } from '../../src/core/packaging/runtimeImage';
import { loadProject } from '../../src/core/project/loadProject';
import { cli } from '../support/cliProcess';
import { REPO_ROOT } from '../support/projectFixture';
import { docker, exampleProject, layersOf, type TestProject } from './engineFixture';

/** The runtime image the CLI bundle builds a project on (its version is the package's). */
async function runtimeImageOf(project: TestProject): Promise<string> {
  const config = loadProject(project.dir);
  const { version } = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  return runtimeImageTag(await docker.getImage(config.image.base).inspect(), config, version, REPO_ROOT);
}

function build(project: TestProject): { image: string; id: string } {
  const run = cli(['build', '--json', '--project', project.dir]);
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as { image: string; id: string };
}

describe('image layers and the project Dockerfile, on the real Docker engine', () => {
  let project: TestProject;
  before(() => {
    project = exampleProject('iris');
  });
  after(async () => project.cleanup());

  it('rebuilding an unchanged project gives the same image', () => {
    assert.equal(build(project).id, build(project).id);
  });

  it('a model-only change rebuilds only the model layer and what follows; the runtime layer is reused', async () => {
    const before = build(project);
    const beforeLayers = await layersOf(before.id);
    fs.copyFileSync(path.join(project.dir, 'model', 'iris-v1.onnx'), path.join(project.dir, 'model', 'iris-v2.onnx'));
    const after = build(project);
    const afterLayers = await layersOf(after.id);
    assert.notEqual(after.id, before.id);
    // The runtime image: the base's layers, then the runtime layer (server bundle and onnxruntime) last.
    const runtimeLayers = await layersOf(await runtimeImageOf(project));
    const baseLayers = await layersOf(loadProject(project.dir).image.base);
    assert.deepEqual(runtimeLayers.slice(0, baseLayers.length), baseLayers);
    assert.ok(runtimeLayers.length > baseLayers.length);
    // Each project image: the runtime image's layers, then the model layer, then the metadata layer.
    assert.equal(beforeLayers.length, runtimeLayers.length + 2);
    assert.equal(afterLayers.length, runtimeLayers.length + 2);
    const modelLayer = runtimeLayers.length;
    assert.deepEqual(beforeLayers.slice(0, modelLayer), runtimeLayers, 'the first build is on the runtime image');
    assert.deepEqual(afterLayers.slice(0, modelLayer), runtimeLayers, 'every layer up to and including the runtime layer is reused');
    assert.notEqual(afterLayers[modelLayer], beforeLayers[modelLayer], 'the model layer is new');
    assert.equal(await docker.getImage(before.id).inspect().then(() => 'kept', () => 'removed'), 'removed', 'the replaced image is not left behind');
  });

  it('eject writes the Dockerfile, refuses to overwrite it, and builds then use the project Dockerfile', async () => {
    const eject = cli(['eject', '--project', project.dir]);
    assert.equal(eject.code, 0, eject.stderr);
    const dockerfile = path.join(project.dir, 'Dockerfile');
    assert.match(fs.readFileSync(dockerfile, 'utf8'), /^FROM \$\{MODELDEPLOY_RUNTIME\}$/m);
    const again = cli(['eject', '--project', project.dir]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /Dockerfile: the project already has a Dockerfile\. .*--force/);
    fs.appendFileSync(dockerfile, 'LABEL org.example.team="vision"\n');
    const run = cli(['build', '--project', project.dir]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Dockerfile {2}the project's own/);
    const labels = (await docker.getImage(`${project.name}:2.0.0`).inspect()).Config.Labels ?? {};
    assert.equal(labels['org.example.team'], 'vision', 'the project Dockerfile was used');
  });
});
