import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { UserError } from '../errors';
import type { ProjectConfig } from '../project/projectConfig';
import { stateDir } from '../validation/metricsStore';

interface LockOwner {
  pid: number;
  host: string;
  action: string;
  since: string;
}

/** A lock taken on another machine (a shared folder) is considered abandoned after this long. */
const FOREIGN_LOCK_STALE_MS = 60 * 60_000;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isStale(owner: LockOwner): boolean {
  if (owner.host === os.hostname()) return !isAlive(owner.pid);
  return Date.now() - Date.parse(owner.since) > FOREIGN_LOCK_STALE_MS;
}

/**
 * One deploy, promote or rollback per environment at a time. The lock file names its owner's process:
 * a lock whose process is gone (a crash, a kill -9) is taken over, so it never stays stuck.
 */
export async function withEnvironmentLock<T>(project: Pick<ProjectConfig, 'dir'>, environment: string, action: string, work: () => Promise<T>): Promise<T> {
  const file = path.join(stateDir(project), 'locks', `${environment}.lock`);
  await fs.mkdir(path.dirname(file), { recursive: true });
  const owner: LockOwner = { pid: process.pid, host: os.hostname(), action, since: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    try {
      await fs.writeFile(file, JSON.stringify(owner), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = await readOwner(file);
      if (attempt < 3 && (!holder || isStale(holder))) {
        // Gone, or half-written by a process that died: take it over.
        await fs.rm(file, { force: true });
        continue;
      }
      const who = holder ? `process ${holder.pid} on ${holder.host} (${holder.action}, since ${holder.since})` : 'another process';
      throw new UserError(`${environment} is busy: ${who} is changing it`, { file }, 'wait for it to finish and try again; if that process is gone, delete the lock file');
    }
  }
  try {
    return await work();
  } finally {
    await fs.rm(file, { force: true });
  }
}

async function readOwner(file: string): Promise<LockOwner | undefined> {
  try {
    const owner = JSON.parse(await fs.readFile(file, 'utf8')) as LockOwner;
    return typeof owner.pid === 'number' && typeof owner.host === 'string' ? owner : undefined;
  } catch {
    return undefined;
  }
}
