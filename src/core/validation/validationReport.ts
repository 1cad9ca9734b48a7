import type { InputProfile } from '../drift/inputProfile';
import type { Task } from '../project/projectConfig';

/** What validation found: written to .modeldeploy/metrics/<version>.json and carried in image labels. */
export interface ValidationReport {
  project: string;
  version: string;
  task: Task;
  createdAt: string;
  /** The selected metrics, by the names used in the config and in gates. */
  metrics: Record<string, number>;
  classification?: {
    labels: string[];
    perClass: { label: string; precision: number; recall: number; f1: number; support: number }[];
    confusionMatrix: number[][];
    /** `softmax` when the model gave raw scores and softmax was applied for log_loss and roc_auc. */
    scores: 'probabilities' | 'softmax';
  };
  rows: number;
  dataFile: string;
  dataSha256: string;
  modelSha256: string;
  input: { name: string; shape: number[]; batchSize: number };
  output: string;
  /** From opening the model and data to the last metric. */
  wallTimeMs: number;
  /** Rows scored per second once the model is loaded (model loading is in wallTimeMs only). */
  rowsPerSecond: number;
  /** Rows scored on a second session beside the first (a small model of fixed batch on several cores). */
  secondSessionRows?: number;
  /** The model input's bins from these rows, for input drift; absent from reports of earlier versions. */
  inputProfile?: InputProfile;
}

export interface ValidationProgress {
  rows: number;
}
