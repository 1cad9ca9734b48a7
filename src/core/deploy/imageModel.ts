import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type Docker from 'dockerode';
import { extract } from 'tar-stream';
import { UserError } from '../errors';
import { reasonOf } from '../engine/dockerEngine';
import { LABEL } from '../packaging/imageLabels';
import { IMAGE_ROOT } from '../packaging/runtimeMetadata';
import { isOwnerGone, parseOwner, thisProcess } from './processOwner';

/** The role of the container a model is read through; without it, the container would carry the image's. */
const MODEL_READER_ROLE = 'model-reader';

/** Largest model file taken out of an image; a bigger entry is refused rather than held in memory. */
const MAX_MODEL_BYTES = 2 * 1024 ** 3;

/**
 * Takes the .onnx model out of an image in the engine, without running it: a container is created (not
 * started), the model folder is read through the engine's archive API, and the container is removed.
 * Returns the file written into a fresh temporary folder; the caller removes it (`cleanup`).
 */
export async function extractImageModel(docker: Docker, image: string): Promise<{ file: string; cleanup: () => Promise<void> }> {
  await removeAbandonedModelReaders(docker);
  let container: Docker.Container;
  try {
    const labels = { [LABEL.managed]: 'true', [LABEL.role]: MODEL_READER_ROLE, [LABEL.owner]: JSON.stringify(thisProcess()) };
    container = await docker.createContainer({ name: `modeldeploy-model-reader-${randomBytes(4).toString('hex')}`, Image: image, Cmd: ['true'], NetworkDisabled: true, Labels: labels });
  } catch (error) {
    throw new UserError(`cannot read the model of ${image}: ${reasonOf(error)}`);
  }
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'modeldeploy-model-'));
  const cleanup = () => fs.rm(dir, { recursive: true, force: true });
  try {
    const archive = (await container.getArchive({ path: `${IMAGE_ROOT}/model` })) as unknown as NodeJS.ReadableStream;
    const file = await firstOnnxEntry(archive, dir);
    if (!file) throw new UserError(`the image ${image} has no .onnx model under ${IMAGE_ROOT}/model`);
    return { file, cleanup };
  } catch (error) {
    await cleanup();
    if (error instanceof UserError) throw error;
    throw new UserError(`cannot read the model of ${image}: ${reasonOf(error)}`);
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}

/**
 * Removes the model readers whose process ended before it could (a kill -9 while a diff read a model),
 * so that none is left for good; the ones of processes still at work are theirs.
 */
export async function removeAbandonedModelReaders(docker: Docker): Promise<void> {
  const readers = await docker.listContainers({ all: true, filters: { label: [`${LABEL.role}=${MODEL_READER_ROLE}`] } }).catch(() => []);
  for (const reader of readers) {
    const owner = parseOwner(reader.Labels[LABEL.owner]);
    if (!owner || isOwnerGone(owner)) await docker.getContainer(reader.Id).remove({ force: true }).catch(() => undefined);
  }
}

/** Writes the archive's first .onnx file into `dir` under its base name (never a path from the archive). */
function firstOnnxEntry(archive: NodeJS.ReadableStream, dir: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const tar = extract();
    let found: string | undefined;
    tar.on('entry', (header, stream, next) => {
      const name = path.posix.basename(header.name);
      if (found || header.type !== 'file' || !name.endsWith('.onnx') || (header.size ?? 0) > MAX_MODEL_BYTES) {
        stream.on('end', next);
        stream.resume();
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (chunk) => chunks.push(chunk as Buffer));
      stream.on('end', () => {
        found = path.join(dir, name);
        fs.writeFile(found, Buffer.concat(chunks)).then(() => next(), reject);
      });
    });
    tar.on('finish', () => resolve(found));
    tar.on('error', reject);
    archive.on('error', reject);
    archive.pipe(tar);
  });
}
