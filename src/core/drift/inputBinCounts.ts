import type { Tensor } from 'onnxruntime-node';
import { binIndex } from './binIndex';
import type { InputProfile } from './inputProfile';
import { rowFeatures, type TensorValues } from './rowFeatures';

/**
 * Live rows counted into an input profile's bins, per feature, in typed arrays: this runs for every
 * request, and the counts are handed to the metrics only when they are scraped.
 */
export class InputBinCounts {
  /** Rows counted per feature (in the profile's order) and bin. */
  readonly counts: Float64Array[];
  private readonly row: Float64Array;

  constructor(readonly profile: InputProfile) {
    this.counts = profile.features.map((f) => new Float64Array(f.expected.length));
    this.row = new Float64Array(profile.features.length);
  }

  /** Counts the rows of the profiled input among a request's inputs; the model's other inputs are not profiled. */
  countFeeds(feeds: Readonly<Record<string, Tensor>>): void {
    const tensor = feeds[this.profile.input];
    if (tensor) this.countRows(tensor.data as TensorValues, tensor.dims);
  }

  /**
   * Counts each row of a tensor: its first dimension is the batch, the rest one row. A tensor whose rows
   * are not the profiled size (a model with free dimensions besides the batch) is not counted.
   */
  countRows(values: TensorValues, dims: readonly number[]): void {
    const { kind, rowSize, features } = this.profile;
    if (dims.length === 0 || values.length !== dims[0] * rowSize) return;
    for (let start = 0; start < values.length; start += rowSize) {
      rowFeatures(kind, values, start, rowSize, this.row, 0);
      for (let f = 0; f < features.length; f++) {
        const bin = binIndex(features[f].edges, this.row[f]);
        if (bin >= 0) this.counts[f][bin]++;
      }
    }
  }
}
