/** Whether `weight` can be a canary's share: a whole percentage from 1 to 99. */
export function isCanaryWeight(weight: unknown): weight is number {
  return typeof weight === 'number' && Number.isInteger(weight) && weight >= 1 && weight <= 99;
}

/**
 * Which of two upstreams the next request goes to, `weight` percent of them to the second: a smooth weighted
 * round robin reduced to one counter (nginx's algorithm for two peers whose weights sum to 100). No
 * randomness: after n requests the second has had n x weight / 100 of them, rounded to the nearest
 * whole request, and its requests are spread evenly (at 10 %, every tenth request) rather than in bursts.
 */
export class WeightedSplit {
  private credit = 0;

  /** `weight`: the second upstream's share of requests, a whole percentage from 1 to 99. */
  constructor(readonly weight: number) {}

  /** True when this request goes to the second upstream. */
  next(): boolean {
    this.credit += this.weight;
    if (this.credit <= 50) return false;
    this.credit -= 100;
    return true;
  }
}
