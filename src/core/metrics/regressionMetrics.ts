export interface RegressionMetrics {
  mae: number;
  rmse: number;
  r2: number;
  mape: number;
}

// scikit-learn's MAPE divides by max(|y|, eps) with float64's machine epsilon.
const EPSILON = 2.220446049250313e-16;

/** Regression metrics over a stream of (actual, predicted) pairs, as scikit-learn defines them. */
export class RegressionMetricsAccumulator {
  private n = 0;
  private absoluteErrors = 0;
  private squaredErrors = 0;
  private percentageErrors = 0;
  // Welford's running mean and sum of squared deviations of the actual values, for R².
  private mean = 0;
  private deviations = 0;

  add(actual: number, predicted: number): void {
    const error = actual - predicted;
    this.n++;
    this.absoluteErrors += Math.abs(error);
    this.squaredErrors += error * error;
    this.percentageErrors += Math.abs(error) / Math.max(Math.abs(actual), EPSILON);
    const delta = actual - this.mean;
    this.mean += delta / this.n;
    this.deviations += delta * (actual - this.mean);
  }

  result(): RegressionMetrics {
    const n = this.n;
    // scikit-learn's force_finite: a constant target gives 1 for a perfect fit, else 0.
    const r2 = this.deviations === 0 ? (this.squaredErrors === 0 ? 1 : 0) : 1 - this.squaredErrors / this.deviations;
    return { mae: this.absoluteErrors / n, rmse: Math.sqrt(this.squaredErrors / n), r2, mape: this.percentageErrors / n };
  }
}
