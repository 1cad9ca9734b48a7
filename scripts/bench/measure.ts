import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ContextEntry } from '../../src/core/packaging/buildContext';
import { IMAGE_ROOT } from '../../src/core/packaging/runtimeMetadata';

/** The repository root, from the compiled out/scripts/bench/ folder. */
export const REPO = path.resolve(__dirname, '../../..');

/** The middle value (the upper one of an even count): what each benchmark compares. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Bytes of the files under a folder (0 when it does not exist). */
export function duBytes(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).reduce((sum, e) => (e.isFile() ? sum + fs.statSync(path.join(e.parentPath, e.name)).size : sum), 0);
}

/**
 * Writes a variant of the iris v2 model that no engine or registry has seen: its producer version replaced
 * by random characters of the same length, so the protobuf stays valid and the model answers the same.
 */
export function writeFreshModel(target: string): void {
  const bytes = fs.readFileSync(path.join(REPO, 'examples', 'iris', 'model', 'iris-v2.onnx'));
  const at = bytes.indexOf(Buffer.from('1.0.0'));
  if (at < 0) throw new Error('the iris v2 model has no producer version to vary');
  bytes.write(randomBytes(3).toString('hex').slice(0, 5), at, 'latin1');
  fs.writeFileSync(target, bytes);
}

/** The rebuild benchmark's limit: a build context of two lines, FROM the runtime image and COPY the model. */
export function twoLineContext(runtimeImage: string, model: string): ContextEntry[] {
  return [
    { archivePath: 'Dockerfile', content: `FROM ${runtimeImage}\nCOPY model/ ${IMAGE_ROOT}/model/\n` },
    { archivePath: `model/${path.basename(model)}`, source: model },
  ];
}
