import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../errors';
import type { Platform } from '../project/projectConfig';

/** A file to put into the build context: where it goes in the archive and where it is read from. */
export interface ContextFile {
  archivePath: string;
  source: string;
}

const PACKAGE_NAME = 'model-deploy';

/** The folder holding this tool's package.json: the extension or the CLI install, or the repository. */
export function packageRoot(from = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === PACKAGE_NAME) return dir;
    if (path.dirname(dir) === dir) throw new Error(`cannot find the ${PACKAGE_NAME} package above ${from}`);
  }
}

/** The onnxruntime-node folder for a platform, as `bin/napi-v6/<os>/<arch>`. */
function nativeFolder(platform: Platform): string {
  const [os, arch] = platform.split('/');
  return path.join('bin', 'napi-v6', os, arch === 'amd64' ? 'x64' : arch);
}

function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

/** The model server and the environment router bundles that the runtime layer carries. */
export function runtimeBundles(root = packageRoot()): [string, string] {
  return [path.join(root, 'dist', 'runtime.js'), path.join(root, 'dist', 'router.js')];
}

/**
 * The runtime layer's files: the server and router bundles, which carry onnxruntime's JavaScript, and of
 * onnxruntime-node only its package.json and the target platform's native files, which the bundles load
 * from its package folder (about 46 MB of the package's 300 MB).
 */
export function runtimeAssets(platform: Platform, root = packageRoot()): ContextFile[] {
  const [bundle, router] = runtimeBundles(root);
  for (const file of [bundle, router]) {
    if (!fs.existsSync(file)) throw new UserError(`the runtime bundle ${file} is missing`, { file }, 'run "npm run build" in the Model Deploy folder');
  }
  const ort = path.join(root, 'node_modules', 'onnxruntime-node');
  const native = path.join(ort, nativeFolder(platform));
  if (!fs.existsSync(native)) throw new UserError(`onnxruntime-node has no native files for ${platform}`, { file: native }, 'choose image.platform linux/amd64 or linux/arm64');
  const inPackage = (source: string) => ({ source, archivePath: `runtime/node_modules/onnxruntime-node/${path.relative(ort, source).split(path.sep).join('/')}` });
  return [{ source: bundle, archivePath: 'runtime/runtime.js' }, { source: router, archivePath: 'runtime/router.js' }, ...[path.join(ort, 'package.json'), ...filesUnder(native)].map(inPackage)];
}
