// fs.promises is read where it is used: loading node:fs/promises is a millisecond of every model server's start.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../errors';
import { readExternalTensors, type ExternalTensor } from './onnxExternalData';

/** An initializer's external data, with the file it names resolved against the model's folder. */
export interface ExternalDataFile extends ExternalTensor {
  path: string;
}

/**
 * The files that hold the model's external data. A location that is empty, absolute or climbs out of
 * the model's folder is refused: only that folder goes into the image, and a model must not make the
 * server read (and answer with) any other file.
 */
export function externalDataFiles(file: string, bytes: Uint8Array): ExternalDataFile[] {
  const folder = path.dirname(path.resolve(file));
  return readExternalTensors(bytes).map((external) => {
    const { location } = external;
    if (!location || path.isAbsolute(location) || path.win32.isAbsolute(location) || location.split(/[\\/]/).includes('..')) throw outsideFolder(file, external);
    return { ...external, path: path.join(folder, location) };
  });
}

/** externalDataFiles, each present and, once symbolic links are followed, still inside the model's folder. */
export async function checkedExternalDataFiles(file: string, bytes: Uint8Array): Promise<ExternalDataFile[]> {
  const files = externalDataFiles(file, bytes);
  if (files.length === 0) return files;
  const folder = await fs.realpath(path.dirname(path.resolve(file)));
  for (const external of files) {
    const real = await fs.realpath(external.path).catch(() => undefined);
    if (!real) throw new UserError(`the external data file "${external.location}" of initializer "${external.tensor}" does not exist`, { file, field: fieldOf(external) }, 'put the data file beside the model, where it was saved');
    if (path.relative(folder, real).startsWith('..')) throw outsideFolder(file, external);
  }
  return files;
}

function outsideFolder(file: string, external: ExternalTensor): UserError {
  return new UserError(
    `the external data of initializer "${external.tensor}" is at "${external.location}", outside the model's folder`,
    { file, field: fieldOf(external) },
    'keep external data files in the model\'s folder and name them by a relative path (onnx.save_model(..., location="weights.data"))',
  );
}

function fieldOf(external: ExternalTensor): string {
  return `graph.initializer["${external.tensor}"].external_data.location`;
}
