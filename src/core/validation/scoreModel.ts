import { availableParallelism } from 'node:os';
import type { MessagePort } from 'node:worker_threads';
import { InputProfiler } from '../drift/inputProfiler';
import { featureNames, profileKindOf, type TensorValues } from '../drift/rowFeatures';
import { CancelledError, UserError } from '../errors';
import { sha256File } from '../fileHash';
import { openScoringModel } from '../model/inspectModel';
import type { ModelInfo } from '../model/modelInfo';
import type { SyncSession } from '../model/syncSession';
import type { ProjectConfig } from '../project/projectConfig';
import { receiveBatches } from './dataBatches';
import type { DataBatch } from './dataReader';
import { planInput } from './inputPlan';
import { InputScratch, modelInputs, rowsPerRun } from './modelInputs';
import { SecondSession } from './secondSession';
import { ClassificationScorer, RegressionScorer, type Scorer } from './scorers';
import type { ValidationProgress, ValidationReport } from './validationReport';

const PROGRESS_INTERVAL_MS = 100;

/**
 * The largest model a second session is loaded for: it doubles the model's memory, which pays for a
 * model small enough that its runs of one fixed batch leave onnxruntime nothing to spread over cores.
 */
export const SECOND_SESSION_MAX_BYTES = 64 * 1024 * 1024;

/** Whether rows are scored on two sessions at once: a fixed batch, a small model, a second core. */
function wantsSecondSession(model: ModelInfo): boolean {
  return model.batch.kind === 'fixed' && model.externalData.length === 0 && model.sizeBytes <= SECOND_SESSION_MAX_BYTES && availableParallelism() > 1;
}

/**
 * Streams the validation set through the model and computes the task's metrics. Runs on a worker
 * thread (run() blocks its thread); the data is parsed on a second one, the reader thread whose port
 * `batches` is, so parsing overlaps inference.
 */
export async function scoreModel(project: ProjectConfig, batches: MessagePort, onProgress: (p: ValidationProgress) => void, signal?: AbortSignal): Promise<ValidationReport> {
  const validation = project.validation;
  if (!validation) throw new UserError('the project has no validation set', { file: project.configFile, field: 'validation' }, 'add a "validation:" section with data and target');
  const started = performance.now();
  const dataSha256 = sha256File(validation.data);
  // The header is awaited once the model is loaded: the reader thread's start-up overlaps it.
  const opening = receiveBatches(batches);
  opening.catch(() => undefined); // awaited below; a failure here must not go unhandled while the model loads
  let model: ModelInfo;
  let session: SyncSession;
  // Started as soon as the model's file says it wants one, so that its start overlaps this one's.
  let second: SecondSession | undefined;
  const onRead = (info: ModelInfo) => {
    if (wantsSecondSession(info)) second = SecondSession.start(project.model);
  };
  try {
    ({ info: model, session } = await openScoringModel(project.model, onRead));
  } catch (error) {
    await opening.then((stream) => stream.close(), () => undefined);
    await second?.close();
    throw error;
  }
  const stream = await opening.catch(async (error) => {
    await second?.close();
    session.release();
    throw error;
  });
  try {
    const plan = planInput(project, model, stream.features.length);
    const scorer: Scorer = project.task === 'regression' ? new RegressionScorer(validation.data) : new ClassificationScorer(validation.data, project.labels);
    // Profiled as the model receives the rows (scaled, in its element type), as live requests arrive.
    const profileKind = profileKindOf(plan.rowShape);
    const profiler = new InputProfiler(plan.inputName, profileKind, plan.rowSize, featureNames(profileKind, stream.features));
    const scratch = new InputScratch(plan.elementType);
    const fetches = { [plan.outputName]: null };
    const runLocally = (from: number, to: number, batch: DataBatch) => {
      for (const piece of modelInputs(plan, batch, scratch, from, to)) {
        profiler.addRows(piece.tensor.data as TensorValues, piece.count);
        scorer.add(session.run({ [plan.inputName]: piece.tensor }, fetches)[plan.outputName], batch, piece.offset, piece.count);
      }
    };
    const scoringStarted = performance.now();
    let rows = 0;
    let secondRows = 0;
    let lastProgress = 0;
    // Each batch is scored in one go: the second half of its runs on the second session when that is idle,
    // the first half here meanwhile, then the second half's outputs, so rows are profiled and scored in
    // their order. The batch's arrays go back to the reader thread when the next batch is asked for, and a
    // cancel is seen between batches.
    for await (const batch of stream.batches) {
      if (signal?.aborted) throw new CancelledError();
      // Batches arrive in the reader port's callbacks, and this loop runs on in them while the next batch
      // is there: a turn of the event loop lets the second session's port say it is ready.
      if (second && !second.idle) await new Promise(setImmediate);
      const step = rowsPerRun(plan, batch);
      const runs = Math.ceil(batch.count / step);
      const split = second?.idle && runs > 1 ? Math.ceil(runs / 2) * step : batch.count;
      const handed = split < batch.count ? second!.runRows(plan, batch, split, step) : undefined;
      runLocally(0, split, batch);
      if (handed) {
        const { outputs, values } = await handed;
        profiler.addRows(values as TensorValues, batch.count - split);
        outputs.forEach((output, i) => scorer.add(output, batch, split + i * step, Math.min(step, batch.count - split - i * step)));
        secondRows += batch.count - split;
      }
      rows += batch.count;
      const now = performance.now();
      if (now - lastProgress >= PROGRESS_INTERVAL_MS) {
        lastProgress = now;
        onProgress({ rows });
      }
    }
    if (rows === 0) throw new UserError('the validation set has no rows', { file: validation.data }, 'add labelled rows below the header');
    onProgress({ rows });
    const scored = scorer.result(validation.metrics);
    const finished = performance.now();
    const wallTimeMs = finished - started;
    return {
      project: project.name,
      version: project.version,
      task: project.task,
      createdAt: new Date().toISOString(),
      metrics: scored.metrics,
      classification: scored.classification,
      rows,
      dataFile: validation.dataPath,
      dataSha256: await dataSha256,
      modelSha256: model.sha256,
      input: { name: plan.inputName, shape: [-1, ...plan.rowShape], batchSize: plan.batchSize },
      output: plan.outputName,
      wallTimeMs: Math.round(wallTimeMs * 10) / 10,
      // Throughput of scoring itself, once the model is loaded, like onnxruntime's own figures.
      rowsPerSecond: Math.round(rows / ((finished - scoringStarted) / 1000)),
      secondSessionRows: secondRows,
      inputProfile: profiler.profile(),
    };
  } finally {
    await stream.close();
    await second?.close();
    session.release();
  }
}

