import { CancelledError, UserError } from '../errors';
import { sha256File } from '../fileHash';
import { createSession, describeModel, parseHeader, readModelBytes } from '../model/inspectModel';
import type { OnnxHeader } from '../model/onnxHeader';
import type { ProjectConfig } from '../project/projectConfig';
import { openBatchesInThread } from './dataBatches';
import { planInput } from './inputPlan';
import { InputScratch, modelInputs } from './modelInputs';
import { ClassificationScorer, RegressionScorer, type Scorer } from './scorers';
import type { ValidationProgress, ValidationReport } from './validationReport';

const PROGRESS_INTERVAL_MS = 100;

/**
 * Streams the validation set through the model and computes the task's metrics. Runs on a worker
 * thread (run() blocks its thread); the data is parsed on a second one, so parsing overlaps inference.
 */
export async function scoreModel(project: ProjectConfig, onProgress: (p: ValidationProgress) => void, signal?: AbortSignal): Promise<ValidationReport> {
  const validation = project.validation;
  if (!validation) throw new UserError('the project has no validation set', { file: project.configFile, field: 'validation' }, 'add a "validation:" section with data and target');
  const started = performance.now();
  const dataSha256 = sha256File(validation.data);
  // The reader thread starts first: its start-up overlaps loading the model.
  const opening = openBatchesInThread({ file: validation.data, target: validation.target, features: validation.features, scale: validation.input.scale });
  opening.catch(() => undefined); // awaited below; a failure here must not go unhandled while the model loads
  let bytes: Buffer;
  let header: OnnxHeader;
  let session: Awaited<ReturnType<typeof createSession>>;
  try {
    bytes = await readModelBytes(project.model);
    header = parseHeader(project.model, bytes);
    // One intra-op thread: the other core is the reader thread's, and inference threads spinning on it
    // would slow both.
    session = await createSession(project.model, bytes, { intraOpNumThreads: 1 });
  } catch (error) {
    await opening.then((stream) => stream.close(), () => undefined);
    throw error;
  }
  const stream = await opening.catch(async (error) => {
    await session.release();
    throw error;
  });
  try {
    const model = describeModel(project.model, bytes, header, session);
    const plan = planInput(project, model, stream.features.length);
    const scorer: Scorer = project.task === 'regression' ? new RegressionScorer(validation.data) : new ClassificationScorer(validation.data, project.labels);
    const scratch = new InputScratch(plan.elementType);
    const scoringStarted = performance.now();
    let rows = 0;
    let lastProgress = 0;
    for await (const batch of stream.batches) {
      if (signal?.aborted) throw new CancelledError();
      for (const chunk of modelInputs(plan, batch, scratch)) {
        const outputs = await session.run({ [plan.inputName]: chunk.tensor }, [plan.outputName]);
        scorer.add(outputs[plan.outputName], batch, chunk.offset, chunk.count);
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
    };
  } finally {
    await stream.close();
    await session.release();
  }
}

