/**
 * The share that stands in for an empty bin (0.01 %): ln(a/e) has no value at 0, and a bin that is empty
 * on one side and holds a tenth of the rows on the other then adds about 0.69, enough to flag on its own.
 */
export const PSI_EPSILON = 1e-4;

/**
 * The population stability index of `actual` against `expected` (shares per bin, each adding up to 1):
 * the sum over bins of (a - e) * ln(a / e), with PSI_EPSILON for a share of 0. 0 for the same
 * distribution; above 0.2 is the usual sign of a shift that matters.
 */
export function populationStabilityIndex(expected: ArrayLike<number>, actual: ArrayLike<number>): number {
  if (expected.length !== actual.length) throw new Error(`${expected.length} expected shares but ${actual.length} actual ones`);
  let psi = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max(expected[i], PSI_EPSILON);
    const a = Math.max(actual[i], PSI_EPSILON);
    psi += (a - e) * Math.log(a / e);
  }
  return psi;
}
