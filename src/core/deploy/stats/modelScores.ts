import type { PairedScores } from '../diffTypes';

/** Fails loudly on scores whose arrays do not hold rows x width values: a bug upstream, not user input. */
export function checkPairedScores(scores: PairedScores): void {
  const { rows, width } = scores;
  if (!Number.isInteger(rows) || rows < 1) throw new Error(`paired scores need at least one row, not ${rows}`);
  if (!Number.isInteger(width) || width < 1) throw new Error(`paired scores need a width of at least 1, not ${width}`);
  if (scores.targets.length !== rows) throw new Error(`${scores.targets.length} targets for ${rows} rows`);
  for (const model of ['deployed', 'candidate'] as const) {
    if (scores[model].length !== rows * width) throw new Error(`${scores[model].length} ${model} scores for ${rows} rows of ${width}`);
  }
  if (scores.task === 'regression' && width !== 1) throw new Error(`regression scores have one value per row, not ${width}`);
}

/**
 * One model's class scores with one column per class. A single column is a binary classifier's
 * P(class 1), widened to [1 - p, p] as validation widens it, so both compute the same metrics.
 */
export function classScores(values: Float64Array, width: number): { values: Float64Array; classCount: number } {
  if (width > 1) return { values, classCount: width };
  const widened = new Float64Array(values.length * 2);
  for (let r = 0; r < values.length; r++) {
    widened[2 * r] = 1 - values[r];
    widened[2 * r + 1] = values[r];
  }
  return { values: widened, classCount: 2 };
}

/** The true class of each row as an index, checked against the class count. */
export function classTargets(targets: Float64Array, classCount: number): Int32Array {
  const truth = new Int32Array(targets.length);
  for (let r = 0; r < targets.length; r++) {
    const t = targets[r];
    if (!Number.isInteger(t) || t < 0 || t >= classCount) throw new Error(`row ${r}: target ${t} is not a class index below ${classCount}`);
    truth[r] = t;
  }
  return truth;
}

/** The predicted class of each row: the first maximum wins, as numpy's argmax and the metrics accumulator. */
export function predictedClasses(values: Float64Array, classCount: number): Int32Array {
  const rows = values.length / classCount;
  const predicted = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const offset = r * classCount;
    let best = 0;
    for (let c = 1; c < classCount; c++) if (values[offset + c] > values[offset + best]) best = c;
    predicted[r] = best;
  }
  return predicted;
}
