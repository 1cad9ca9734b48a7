import * as assert from 'node:assert/strict';
import { binIndex } from '../../src/core/drift/binIndex';
import { decileBins } from '../../src/core/drift/decileBins';
import { InputProfiler, PROFILE_SAMPLE_ROWS } from '../../src/core/drift/inputProfiler';
import { featureNames, profileKindOf, rowFeatures } from '../../src/core/drift/rowFeatures';
import { SeededRandom } from '../../src/core/deploy/stats/seededRandom';

/**
 * Exact deciles by their definition, independently of decileBins: the k-th is the smallest value with at
 * least k/10 of the values at or below it; equal deciles count once. Shares: values in each (edge, edge].
 */
function exactDeciles(values: number[]): { edges: number[]; expected: number[] } {
  const distinct = [...new Set(values)].sort((a, b) => a - b);
  const atOrBelow = (v: number) => values.filter((x) => x <= v).length;
  const edges = [...new Set(Array.from({ length: 9 }, (_, i) => distinct.find((v) => 10 * atOrBelow(v) >= (i + 1) * values.length)!))];
  const bounds = [-Infinity, ...edges, Infinity];
  const expected = bounds.slice(1).map((upper, i) => values.filter((x) => x > bounds[i] && x <= upper).length / values.length);
  return { edges, expected };
}

