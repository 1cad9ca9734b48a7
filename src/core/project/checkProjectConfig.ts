import * as fs from 'node:fs';
import * as path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { type ConfigProblem, fieldName } from './configProblem';
import { schemaProblems } from './configSchemaErrors';
import { nonFiniteNumbers } from './nonFiniteNumbers';
import { checkMetricNames, defaultMetricsFor } from './configMetrics';
import { resolveInsideProject } from './projectPaths';
import { rangeOfPath, toTextRange } from './yamlPositions';
import { yamlValue } from './yamlValue';
import {
  DEFAULT_BASE_IMAGE,
  DEFAULT_CANARY_ANALYSIS,
  DEFAULT_DRIFT_THRESHOLD,
  DEFAULT_PLATFORM,
  type EnvironmentConfig,
  type GateConfig,
  type Platform,
  type ProjectConfig,
  type Task,
} from './projectConfig';

/** The config exactly as the schema describes it (what `yaml` parses when the schema passes). */
interface RawConfig {
  name: string;
  version: string;
  model: string;
  task: Task;
  labels?: string[];
  sample?: string;
  validation?: {
    data: string;
    target: string;
    features?: string[];
    input?: { name?: string; shape?: number[]; scale?: number };
    output?: string;
    metrics?: string[];
  };
  gates?: Record<string, GateConfig>;
  image?: { base?: string; platform?: Platform };
  environments?: Record<string, { registry?: string; run?: { port?: number }; approval?: 'required' | 'none'; url?: string }>;
  watch?: { drift_threshold?: number };
  canary?: { analysis?: { window_s?: number; max_error_rate_increase?: number; max_p95_ratio?: number; min_requests?: number } };
}

export interface ConfigCheck {
  problems: ConfigProblem[];
  /** Present when there is no error (warnings allowed). */
  config?: ProjectConfig;
}

const DATA_EXTENSIONS = ['.csv', '.csv.gz', '.jsonl'];

/**
 * Checks a `modeldeploy.yaml` text completely: YAML syntax, the JSON Schema, then what a schema cannot
 * say (paths inside the project and present, metrics that fit the task). Never throws for bad input:
 * the editor shows the problems as diagnostics while the user types.
 */
export function checkProjectConfig(text: string, configFile: string): ConfigCheck {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const syntax: ConfigProblem[] = [...doc.errors, ...doc.warnings].map((e) => ({
    severity: doc.errors.includes(e) ? 'error' : 'warning',
    message: `YAML: ${e.message.split('\n')[0]}`,
    ...toTextRange(lineCounter, e.pos),
  }));
  if (doc.errors.length) return { problems: syntax };

  const read = yamlValue(doc, lineCounter);
  if ('problem' in read) return { problems: [...syntax, read.problem] };
  const value = read.value;
  if (typeof value !== 'object' || Array.isArray(value)) {
    return {
      problems: [...syntax, { severity: 'error', message: 'the config must be a mapping of keys such as name, version, model and task', line: 1, column: 1, endLine: 1, endColumn: 1 }],
    };
  }
  const nonFinite = nonFiniteNumbers(value).map(({ path: fieldPath, value: number }): ConfigProblem => ({
    ...rangeOfPath(doc, lineCounter, fieldPath),
    severity: 'error',
    field: fieldName(fieldPath),
    message: `"${fieldName(fieldPath)}" must be a finite number, not ${number}`,
    hint: Number.isNaN(number) ? 'write a number' : 'write a number within about ±1.8e308',
  }));
  const schema = [...nonFinite, ...schemaProblems(value, doc, lineCounter)];
  if (schema.some((p) => p.severity === 'error')) return { problems: [...syntax, ...schema] };

  const raw = value as RawConfig;
  const dir = path.dirname(configFile);
  const problems = [...syntax, ...schema];
  const at = (fieldPath: (string | number)[], severity: 'error' | 'warning', message: string, hint?: string) =>
    problems.push({ ...rangeOfPath(doc, lineCounter, fieldPath), severity, field: fieldName(fieldPath), message, hint });

  const model = checkFile(dir, raw.model, ['model'], at, { extensions: ['.onnx'], what: 'model file' });
  const sample = raw.sample === undefined ? undefined : checkFile(dir, raw.sample, ['sample'], at, { extensions: ['.json'], what: 'sample request' });
  const data = raw.validation ? checkFile(dir, raw.validation.data, ['validation', 'data'], at, { extensions: DATA_EXTENSIONS, what: 'validation data file' }) : undefined;

  checkMetricNames(raw.task, raw.validation?.metrics, raw.gates, (fieldPath, message, hint) => at(fieldPath, 'error', message, hint));
  if (raw.task === 'regression' && raw.labels) at(['labels'], 'warning', 'labels are only used by classification projects');
  if (raw.task === 'raw' && raw.validation) at(['validation'], 'warning', 'a raw project computes no metrics, so validation is skipped', 'set task to classification or regression to score the model');
  checkGateBounds(raw.gates, at);

  if (problems.some((p) => p.severity === 'error')) return { problems };
  return { problems, config: toProjectConfig(raw, dir, configFile, model as string, sample, data) };
}

