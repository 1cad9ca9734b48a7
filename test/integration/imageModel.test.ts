import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type Docker from 'dockerode';
import { extractImageModel, removeAbandonedModelReaders } from '../../src/core/deploy/imageModel';
import { parseOwner } from '../../src/core/deploy/processOwner';
import { LABEL } from '../../src/core/packaging/imageLabels';
import { runEngineBuild } from '../../src/core/packaging/engineBuild';
import { IMAGE_ROOT } from '../../src/core/packaging/runtimeMetadata';
import { REPO_ROOT } from '../support/projectFixture';
import { containersOf, docker, uniqueName } from './engineFixture';

const MODEL = path.join(REPO_ROOT, 'examples', 'iris', 'model', 'iris-v1.onnx');

/**
 * A process that reads the model out of `image` and stops inside the read, its reader container created:
 * the engine's archive call is made to wait for ever (the one fault injected here, since a real read of a
 * small model is over in milliseconds). It says "reading" once it is there.
 */
function stuckReader(image: string): Promise<ChildProcess> {
  const script = `
    const Docker = require('dockerode');
    Docker.Container.prototype.getArchive = function () {
      process.stdout.write('reading\\n');
      setInterval(() => {}, 60_000); // a promise alone does not keep a process alive
      return new Promise(() => {});
    };
    require(${JSON.stringify(require.resolve('../../src/core/deploy/imageModel'))}).extractImageModel(new Docker(), ${JSON.stringify(image)});
  `;
  const child = spawn(process.execPath, ['-e', script], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('reading') && resolve(child));
    child.on('exit', (code) => reject(new Error(`the reading process exited (${code}) before it was reading`)));
  });
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.on('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe('a model read out of an image on the real Docker engine', function () {
  this.timeout(120_000);
  // An image as a build makes it: the model under the image root, and our labels, the role among them.
  const project = uniqueName('it-model-read');
  const image = `${project}:1`;
  const children: ChildProcess[] = [];
  before(async () => {
    const dockerfile = `FROM node:20-bookworm-slim\nLABEL ${LABEL.project}="${project}" ${LABEL.role}="model"\nCOPY model/ ${IMAGE_ROOT}/model/\n`;
    await runEngineBuild(docker, [{ archivePath: 'Dockerfile', content: dockerfile }, { archivePath: 'model/iris-v1.onnx', source: MODEL }], { tag: image, platform: 'linux/amd64', onOutput: () => undefined, idleTimeoutMs: 120_000 });
  });
  after(async () => {
    for (const child of children) child.kill('SIGKILL');
    for (const c of await containersOf(project)) await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
    await docker.getImage(image).remove({ force: true }).catch(() => undefined);
  });

  it('gives the model file byte for byte, through a container that is gone afterwards', async () => {
    const extracted = await extractImageModel(docker, image);
    try {
      assert.deepEqual(fs.readFileSync(extracted.file), fs.readFileSync(MODEL));
    } finally {
      await extracted.cleanup();
    }
    assert.equal(fs.existsSync(path.dirname(extracted.file)), false, 'the temporary folder is removed by cleanup');
    assert.deepEqual(await containersOf(project), []);
  });

  it('a reader left by a killed process is removed by the next sweep; one whose process still reads is left alone', async () => {
    const working = await stuckReader(image);
    const dying = await stuckReader(image);
    children.push(working, dying);
    const readers = await containersOf(project);
    assert.equal(readers.length, 2, 'both processes have their reader container');
    for (const reader of readers) {
      // Its own role, not the image's "model": nothing takes a reader for a model server.
      assert.equal(reader.Labels[LABEL.role], 'model-reader');
      assert.equal(reader.State, 'created');
    }
    const ownerPid = (reader: Docker.ContainerInfo) => parseOwner(reader.Labels[LABEL.owner])?.pid;
    assert.deepEqual(readers.map(ownerPid).sort(), [working.pid, dying.pid].sort(), 'each reader names the process that made it');

    await killed(dying);
    await removeAbandonedModelReaders(docker);
    const left = await containersOf(project);
    assert.deepEqual(left.map(ownerPid), [working.pid], "only the killed process's reader is removed");

    await killed(working);
    // The next read sweeps before it reads, and leaves nothing of its own.
    const extracted = await extractImageModel(docker, image);
    await extracted.cleanup();
    assert.deepEqual(await containersOf(project), []);
  });
});
