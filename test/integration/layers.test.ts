import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cli } from '../support/cliProcess';
import { docker, exampleProject, type TestProject } from './engineFixture';

async function layersOf(image: string): Promise<string[]> {
  return (await docker.getImage(image).inspect()).RootFS.Layers ?? [];
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
    assert.equal(afterLayers.length, beforeLayers.length);
    const modelLayer = afterLayers.length - 2; // then the metadata layer
    assert.deepEqual(afterLayers.slice(0, modelLayer), beforeLayers.slice(0, modelLayer), 'base and runtime layers are the same');
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
