import type { ProfileKind } from './inputProfile';

/** A tensor's values as onnxruntime holds them for the numeric types validation feeds. */
export type TensorValues = ArrayLike<number> | BigInt64Array;

/** The summary features of an image-like row. */
export const MEAN_PIXEL = 'mean_pixel';
export const INK_FRACTION = 'ink_fraction';

/** Flat rows up to this many values are profiled column by column; wider rows are summarised. */
export const MAX_COLUMN_FEATURES = 64;

/**
 * How rows of this shape (without the batch dimension) are profiled: a flat row of at most
 * MAX_COLUMN_FEATURES values is a table row, one feature per column; anything else (an image such as
 * [1, 28, 28], or a wide vector) gets summary features, since a bin per pixel would say little.
 */
export function profileKindOf(rowShape: readonly number[]): ProfileKind {
  return rowShape.length === 1 && rowShape[0] <= MAX_COLUMN_FEATURES ? 'columns' : 'summary';
}

/** The features' names: the data's columns, or the summary features. */
export function featureNames(kind: ProfileKind, columns: readonly string[]): string[] {
  return kind === 'columns' ? [...columns] : [MEAN_PIXEL, INK_FRACTION];
}

/**
 * Writes the features of the row of `rowSize` values at `start` in `values` to `out` from `outStart` on:
 * the values themselves (`columns`), or the row's mean and its share of non-zero values (`summary`:
 * scaling the brightness of an image moves the first, not the second). Validation and the runtime both
 * call this on the values as the model receives them, so their features agree to the bit.
 */
export function rowFeatures(kind: ProfileKind, values: TensorValues, start: number, rowSize: number, out: Float64Array, outStart: number): void {
  if (kind === 'columns') {
    for (let i = 0; i < rowSize; i++) out[outStart + i] = Number(values[start + i]);
    return;
  }
  let sum = 0;
  let nonZero = 0;
  for (let i = start; i < start + rowSize; i++) {
    const value = Number(values[i]);
    sum += value;
    if (value !== 0) nonZero++;
  }
  out[outStart] = sum / rowSize;
  out[outStart + 1] = nonZero / rowSize;
}