type Report = (fieldPath: (string | number)[], severity: 'error' | 'warning', message: string, hint?: string) => void;

function checkFile(dir: string, written: string, fieldPath: string[], at: Report, rule: { extensions: string[]; what: string }): string | undefined {
  const checked = resolveInsideProject(dir, written);
  if (!checked.ok) {
    at(fieldPath, 'error', `${rule.what} "${written}" ${checked.reason}`, 'keep every file the project uses inside its folder');
    return undefined;
  }
  if (!rule.extensions.some((ext) => written.toLowerCase().endsWith(ext))) {
    at(fieldPath, 'error', `${rule.what} "${written}" must end with ${rule.extensions.join(' or ')}`);
    return undefined;
  }
  if (!fs.existsSync(checked.path)) {
    at(fieldPath, 'error', `${rule.what} "${written}" does not exist`, `check the path; it is relative to ${dir}`);
    return undefined;
  }
  if (!fs.statSync(checked.path).isFile()) {
    at(fieldPath, 'error', `${rule.what} "${written}" is not a file`);
    return undefined;
  }
  return checked.path;
}

function checkGateBounds(gates: RawConfig['gates'], at: Report): void {
  for (const [metric, gate] of Object.entries(gates ?? {})) {
    if (gate.min !== undefined && gate.max !== undefined && gate.min > gate.max) {
      at(['gates', metric], 'error', `gate "${metric}" has min ${gate.min} above max ${gate.max}, so it can never pass`);
    }
  }
}

function toProjectConfig(raw: RawConfig, dir: string, configFile: string, model: string, sample: string | undefined, data: string | undefined): ProjectConfig {
  const environments: EnvironmentConfig[] = raw.environments
    ? Object.entries(raw.environments).map(([name, env]) => ({ name, registry: env.registry, run: env.run, approval: env.approval ?? 'none', url: env.url }))
    : [
        { name: 'staging', approval: 'none' },
        { name: 'production', approval: 'none' },
      ];
  return {
    dir,
    configFile,
    name: raw.name,
    version: raw.version,
    model,
    modelPath: raw.model,
    task: raw.task,
    labels: raw.labels,
    sample,
    validation:
      raw.validation && data && raw.task !== 'raw'
        ? {
            data,
            dataPath: raw.validation.data,
            target: raw.validation.target,
            features: raw.validation.features,
            input: { name: raw.validation.input?.name, shape: raw.validation.input?.shape, scale: raw.validation.input?.scale ?? 1 },
            output: raw.validation.output,
            metrics: raw.validation.metrics ?? defaultMetricsFor(raw.task),
          }
        : undefined,
    gates: raw.gates ?? {},
    image: { base: raw.image?.base ?? DEFAULT_BASE_IMAGE, platform: raw.image?.platform ?? DEFAULT_PLATFORM },
    environments,
    watch: { driftThreshold: raw.watch?.drift_threshold ?? DEFAULT_DRIFT_THRESHOLD },
    canary: { analysis: canaryAnalysisConfig(raw.canary?.analysis) },
  };
}

function canaryAnalysisConfig(analysis: NonNullable<RawConfig['canary']>['analysis']): ProjectConfig['canary']['analysis'] {
  const d = DEFAULT_CANARY_ANALYSIS;
  return {
    windowS: analysis?.window_s ?? d.windowS,
    maxErrorRateIncrease: analysis?.max_error_rate_increase ?? d.maxErrorRateIncrease,
    maxP95Ratio: analysis?.max_p95_ratio ?? d.maxP95Ratio,
    minRequests: analysis?.min_requests ?? d.minRequests,
  };
}
