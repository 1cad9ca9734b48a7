import * as assert from 'node:assert/strict';
import type { Tensor } from 'onnxruntime-node';
import type { DataBatch } from '../../src/core/validation/dataReader';
import { ClassificationScorer, RegressionScorer, type Scorer } from '../../src/core/validation/scorers';

/** Bytes an object holds through its fields: typed arrays, arrays, strings and maps, followed to the end. */
function retainedBytes(root: unknown): number {
  const seen = new Set<unknown>();
  const walk = (value: unknown): number => {
    if (typeof value === 'string') return value.length * 2;
    if (typeof value !== 'object' || value === null || seen.has(value)) return 8;
    seen.add(value);
    if (ArrayBuffer.isView(value)) return value.byteLength;
    if (value instanceof Map) return [...value].reduce((a, [k, v]) => a + walk(k) + walk(v), 0);
    return Object.values(value).reduce((a: number, v) => a + walk(v), 0);
  };
  return walk(root);
}

const CLASSES = 10;
const BATCH = 1000;

/** Scores a deterministic stream of rows in batches of BATCH, as validation does. */
function scoreRows(scorer: Scorer, rows: number, width: number): void {
  const output = new Float32Array(BATCH * width);
  const batch: DataBatch = { features: new Float64Array(0), targets: [], lines: new Int32Array(BATCH), count: BATCH };
  for (let start = 0; start < rows; start += BATCH) {
    batch.targets = [];
    for (let r = 0; r < BATCH; r++) {
      const row = start + r;
      batch.targets.push(String(row % CLASSES));
      for (let c = 0; c < width; c++) output[r * width + c] = Math.sin(row * 7.1 + c * 1.3) * 3 + (c === row % CLASSES ? 2 : 0);
    }
    scorer.add({ data: output, dims: [BATCH, width] } as unknown as Tensor, batch, 0, BATCH);
  }
}

describe('validation keeps state that does not grow with the rows', () => {
  it('classification: the same bytes after 20,000 rows as after 400,000', () => {
    const sizes = [20_000, 400_000].map((rows) => {
      const scorer = new ClassificationScorer('data.csv', undefined);
      scoreRows(scorer, rows, CLASSES);
      assert.ok(scorer.result(['roc_auc']).metrics.roc_auc! > 0.5);
      return retainedBytes(scorer);
    });
    assert.equal(sizes[1], sizes[0]);
    // Every score kept would be 400,000 x 10 x 8 bytes = 32 MB; the ROC AUC bins of 10 classes take about 4 MB.
    assert.ok(sizes[1] < 5_000_000, `${sizes[1]} bytes`);
  });

  it('regression: the same bytes after 1,000 rows as after 100,000', () => {
    const sizes = [1_000, 100_000].map((rows) => {
      const scorer = new RegressionScorer('data.csv');
      scoreRows(scorer, rows, 1);
      return retainedBytes(scorer);
    });
    assert.equal(sizes[1], sizes[0]);
  });
});
