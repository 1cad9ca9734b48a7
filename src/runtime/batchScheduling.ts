import { execFile } from 'node:child_process';

/**
 * Puts every thread of this process under Linux's SCHED_BATCH policy (same CPU share, same nice value).
 * A request's arrival then no longer preempts whatever else has the core at that moment, such as the
 * environment router forwarding the next requests: they arrive together and the batcher runs them in one
 * inference run instead of waking the server for each. Done with util-linux's `chrt`, as Node has no call
 * for it; `onUnavailable` hears why when it cannot be done, and the server keeps the default policy.
 */
export function useBatchScheduling(onUnavailable: (reason: string) => void): void {
  if (process.platform !== 'linux') return;
  execFile('chrt', ['--batch', '--all-tasks', '--pid', '0', String(process.pid)], { timeout: 5000 }, (error, _stdout, stderr) => {
    if (!error) return;
    const code = (error as NodeJS.ErrnoException).code;
    onUnavailable(code === 'ENOENT' ? 'chrt (util-linux) is not on the PATH' : (stderr.trim().split('\n')[0] || error.message));
  });
}
