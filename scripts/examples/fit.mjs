// Model fitting in plain JavaScript, deterministic: no random initialisation, fixed iteration counts.

export function standardiser(rows) {
  const width = rows[0].length;
  const mean = Array.from({ length: width }, (_, j) => rows.reduce((a, r) => a + r[j], 0) / rows.length);
  const std = Array.from({ length: width }, (_, j) => Math.sqrt(rows.reduce((a, r) => a + (r[j] - mean[j]) ** 2, 0) / rows.length) || 1);
  return { mean, std, apply: (r) => r.map((v, j) => (v - mean[j]) / std[j]) };
}

/** Weights and bias fitted on standardised features, folded back so the model takes raw features. */
function fold(weights, bias, { mean, std }) {
  const raw = weights.map((row, j) => row.map((w) => w / std[j]));
  const shift = bias.map((b, k) => b - weights.reduce((a, row, j) => a + (row[k] * mean[j]) / std[j], 0));
  return { weights: raw, bias: shift };
}

/** Multinomial logistic regression by batch gradient descent with a little L2. */
export function fitSoftmax(rows, labels, classes, { features, iterations = 2000, rate = 0.1, l2 = 1e-3 }) {
  const masked = rows.map((r) => r.map((v, j) => (features.includes(j) ? v : 0)));
  const scaler = standardiser(masked);
  const x = masked.map((r) => scaler.apply(r).map((v, j) => (features.includes(j) ? v : 0)));
  const width = rows[0].length;
  const w = Array.from({ length: width }, () => new Array(classes).fill(0));
  const b = new Array(classes).fill(0);
  for (let it = 0; it < iterations; it++) {
    const gw = Array.from({ length: width }, () => new Array(classes).fill(0));
    const gb = new Array(classes).fill(0);
    x.forEach((row, i) => {
      const p = softmax(b.map((bk, k) => bk + row.reduce((a, v, j) => a + v * w[j][k], 0)));
      p.forEach((pk, k) => {
        const g = pk - (labels[i] === k ? 1 : 0);
        gb[k] += g;
        row.forEach((v, j) => (gw[j][k] += g * v));
      });
    });
    for (let j = 0; j < width; j++) for (let k = 0; k < classes; k++) w[j][k] -= rate * (gw[j][k] / x.length + l2 * w[j][k]);
    for (let k = 0; k < classes; k++) b[k] -= (rate * gb[k]) / x.length;
  }
  return fold(w, b, scaler);
}

/** Ridge regression in closed form: (X'X + λI) w = X'y on standardised features. */
export function fitRidge(rows, targets, lambda = 1e-3) {
  const scaler = standardiser(rows);
  const x = rows.map(scaler.apply);
  const width = rows[0].length;
  const yMean = targets.reduce((a, v) => a + v, 0) / targets.length;
  const a = Array.from({ length: width }, (_, i) => Array.from({ length: width }, (_, j) => x.reduce((s, r) => s + r[i] * r[j], 0) + (i === j ? lambda : 0)));
  const rhs = Array.from({ length: width }, (_, i) => x.reduce((s, r, n) => s + r[i] * (targets[n] - yMean), 0));
  const w = solve(a, rhs);
  const folded = fold(w.map((v) => [v]), [yMean], scaler);
  return { weights: folded.weights, bias: folded.bias };
}

function solve(a, b) {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    const pivot = m.reduce((best, row, r) => (r >= c && Math.abs(row[c]) > Math.abs(m[best][c]) ? r : best), c);
    [m[c], m[pivot]] = [m[pivot], m[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  return m.map((row, i) => row[n] / row[i]);
}

export function softmax(z) {
  const max = Math.max(...z);
  const e = z.map((v) => Math.exp(v - max));
  const s = e.reduce((a, v) => a + v, 0);
  return e.map((v) => v / s);
}

/** Every 10 rows, rows 0, 3 and 6 go to validation (30%), in file order: stratified when rows are grouped by class. */
export function split(count) {
  const validation = [];
  const train = [];
  for (let i = 0; i < count; i++) (i % 10 === 0 || i % 10 === 3 || i % 10 === 6 ? validation : train).push(i);
  return { train, validation };
}
