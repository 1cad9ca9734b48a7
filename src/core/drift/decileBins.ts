import { binIndex } from './binIndex';
import type { FeatureBins } from './inputProfile';

/** Bins per feature where every value differs: deciles. */
export const BIN_COUNT = 10;

/**
 * Decile edges of `values` (sorted in place) and the share of them in each bin the edges make. The k-th
 * decile is the smallest value with at least k/10 of the values at or below it (numpy's
 * "inverted_cdf"), so edges are values of the data; repeated values make equal deciles, which count as
 * one edge, so a feature with few distinct values gets fewer bins.
 */
export function decileBins(values: Float64Array): Omit<FeatureBins, 'name'> {
  const n = values.length;
  if (n === 0) throw new Error('no values to take deciles of');
  values.sort();
  const edges: number[] = [];
  for (let k = 1; k < BIN_COUNT; k++) {
    // k * n / BIN_COUNT in integers first: 3 * 10 / 10 must be 3, not the 3.0000000000000004 of 0.3 * 10.
    const edge = values[Math.ceil((k * n) / BIN_COUNT) - 1];
    if (edges.length === 0 || edge > edges[edges.length - 1]) edges.push(edge);
  }
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (let i = 0; i < n; i++) counts[binIndex(edges, values[i])]++;
  return { edges, expected: counts.map((count) => count / n) };
}
