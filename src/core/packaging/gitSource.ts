import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { SourceInfo } from './imageLabels';

const run = promisify(execFile);

async function git(dir: string, args: string[]): Promise<string | undefined> {
  try {
    const { stdout } = await run('git', args, { cwd: dir, timeout: 5_000 });
    return stdout.trim() || undefined;
  } catch {
    return undefined; // not a repository, or no git: the labels just leave these out
  }
}

/** Whether `dir` or a folder above it holds `.git` (a folder, or a file pointing at one). */
function inRepository(dir: string): boolean {
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    if (fs.existsSync(path.join(at, '.git'))) return true;
    if (path.dirname(at) === at) return false;
  }
}

/**
 * The commit and remote of the repository holding `dir`; a remote's user and token never leave it.
 * Outside a repository git is not started at all: two processes cost a build tens of milliseconds.
 */
export async function gitSource(dir: string): Promise<SourceInfo> {
  if (!process.env.GIT_DIR && !inRepository(dir)) return { revision: undefined, url: undefined };
  const [revision, remote] = await Promise.all([git(dir, ['rev-parse', 'HEAD']), git(dir, ['config', '--get', 'remote.origin.url'])]);
  return { revision, url: remote?.replace(/^([a-z+]+:\/\/)[^@/]*@/i, '$1') };
}
