import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/**
 * Raises the calling thread's nice value `steps` above its own (at most 19), so that it gives way to the
 * process's other threads when they want the same cores, and runs in their pauses. Only where a thread
 * has a nice value of its own: on Linux, where each thread is a task with its own id. Elsewhere it
 * changes nothing, since setPriority there would lower the whole process.
 */
export function lowerThreadPriority(steps: number): void {
  if (process.platform !== 'linux') return;
  try {
    const threadId = Number(readlinkSync('/proc/thread-self').split('/').pop());
    setPriority(threadId, Math.min(19, getPriority(threadId) + steps));
  } catch {
    // No /proc, or a sandbox that refuses it: the thread keeps its priority, which only costs speed.
  }
}
