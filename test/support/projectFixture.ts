import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The repository root, found from the compiled test's location (out/test/unit/...). */
export const REPO_ROOT = findUp(__dirname, 'package.json');
/** The shared real models and data that sit beside the repository. */
export const SHARED_DATA = path.resolve(REPO_ROOT, '..', 'shared', 'data');
export const FIXTURE_MODELS = path.join(REPO_ROOT, 'test', 'fixtures', 'models');
export const EXAMPLES = path.join(REPO_ROOT, 'examples');

function findUp(start: string, marker: string): string {
  let dir = start;
  while (!fs.existsSync(path.join(dir, marker))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no ${marker} above ${start}`);
    dir = parent;
  }
  return dir;
}

/** A throwaway project folder with the given files (path -> content); removed by the returned cleanup. */
export function makeProject(files: Record<string, string | Buffer>): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldeploy-test-'));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** A throwaway copy of an example project, so tests never write into the repository. */
export function copyExample(name: string): { dir: string; cleanup: () => void } {
  const copy = makeProject({});
  fs.cpSync(path.join(EXAMPLES, name), copy.dir, { recursive: true, filter: (source) => !source.includes(`${path.sep}.modeldeploy`) });
  return copy;
}
