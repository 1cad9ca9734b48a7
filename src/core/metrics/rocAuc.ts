/**
 * Area under the ROC curve of `scores` for the rows where `positive` is true (or 1), with tied scores counted
 * as half (the trapezoidal rule over distinct thresholds, as scikit-learn's roc_curve + auc). Undefined
 * when one of the two groups is empty.
 */
export function rocAuc(scores: ArrayLike<number>, positive: ArrayLike<boolean | number>): number | undefined {
  let positives = 0;
  for (let i = 0; i < scores.length; i++) if (positive[i]) positives++;
  const ofPositives = new Float64Array(positives);
  const ofNegatives = new Float64Array(scores.length - positives);
  for (let i = 0, p = 0, n = 0; i < scores.length; i++) {
    if (positive[i]) ofPositives[p++] = scores[i];
    else ofNegatives[n++] = scores[i];
  }
  // Typed arrays sort numerically in native code: far quicker than sorting row indices by a comparator.
  return sortedRocAuc(ofPositives.sort(), ofNegatives.sort());
}

/**
 * The same area from the positives' and the negatives' scores, each sorted ascending: for each positive,
 * the negatives below it, and half those equal to it (the Mann-Whitney U statistic over P x N).
 */
export function sortedRocAuc(positives: Float64Array, negatives: Float64Array): number | undefined {
  if (positives.length === 0 || negatives.length === 0) return undefined;
  let area = 0;
  let below = 0;
  for (let i = 0; i < positives.length; ) {
    const score = positives[i];
    while (below < negatives.length && negatives[below] < score) below++;
    let equal = below;
    while (equal < negatives.length && negatives[equal] === score) equal++;
    let same = i;
    while (same < positives.length && positives[same] === score) same++;
    area += (same - i) * (below + (equal - below) / 2);
    i = same;
  }
  return area / (positives.length * negatives.length);
}
