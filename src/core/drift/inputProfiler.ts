import { SeededRandom } from '../deploy/stats/seededRandom';
import { decileBins } from './decileBins';
import type { InputProfile, ProfileKind } from './inputProfile';
import { rowFeatures, type TensorValues } from './rowFeatures';

/** Rows kept for the bins: every row of a set up to this size, a uniform sample of a larger one. */
export const PROFILE_SAMPLE_ROWS = 10_000;
/** A fixed seed: validating the same data twice gives the same profile. */
const SAMPLE_SEED = 20_240_601;

/**
 * Builds an input profile from the rows validation feeds the model, in memory that does not grow with
 * the rows: the features of a seeded reservoir sample of PROFILE_SAMPLE_ROWS rows (Vitter's algorithm R),
 * the deciles of which are exact for a set that fits and a close estimate for a larger one.
 */
export class InputProfiler {
  private readonly width: number;
  private readonly random = new SeededRandom(SAMPLE_SEED);
  /** Sampled rows' features, row-major; grown by doubling up to the capacity. */
  private sample = new Float64Array(0);
  private rows = 0;

  constructor(
    private readonly input: string,
    private readonly kind: ProfileKind,
    private readonly rowSize: number,
    private readonly names: readonly string[],
    private readonly capacity = PROFILE_SAMPLE_ROWS,
  ) {
    this.width = names.length;
  }

  /** Adds `count` rows of `rowSize` values each, from the start of `values`. */
  addRows(values: TensorValues, count: number): void {
    for (let r = 0; r < count; r++) {
      const seen = this.rows++;
      const slot = seen < this.capacity ? seen : this.random.nextInt(seen + 1);
      if (slot >= this.capacity) continue;
      if ((slot + 1) * this.width > this.sample.length) this.grow();
      rowFeatures(this.kind, values, r * this.rowSize, this.rowSize, this.sample, slot * this.width);
    }
  }

  /** The profile of the rows added so far (at least one). */
  profile(): InputProfile {
    const sampled = Math.min(this.rows, this.capacity);
    const features = this.names.map((name, f) => {
      const column = new Float64Array(sampled);
      for (let i = 0; i < sampled; i++) column[i] = this.sample[i * this.width + f];
      return { name, ...decileBins(column) };
    });
    return { input: this.input, kind: this.kind, rowSize: this.rowSize, rows: this.rows, sampledRows: sampled, features };
  }

  private grow(): void {
    const rows = Math.min(this.capacity, Math.max(256, (this.sample.length / this.width) * 2));
    const grown = new Float64Array(rows * this.width);
    grown.set(this.sample);
    this.sample = grown;
  }
}
