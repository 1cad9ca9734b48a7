import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { REPO_ROOT } from './projectFixture';

/** The linux-x64 package, built from this checkout by the packaging script: what a user installs. */
export function packageForThisMachine(): string {
  const made = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'package.mjs'), '--target', 'linux-x64'], { cwd: REPO_ROOT, encoding: 'utf8' });
  const file = /package: linux-x64\s+[\d.]+ MB\s+(\S+)/.exec(made.stdout)?.[1];
  if (made.status !== 0 || !file) throw new Error(`could not package the extension for linux-x64: ${made.stderr || made.stdout}`);
  return path.join(REPO_ROOT, file);
}
