/**
 * Exact two-sided McNemar p-value from the discordant counts: b rows only one model gets right, c rows
 * only the other gets right. Under "no difference" each discordant row goes either way with probability
 * 1/2, so p = min(1, 2 P(X <= min(b, c))) with X ~ Binomial(b + c, 1/2), as scipy.stats.binomtest gives.
 */
export function mcnemarExactP(b: number, c: number): number {
  if (!Number.isInteger(b) || !Number.isInteger(c) || b < 0 || c < 0) throw new RangeError(`McNemar counts must be whole numbers >= 0, not ${b} and ${c}`);
  // Within one of each other, the smaller tail is exactly one half (or more), by symmetry.
  if (Math.abs(b - c) <= 1) return 1;
  const n = b + c;
  const k = Math.min(b, c);
  return Math.min(1, 2 * (n <= LINEAR_LIMIT ? binomialHalfLowerTailLinear(k, n) : binomialHalfLowerTail(k, n)));
}

// Up to here 2^-n and C(n, n/2) are normal floats, so the terms can be summed as they are; for small n
// (up to ~50) every term is an exact integer and the p-value comes out exact, as scipy's.
const LINEAR_LIMIT = 1000;

function binomialHalfLowerTailLinear(k: number, n: number): number {
  let term = 1;
  let sum = 1;
  for (let i = 0; i < k; i++) {
    term = (term * (n - i)) / (i + 1);
    sum += term;
  }
  return sum * 2 ** -n;
}

/**
 * P(X <= k) for X ~ Binomial(n, 1/2) and k <= n / 2, for any n. Worked in log space around the largest term,
 * C(n, k) / 2^n, because 2^-n underflows beyond n = 1074 while the tail itself may be large.
 */
function binomialHalfLowerTail(k: number, n: number): number {
  let logLargest = -n * Math.LN2;
  for (let i = 1; i <= k; i++) logLargest += Math.log((n - k + i) / i);
  // Each smaller term is the one above it times i / (n - i + 1) < 1; stop once they no longer count.
  let sum = 1;
  let ratio = 1;
  for (let i = k; i > 0; i--) {
    ratio *= i / (n - i + 1);
    sum += ratio;
    if (ratio < sum * 1e-17) break;
  }
  return Math.exp(logLargest + Math.log(sum));
}
