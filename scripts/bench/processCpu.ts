import * as fs from 'node:fs';

/**
 * The fields of /proc/<pid>/stat after the command name, from the third (state) on: the name sits in
 * parentheses and may hold spaces, so the fields are counted after it.
 */
export function statFields(pid: number | string): string[] {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** CPU time a process has used, in microseconds, every thread included (Linux: utime + stime of /proc/<pid>/stat, in ticks of 10 ms). */
export function cpuMicros(pid: number): number {
  const fields = statFields(pid);
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/** What each process spent on a load: CPU microseconds per request, and its busy share of one core over the load. */
export interface LoadCpu {
  cpu: number[];
  busy: number[];
}

/**
 * Runs a load of `durationS` seconds and reports, beside its figures, what each of `pids` spent on it. A
 * server's busy share tells whether it was the bottleneck: well below 1, the load generator was.
 */
export async function withCpu<T extends { perSecond: number }>(run: () => Promise<T>, pids: number[], durationS: number): Promise<T & LoadCpu> {
  const before = pids.map(cpuMicros);
  const result = await run();
  const spent = pids.map((pid, i) => cpuMicros(pid) - before[i]);
  const requests = result.perSecond * durationS;
  return { ...result, cpu: spent.map((us) => us / requests), busy: spent.map((us) => us / (durationS * 1e6)) };
}
