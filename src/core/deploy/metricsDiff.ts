import type Docker from 'dockerode';
import { UserError } from '../errors';
import { LABEL } from '../packaging/imageLabels';
import type { EnvironmentConfig, ProjectConfig } from '../project/projectConfig';
import { runInWorker } from '../worker/runInWorker';
import { compareScores, type ScoreComparison } from './compareScores';
import type { MetricsDiff } from './diffTypes';
import { gatesBlock } from './environments';
import { diffRows, summarizeGates } from './gates';
import { extractImageModel } from './imageModel';
import { holdsProjectModel, type ImageIdentity, labelMetrics } from './imageIdentity';

export interface DiffOptions {
  /** Makes an image available in the local engine (pulling it from its registry) and gives its local reference. */
  ensureLocal: (identity: ImageIdentity) => Promise<string>;
  /** Measured by the deploy's smoke test; absent in a plain diff. */
  latencyP95Ms?: number;
  signal?: AbortSignal;
  progress?: (message: string) => void;
}

/**
 * The candidate against what the environment runs: both models on the candidate's validation rows
 * (so the comparison is fair even when the deployed one was validated on other data), with the
 * predictions that changed, McNemar's test, bootstrap intervals and the gates' verdicts. Falls back to
 * the metrics in the images' labels when the models cannot be run side by side, and says so.
 */
export async function metricsDiff(docker: Docker, project: ProjectConfig, environment: EnvironmentConfig, candidate: ImageIdentity, deployed: ImageIdentity | undefined, options: DiffOptions): Promise<MetricsDiff> {
  const notes: string[] = [];
  const candidateLabels = labelMetrics(candidate.labels);
  const metricNames = project.validation?.metrics ?? Object.keys(candidateLabels ?? {});
  let compared: ScoreComparison | undefined;
  let rescored = false;
  if (deployed && project.validation && project.task !== 'raw') {
    try {
      options.progress?.(`scoring ${deployed.version} and ${candidate.version} on the same rows of ${project.validation.dataPath}`);
      const scores = await scoreBoth(docker, project, candidate, deployed, options);
      compared = compareScores(scores, metricNames);
      rescored = deployed.labels[LABEL.dataSha256] !== scores.dataSha256;
      if (rescored) notes.push(`${deployed.version} was ${deployed.labels[LABEL.dataSha256] ? 'validated on other data' : 'not validated'}: it was re-scored on ${scores.dataFile} (${scores.rows} rows), the candidate's validation data, so the two are compared on the same rows`);
      else notes.push(`both models were scored on the same ${scores.rows} rows of ${scores.dataFile}`);
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      notes.push(`the two models could not be run side by side (${error.message}): the figures are those in the images' labels`);
    }
  }
  const candidateMetrics: Record<string, number | undefined> = { ...(compared?.candidate ?? candidateLabels ?? {}) };
  if (!compared && !candidateLabels && project.task !== 'raw') notes.push(`${candidate.version} carries no validation metrics: validate it, then build again`);
  if (options.latencyP95Ms !== undefined) candidateMetrics.latency_p95_ms = options.latencyP95Ms;
  else if (project.gates.latency_p95_ms) notes.push('latency_p95_ms is measured on the new version during the deploy, before it serves');
  const deployedMetrics = deployed ? (compared?.deployed ?? labelMetrics(deployed.labels)) : undefined;
  const gates = options.latencyP95Ms === undefined ? withoutLatency(project.gates) : project.gates;
  const rows = diffRows({ metrics: metricNames, gates, candidate: candidateMetrics, deployed: deployedMetrics, intervals: compared?.intervals, significance: compared ? (metric, alpha) => compared.significance(metric, alpha) : undefined });
  return {
    environment: environment.name,
    candidate: { version: candidate.version, digest: candidate.digest, image: candidate.image },
    deployed: deployed && { version: deployed.version, digest: deployed.digest, image: deployed.image },
    rescored,
    notes,
    rows,
    predictions: compared?.predictions,
    bootstrap: compared?.bootstrap,
    gates: summarizeGates(rows, gatesBlock(environment)),
  };
}

/** Gates that the diff can check now: latency is measured during the deploy. */
function withoutLatency(gates: ProjectConfig['gates']): ProjectConfig['gates'] {
  return Object.fromEntries(Object.entries(gates).filter(([metric]) => metric !== 'latency_p95_ms'));
}

/** Both models on the candidate's data, on the core worker thread; models taken out of their images when needed. */
async function scoreBoth(docker: Docker, project: ProjectConfig, candidate: ImageIdentity, deployed: ImageIdentity, options: DiffOptions) {
  const cleanups: (() => Promise<void>)[] = [];
  const modelOf = async (identity: ImageIdentity) => {
    if (await holdsProjectModel(identity, project)) return project.model;
    const extracted = await extractImageModel(docker, await options.ensureLocal(identity));
    cleanups.push(extracted.cleanup);
    return extracted.file;
  };
  try {
    const [deployedModel, candidateModel] = [await modelOf(deployed), await modelOf(candidate)];
    return await runInWorker('scorePair', { project, deployedModel, candidateModel }, { signal: options.signal });
  } finally {
    for (const cleanup of cleanups) await cleanup();
  }
}
