/** The typed, defaults-filled form of `modeldeploy.yaml` that the rest of core works with. */

export type Task = 'classification' | 'regression' | 'raw';
export type Platform = 'linux/amd64' | 'linux/arm64';

export interface ValidationInputConfig {
  /** Model input name; undefined means "the model's only input". */
  name?: string;
  /** Shape with -1 for the batch dimension; undefined means "taken from the model". */
  shape?: number[];
  scale: number;
}

export interface ValidationConfig {
  /** Absolute path of the data file. */
  data: string;
  /** The path as written in the config, for messages. */
  dataPath: string;
  target: string;
  features?: string[];
  input: ValidationInputConfig;
  output?: string;
  metrics: string[];
}

export interface GateConfig {
  min?: number;
  max?: number;
  max_drop?: number;
  max_rise?: number;
  /** A max_drop / max_rise breach blocks only when the change is significant at this level. */
  significance?: number;
}

export interface EnvironmentConfig {
  name: string;
  registry?: string;
  run?: { port?: number };
  approval: 'required' | 'none';
  /** Where the environment's service answers, for live metrics; local environments have their own. */
  url?: string;
}

/** The limits of a canary's automatic analysis (`canary.analysis`). */
export interface CanaryAnalysisConfig {
  /** How long the analysis watches the traffic, in seconds. */
  windowS: number;
  /** The largest allowed rise of the server error share, the canary's minus the current version's. */
  maxErrorRateIncrease: number;
  /** The largest allowed ratio of the canary's p95 latency to the current version's. */
  maxP95Ratio: number;
  /** With fewer inference requests to the canary in the window: no verdict. */
  minRequests: number;
}

export interface ProjectConfig {
  /** Absolute project folder. */
  dir: string;
  /** Absolute path of modeldeploy.yaml. */
  configFile: string;
  name: string;
  version: string;
  /** Absolute model path, and as written. */
  model: string;
  modelPath: string;
  task: Task;
  labels?: string[];
  /** Absolute sample request path, when the project has one. */
  sample?: string;
  validation?: ValidationConfig;
  gates: Record<string, GateConfig>;
  image: { base: string; platform: Platform };
  environments: EnvironmentConfig[];
  watch: { driftThreshold: number };
  canary: { analysis: CanaryAnalysisConfig };
}

export const CONFIG_FILE_NAME = 'modeldeploy.yaml';
export const DEFAULT_BASE_IMAGE = 'node:20-bookworm-slim';
export const DEFAULT_PLATFORM: Platform = 'linux/amd64';
/** The population stability index above which a feature drifts: the usual rule of thumb. */
export const DEFAULT_DRIFT_THRESHOLD = 0.2;
export const DEFAULT_CANARY_ANALYSIS: CanaryAnalysisConfig = { windowS: 60, maxErrorRateIncrease: 0.01, maxP95Ratio: 1.5, minRequests: 20 };
