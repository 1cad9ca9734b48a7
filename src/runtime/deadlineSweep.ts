/**
 * Deadlines of one length, checked by one timer: a timer of its own for each request would be set and
 * cleared for every request. Since every deadline is as long as the others, they fall due in the order
 * they were added, and a check stops at the first that is not due. A deadline is met at most one period
 * (an eighth of its length, 10 ms to 1 s) late. The timer runs only while deadlines are pending and never
 * keeps the process alive.
 */
export class DeadlineSweep {
  /** What to call when each deadline passes, by when it does, in the order added. */
  private readonly pending = new Map<() => void, number>();
  private readonly periodMs: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly lengthMs: number) {
    this.periodMs = Math.min(1000, Math.max(10, lengthMs / 8));
  }

  /** Calls `expire` once `lengthMs` has passed, unless `cancel(expire)` comes first. */
  add(expire: () => void): void {
    this.pending.set(expire, performance.now() + this.lengthMs);
    if (!this.timer) {
      this.timer = setInterval(() => this.check(), this.periodMs);
      this.timer.unref();
    }
  }

  cancel(expire: () => void): void {
    this.pending.delete(expire);
  }

  private check(): void {
    const now = performance.now();
    for (const [expire, due] of this.pending) {
      if (due > now) break;
      this.pending.delete(expire);
      expire();
    }
    if (!this.pending.size) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}

const sweeps = new Map<number, DeadlineSweep>();

/** The sweep for deadlines of `lengthMs`, shared by every caller with that length. */
export function deadlineSweep(lengthMs: number): DeadlineSweep {
  let sweep = sweeps.get(lengthMs);
  if (!sweep) sweeps.set(lengthMs, (sweep = new DeadlineSweep(lengthMs)));
  return sweep;
}
