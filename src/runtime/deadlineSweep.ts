/** What a deadline calls when it passes. */
export interface Expiring {
  expire(): void;
}

/**
 * Deadlines of one length, checked by one timer: a timer of its own for each request would be set and
 * cleared for every request. The timer ticks every period (an eighth of the length, 10 ms to 1 s) and its
 * ticks are the deadlines' clock, so that adding one reads no clock. Every deadline is as long as the
 * others, so they fall due in the order they were added and a check stops at the first that is not due.
 * A deadline is met less than two periods late, never early. The timer runs only while deadlines are
 * pending and never keeps the process alive.
 */
export class DeadlineSweep {
  /** What to call when each deadline passes, by the tick at which it is due, in the order added. */
  private readonly pending = new Map<Expiring, number>();
  private readonly periodMs: number;
  /** Ticks from a deadline's start to the tick it is due at: the next tick may come at once. */
  private readonly ticksToDue: number;
  private ticks = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(lengthMs: number) {
    this.periodMs = Math.min(1000, Math.max(10, lengthMs / 8));
    this.ticksToDue = Math.ceil(lengthMs / this.periodMs) + 1;
  }

  /** Calls `expiring.expire()` once the length has passed, unless `cancel(expiring)` comes first. */
  add(expiring: Expiring): void {
    this.pending.set(expiring, this.ticks + this.ticksToDue);
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), this.periodMs);
      this.timer.unref();
    }
  }

  cancel(expiring: Expiring): void {
    this.pending.delete(expiring);
  }

  private tick(): void {
    const now = ++this.ticks;
    for (const [expiring, due] of this.pending) {
      if (due > now) break;
      this.pending.delete(expiring);
      expiring.expire();
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