describe('input drift bins', () => {
  describe('binIndex', () => {
    const edges = [1, 2, 3];
    it('puts a value equal to an edge in the bin that edge closes, and the rest between the edges', () => {
      const cases: [number, number][] = [[-Infinity, 0], [0.5, 0], [1, 0], [1.0000001, 1], [2, 1], [2.5, 2], [3, 2], [3.5, 3], [Infinity, 3]];
      for (const [value, bin] of cases) assert.equal(binIndex(edges, value), bin, String(value));
    });

    it('has no bin for NaN, one bin for no edges, and takes -0 as 0', () => {
      assert.equal(binIndex(edges, NaN), -1);
      assert.equal(binIndex([], 42), 0);
      assert.equal(binIndex([0], -0), 0);
      assert.equal(binIndex([-0], 0), 0);
    });
  });

  describe('decileBins', () => {
    it('gives the deciles of 1..20 as 2, 4, ..., 18, a tenth of the values in each bin', () => {
      const values = Float64Array.from([7, 3, 20, 1, 12, 5, 18, 9, 14, 2, 16, 4, 11, 6, 19, 8, 13, 10, 17, 15]);
      const bins = decileBins(values);
      assert.deepEqual(bins.edges, [2, 4, 6, 8, 10, 12, 14, 16, 18]);
      assert.deepEqual(bins.expected, new Array(10).fill(0.1));
    });

    it('counts repeated deciles once: a 0/1 feature has two edges, a constant one', () => {
      assert.deepEqual(decileBins(Float64Array.from([0, 1, 0, 0, 1, 0, 0, 1, 0, 0])), { edges: [0, 1], expected: [0.7, 0.3, 0] });
      assert.deepEqual(decileBins(Float64Array.from([5, 5, 5])), { edges: [5], expected: [1, 0] });
    });

    it('matches exact deciles computed from their definition, for many sizes and with ties', () => {
      const random = new SeededRandom(7);
      for (const n of [1, 2, 3, 9, 10, 11, 19, 37, 100, 101, 999]) {
        for (const distinct of [3, 50, 1e6]) {
          const values = Array.from({ length: n }, () => random.nextInt(distinct) / 7 - 3);
          assert.deepEqual(decileBins(Float64Array.from(values)), exactDeciles(values), `n ${n}, ${distinct} distinct`);
        }
      }
    });
  });

  describe('row features', () => {
    it('profiles a flat row of up to 64 values column by column, and summarises anything else', () => {
      assert.equal(profileKindOf([4]), 'columns');
      assert.equal(profileKindOf([64]), 'columns');
      assert.equal(profileKindOf([65]), 'summary');
      assert.equal(profileKindOf([1, 28, 28]), 'summary');
      assert.equal(profileKindOf([1, 4]), 'summary');
      assert.deepEqual(featureNames('columns', ['a', 'b']), ['a', 'b']);
      assert.deepEqual(featureNames('summary', ['1x1', '1x2']), ['mean_pixel', 'ink_fraction']);
    });

    it('reads a row as the model receives it: float32, int64 as bigints', () => {
      const out = new Float64Array(5);
      rowFeatures('columns', Float32Array.from([9, 9, 0.1, 2]), 2, 2, out, 1);
      assert.deepEqual([...out], [0, Math.fround(0.1), 2, 0, 0]);
      rowFeatures('columns', BigInt64Array.from([3n, -4n]), 0, 2, out, 3);
      assert.deepEqual([...out.subarray(3)], [3, -4]);
    });

    it('summarises a row by its mean (mean_pixel) and its share of non-zero values (ink_fraction): brightness moves only the first', () => {
      const out = new Float64Array(2);
      rowFeatures('summary', Float32Array.from([0, 200, 0, 100]), 0, 4, out, 0);
      assert.deepEqual([...out], [75, 0.5]);
      rowFeatures('summary', Float32Array.from([0, 100, 0, 50]), 0, 4, out, 0);
      assert.deepEqual([...out], [37.5, 0.5]);
    });
  });

  describe('InputProfiler', () => {
    /** Rows of three columns: uniform, few distinct values, and a skewed one. */
    function tableRows(count: number, seed: number): Float32Array {
      const random = new SeededRandom(seed);
      return Float32Array.from({ length: count * 3 }, (_, i) => (i % 3 === 0 ? random.nextFloat() : i % 3 === 1 ? random.nextInt(4) : random.nextFloat() ** 4 * 100));
    }

    it('gives exact deciles of a set that fits its sample, added in pieces', () => {
      const rows = tableRows(537, 1);
      const profiler = new InputProfiler('x', 'columns', 3, ['u', 'few', 'skewed']);
      for (let start = 0; start < 537; start += 100) profiler.addRows(rows.subarray(start * 3), Math.min(100, 537 - start));
      const profile = profiler.profile();
      assert.deepEqual({ ...profile, features: [] }, { input: 'x', kind: 'columns', rowSize: 3, rows: 537, sampledRows: 537, features: [] });
      profile.features.forEach((feature, f) => {
        const column = Array.from({ length: 537 }, (_, r) => rows[r * 3 + f]);
        assert.deepEqual(feature, { name: ['u', 'few', 'skewed'][f], ...exactDeciles(column) });
      });
      assert.equal(profile.features[1].edges.length, 4, 'four distinct values: four edges');
    });

    it('keeps a bounded sample: the same bytes after 20,000 rows as after 200,000, and deciles close to the truth', () => {
      const profile = (rows: number) => {
        const profiler = new InputProfiler('x', 'columns', 3, ['u', 'few', 'skewed']);
        for (let start = 0; start < rows; start += 1000) profiler.addRows(tableRows(1000, start), 1000);
        return profiler;
      };
      const small = profile(20_000);
      const large = profile(200_000);
      const bytes = (p: InputProfiler) => (p as unknown as { sample: Float64Array }).sample.byteLength;
      assert.equal(bytes(large), bytes(small));
      assert.equal(bytes(large), PROFILE_SAMPLE_ROWS * 3 * 8);
      const result = large.profile();
      assert.deepEqual([result.rows, result.sampledRows], [200_000, PROFILE_SAMPLE_ROWS]);
      // The uniform column's deciles are k / 10, give or take the sample's error (about 0.003 at 10,000 rows).
      result.features[0].edges.forEach((edge, k) => assert.ok(Math.abs(edge - (k + 1) / 10) < 0.015, `decile ${k + 1}: ${edge}`));
      assert.deepEqual(result.features[1].edges, [0, 1, 2, 3]);
      assert.deepEqual(profile(200_000).profile(), result, 'seeded: the same rows give the same profile');
    });

    it('summarises image rows and profiles them as they come', () => {
      const profiler = new InputProfiler('image', 'summary', 4, featureNames('summary', []));
      profiler.addRows(Float32Array.from([0, 4, 0, 0, 1, 1, 1, 1]), 2);
      const profile = profiler.profile();
      assert.deepEqual(
        profile.features.map((f) => [f.name, f.edges]),
        [
          ['mean_pixel', [1]],
          ['ink_fraction', [0.25, 1]],
        ],
      );
    });
  });
});
