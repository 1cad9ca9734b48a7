import { execFile } from 'node:child_process';
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

/** The commit and remote of the repository holding `dir`; a remote's user and token never leave it. */
export async function gitSource(dir: string): Promise<SourceInfo> {
  const [revision, remote] = await Promise.all([git(dir, ['rev-parse', 'HEAD']), git(dir, ['config', '--get', 'remote.origin.url'])]);
  return { revision, url: remote?.replace(/^([a-z+]+:\/\/)[^@/]*@/i, '$1') };
}
