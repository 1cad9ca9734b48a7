/** What a metrics diff says: the candidate against what an environment runs now, metric by metric. */

/** Both models' answers on the same validation rows, from which paired statistics are computed. */
export interface PairedScores {
  task: 'classification' | 'regression';
  rows: number;
  /** Classification: the true class index of each row; regression: the actual value. */
  targets: Float64Array;
  /** Values per row in `deployed` and `candidate`: class scores (classification) or 1 (regression). */
  width: number;
  /** Class names by index (classification), for reports. */
  labels?: string[];
  deployed: Float64Array;
  candidate: Float64Array;
  /** The data both were scored on. */
  dataFile: string;
  dataSha256: string;
}

/** How the predictions changed between the two models on the same rows (classification). */
export interface PredictionChanges {
  rows: number;
  /** Rows whose predicted class differs. */
  changed: number;
  /** Rows only the candidate gets right, only the deployed model gets right, both, neither. */
  onlyCandidateRight: number;
  onlyDeployedRight: number;
  bothRight: number;
  bothWrong: number;
  /** Exact two-sided McNemar p-value of the accuracy change (binomial test on the discordant rows). */
  mcnemarP: number;
}

export type Verdict = 'pass' | 'fail' | 'none';

/** One gate rule checked against one metric. */
export interface GateCheck {
  metric: string;
  rule: 'min' | 'max' | 'max_drop' | 'max_rise';
  limit: number;
  /** The value compared with the limit: the metric, or its change against the deployed one. */
  value?: number;
  verdict: 'pass' | 'fail' | 'skip';
  /** Why, in words: "accuracy 0.78 is below the minimum 0.90". */
  reason: string;
}

export interface MetricDiffRow {
  name: string;
  higherIsBetter: boolean;
  deployed?: number;
  candidate?: number;
  /** candidate - deployed. */
  change?: number;
  /** Seeded paired-bootstrap 95% interval of the change. */
  interval?: [number, number];
  /** The significance used by this metric's gate, and the p-value or whether the interval excludes 0. */
  significant?: boolean;
  /** fail when a gate on this metric fails; pass when all its gates pass; none without a gate. */
  verdict: Verdict;
  checks: GateCheck[];
}

export interface MetricsDiff {
  environment: string;
  candidate: { version: string; digest?: string; image: string };
  /** Undefined on a first deploy: nothing runs there yet. */
  deployed?: { version: string; digest: string; image: string };
  /** True when the deployed model was re-scored on the candidate's data (they were validated on different data). */
  rescored: boolean;
  /** What the reader should know about how the figures were made. */
  notes: string[];
  rows: MetricDiffRow[];
  predictions?: PredictionChanges;
  /** Resamples of the paired bootstrap and its seed, so the interval can be reproduced. */
  bootstrap?: { resamples: number; seed: number };
  gates: {
    /** Every gate passed (or there are none). */
    passed: boolean;
    /** Whether a failure blocks this environment (production) or only warns (staging). */
    blocking: boolean;
    failures: string[];
  };
}
