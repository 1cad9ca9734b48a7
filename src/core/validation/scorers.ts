import type { Tensor } from 'onnxruntime-node';
import { UserError } from '../errors';
import { ClassificationMetricsAccumulator } from '../metrics/classificationMetrics';
import { RegressionMetricsAccumulator } from '../metrics/regressionMetrics';
import { ClassIndex } from './classIndex';
import type { DataBatch } from './dataReader';
import type { ValidationReport } from './validationReport';
import { DECIMAL_NUMBER } from './csvScanner';

/** Turns model outputs and targets into metrics, one piece of a batch at a time. */
export interface Scorer {
  add(output: ScoredOutput, batch: DataBatch, offset: number, count: number): void;
  result(selected: string[]): { metrics: Record<string, number>; classification?: ValidationReport['classification'] };
}

/** A run's scored output: the values and their shape, the batch first. */
export type ScoredOutput = Pick<Tensor, 'data' | 'dims'>;

/** The output as numbers, `width` values per row. */
function outputRows(output: ScoredOutput, count: number, dataFile: string): { values: ArrayLike<number>; width: number } {
  const values = output.data;
  if (values instanceof BigInt64Array || values instanceof BigUint64Array || (Array.isArray(values) && typeof values[0] === 'string')) {
    throw new UserError('the scored output holds class indices or strings, not scores', { file: dataFile }, 'set validation.output to the output with one score per class (e.g. probabilities)');
  }
  const rows = output.dims[0] ?? 1;
  if (rows < count) throw new Error(`the model returned ${rows} rows for ${count}`);
  return { values: values as ArrayLike<number>, width: rows === 0 ? 0 : (values as ArrayLike<number>).length / rows };
}

function pick(all: object, selected: string[]): Record<string, number> {
  const values = all as Record<string, unknown>;
  return Object.fromEntries(selected.filter((name) => typeof values[name] === 'number' && Number.isFinite(values[name])).map((name) => [name, values[name] as number]));
}

export class ClassificationScorer implements Scorer {
  private accumulator?: ClassificationMetricsAccumulator;
  private readonly classes: ClassIndex;
  private classCount = 0;
  private row = new Float64Array(0);

  constructor(
    private readonly dataFile: string,
    private readonly labels: string[] | undefined,
  ) {
    this.classes = new ClassIndex(dataFile, labels);
  }

  add(output: ScoredOutput, batch: DataBatch, offset: number, count: number): void {
    const { values, width } = outputRows(output, count, this.dataFile);
    if (!this.accumulator) {
      // A single probability column is a binary classifier's P(class 1).
      this.classCount = width === 1 ? 2 : width;
      if (this.labels && this.labels.length !== this.classCount) {
        throw new UserError(`the model scores ${this.classCount} classes but labels names ${this.labels.length}`, { file: this.dataFile }, 'list one label per class, in class-index order');
      }
      this.accumulator = new ClassificationMetricsAccumulator(this.classCount, this.labels ?? Array.from({ length: this.classCount }, (_, i) => String(i)));
      this.row = new Float64Array(this.classCount);
    }
    const row = this.row;
    for (let r = 0; r < count; r++) {
      if (width === 1) {
        row[1] = values[r];
        row[0] = 1 - values[r];
      } else {
        for (let c = 0; c < width; c++) row[c] = values[r * width + c];
      }
      this.accumulator.add(this.classes.indexOf(batch.targets[offset + r], batch.lines[offset + r], this.classCount), row);
    }
  }

  result(selected: string[]) {
    const all = this.accumulator!.result();
    return {
      metrics: pick(all, selected),
      classification: { labels: all.per_class.map((c) => c.label), perClass: all.per_class, confusionMatrix: all.confusion_matrix, scores: all.scores },
    };
  }
}

export class RegressionScorer implements Scorer {
  private readonly accumulator = new RegressionMetricsAccumulator();

  constructor(private readonly dataFile: string) {}

  add(output: ScoredOutput, batch: DataBatch, offset: number, count: number): void {
    const { values, width } = outputRows(output, count, this.dataFile);
    if (width !== 1) throw new UserError(`the scored output gives ${width} values per row; regression needs one`, { file: this.dataFile }, 'set validation.output to the prediction output');
    for (let r = 0; r < count; r++) {
      const target = batch.targets[offset + r];
      const actual = DECIMAL_NUMBER.test(target.trim()) ? Number(target) : NaN;
      if (!Number.isFinite(actual)) {
        throw new UserError(`target value "${target}" is not a number`, { file: this.dataFile, line: batch.lines[offset + r] }, 'regression targets must be numbers');
      }
      this.accumulator.add(actual, values[r]);
    }
  }

  result(selected: string[]) {
    return { metrics: pick(this.accumulator.result(), selected) };
  }
}
