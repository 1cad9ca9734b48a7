/** What a deadline calls when it passes; `deadlineSlot` is the sweep's (-1 while no deadline of it is pending). */
export interface Expiring {
  expire(): void;
  deadlineSlot: number;
}

/**
 * Deadlines of one length, checked by one timer: a timer of its own for each request would be set and
 * cleared for every request. The timer ticks every period (an eighth of the length, 10 ms to 1 s) and its
 * ticks are the deadlines' clock, so that adding one reads no clock. A deadline is met less than two
 * periods late, never early. The timer runs only while deadlines are pending and never keeps the process
 * alive. The pending deadlines are two arrays that a cancelled one leaves by the last one taking its slot,
 * which each knows: adding and cancelling, once each for every request, allocate nothing.
 */
export class DeadlineSweep {
  /** What to call when each deadline passes, and the tick at which it is due, slot by slot. */
  private readonly pending: Expiring[] = [];
  private readonly dueTicks: number[] = [];
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
    expiring.deadlineSlot = this.pending.length;
    this.pending.push(expiring);
    this.dueTicks.push(this.ticks + this.ticksToDue);
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), this.periodMs);
      this.timer.unref();
    }
  }

  cancel(expiring: Expiring): void {
    const slot = expiring.deadlineSlot;
    if (slot < 0) return;
    expiring.deadlineSlot = -1;
    const last = this.pending.pop()!;
    const lastDue = this.dueTicks.pop()!;
    if (last !== expiring) {
      this.pending[slot] = last;
      this.dueTicks[slot] = lastDue;
      last.deadlineSlot = slot;
    }
  }

  private tick(): void {
    const now = ++this.ticks;
    // From the last slot down, so that the deadline moved into an expired one's slot was checked already.
    for (let slot = this.pending.length - 1; slot >= 0; slot--) {
      if (slot >= this.pending.length || this.dueTicks[slot] > now) continue;
      const expiring = this.pending[slot];
      this.cancel(expiring);
      expiring.expire();
    }
    if (!this.pending.length) {
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
