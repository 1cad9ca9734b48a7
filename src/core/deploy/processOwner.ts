import * as os from 'node:os';

/** The process that holds a lock or made a scratch container: on which host, and since when. */
export interface ProcessOwner {
  pid: number;
  host: string;
  since: string;
}

/** An owner on another machine (a shared folder, a shared engine) is considered gone after this long. */
const FOREIGN_OWNER_GONE_MS = 60 * 60_000;

export function thisProcess(): ProcessOwner {
  return { pid: process.pid, host: os.hostname(), since: new Date().toISOString() };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the owner's process has ended (a crash, a kill -9): what it left behind is nobody's. */
export function isOwnerGone(owner: ProcessOwner): boolean {
  if (owner.host === os.hostname()) return !isAlive(owner.pid);
  return Date.now() - Date.parse(owner.since) > FOREIGN_OWNER_GONE_MS;
}

/** An owner read back from a file or a label; undefined when it is not one (half-written, edited). */
export function parseOwner(text: string | undefined): ProcessOwner | undefined {
  try {
    const owner = JSON.parse(text ?? '') as Partial<ProcessOwner>;
    return typeof owner.pid === 'number' && typeof owner.host === 'string' && typeof owner.since === 'string' ? (owner as ProcessOwner) : undefined;
  } catch {
    return undefined;
  }
}
