import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { UserError } from '../errors';
import type { ProjectConfig } from '../project/projectConfig';
import { stateDir } from '../validation/metricsStore';
import { isOwnerGone, parseOwner, thisProcess, type ProcessOwner } from './processOwner';

interface LockOwner extends ProcessOwner {
  action: string;
}

/**
 * One deploy, promote or rollback per environment at a time. The lock file names its owner's process:
 * a lock whose process is gone (a crash, a kill -9) is taken over, so it never stays stuck.
 */
export async function withEnvironmentLock<T>(project: Pick<ProjectConfig, 'dir'>, environment: string, action: string, work: () => Promise<T>): Promise<T> {
  const file = path.join(stateDir(project), 'locks', `${environment}.lock`);
  await fs.mkdir(path.dirname(file), { recursive: true });
  const owner: LockOwner = { ...thisProcess(), action };
  for (let attempt = 0; ; attempt++) {
    try {
      await fs.writeFile(file, JSON.stringify(owner), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = await readOwner(file);
      if (attempt < 3 && (!holder || isOwnerGone(holder))) {
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
  return parseOwner(await fs.readFile(file, 'utf8').catch(() => undefined)) as LockOwner | undefined;
}
