/**
 * A seeded source of unsigned 32-bit numbers (a linear congruential generator): tests that sweep many
 * inputs get the same ones on every run.
 */
export function seededNumbers(seed: number): () => number {
  return () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
}
