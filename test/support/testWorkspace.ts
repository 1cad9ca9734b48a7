import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from './projectFixture';

/**
 * The folder a VS Code test tier opens: a copy of the example projects plus the test fixtures' projects
 * (a broken one among them), so tests can write metrics and new projects without touching the repository.
 */
export function makeTestWorkspace(): string {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldeploy-workspace-'));
  for (const source of [path.join(REPO_ROOT, 'examples'), path.join(REPO_ROOT, 'test/extension/fixtures')]) {
    fs.cpSync(source, workspace, { recursive: true, filter: (file) => !file.includes(`${path.sep}.modeldeploy`) });
  }
  return workspace;
}
