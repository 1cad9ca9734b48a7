/**
 * What validation saw of the model's input, for comparing live requests with it: per feature, the bin
 * edges taken from the validation set and the validation set's share of rows in each bin. Made by
 * `validate`, stored in the metrics file, baked into the image's metadata, counted against by the runtime.
 */
export interface InputProfile {
  /** The model input profiled: the one validation feeds. */
  input: string;
  /** How a row becomes features (see rowFeatures). */
  kind: ProfileKind;
  /** Values per row: the input's shape without its batch dimension, multiplied out. */
  rowSize: number;
  /** Validation rows seen, and how many of them (a seeded sample when there are more) gave the bins. */
  rows: number;
  sampledRows: number;
  features: FeatureBins[];
}

/**
 * `columns`: one feature per value of a row, named after the data's columns (tabular inputs).
 * `summary`: two features per row, its mean value and its share of non-zero values (image-like inputs).
 */
export type ProfileKind = 'columns' | 'summary';

/** One feature's bins: bin 0 is (-inf, edges[0]], bin i is (edges[i-1], edges[i]], the last (edges[last], +inf). */
export interface FeatureBins {
  name: string;
  /** Strictly ascending; at most 9 (deciles), fewer where values repeat. */
  edges: number[];
  /** The validation rows' share in each bin: edges.length + 1 entries that add up to 1. */
  expected: number[];
}
