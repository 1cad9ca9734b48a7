import type { Tensor } from 'onnxruntime-node';
import { UserError } from '../errors';
import { sha256File } from '../fileHash';
import { createSession, describeModel, readModelBytes } from '../model/inspectModel';
import { readOnnxHeader } from '../model/onnxHeader';
import { onnxRuntime } from '../model/onnxRuntime';
import type { ProjectConfig } from '../project/projectConfig';
import { openBatchesInThread } from './dataBatches';
import type { DataBatch } from './dataReader';
import { planInput, type InputPlan } from './inputPlan';
import { ClassificationScorer, RegressionScorer, type Scorer } from './scorers';
import type { ValidationProgress, ValidationReport } from './validationReport';

const PROGRESS_INTERVAL_MS = 100;

/**
 * Streams the validation set through the model and computes the task's metrics. Runs on a worker
 * thread (run() blocks its thread); the data is parsed on a second one, so parsing overlaps inference.
 */
export async function scoreModel(project: ProjectConfig, onProgress: (p: ValidationProgress) => void): Promise<ValidationReport> {
  const validation = project.validation;
  if (!validation) throw new UserError('the project has no validation set', { file: project.configFile, field: 'validation' }, 'add a "validation:" section with data and target');
  const started = performance.now();
  const dataSha256 = sha256File(validation.data);
  // The reader thread starts first: its start-up overlaps loading the model.
  const opening = openBatchesInThread({ file: validation.data, target: validation.target, features: validation.features, scale: validation.input.scale });
  opening.catch(() => undefined); // awaited below; a failure here must not go unhandled while the model loads
  const bytes = await readModelBytes(project.model);
  const session = await createSession(project.model, bytes);
  const stream = await opening.catch(async (error) => {
    await session.release();
    throw error;
  });
  try {
    const model = describeModel(project.model, bytes, readOnnxHeader(bytes), session);
    const plan = planInput(project, model, stream.features.length);
    const scorer: Scorer = project.task === 'regression' ? new RegressionScorer(validation.data) : new ClassificationScorer(validation.data, project.labels);
    let rows = 0;
    let lastProgress = 0;
    for await (const batch of stream.batches) {
      for (const chunk of modelInputs(plan, batch)) {
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
    const wallTimeMs = performance.now() - started;
    const scored = scorer.result(validation.metrics);
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
      rowsPerSecond: Math.round(rows / (wallTimeMs / 1000)),
    };
  } finally {
    await stream.close();
    await session.release();
  }
}

/**
 * Cuts a data batch into model inputs: the whole batch where the batch dimension is free, else pieces of
 * the model's fixed batch size, the last one padded with zeros (its padded outputs are ignored).
 */
function* modelInputs(plan: InputPlan, batch: DataBatch): Generator<{ tensor: Tensor; offset: number; count: number }> {
  const ort = onnxRuntime();
  const width = plan.rowSize;
  const step = plan.batchFixed ? plan.batchSize : batch.count;
  for (let offset = 0; offset < batch.count; offset += step) {
    const count = Math.min(step, batch.count - offset);
    const values = batch.features.subarray(offset * width, (offset + count) * width);
    yield { tensor: new ort.Tensor(plan.elementType, convert(values, plan.elementType, step * width), [step, ...plan.rowShape]), offset, count };
  }
}

/** The values as the input's element type, zero-padded to `size` (a fixed batch's last, short piece). */
function convert(values: Float64Array, type: InputPlan['elementType'], size: number): Float32Array | Float64Array | Int32Array | BigInt64Array {
  switch (type) {
    case 'float64':
      return values.length === size ? values : padded(new Float64Array(size), values);
    case 'int32':
      return padded(new Int32Array(size), Int32Array.from(values, Math.round));
    case 'int64':
      return padded(new BigInt64Array(size), BigInt64Array.from(values, (v) => BigInt(Math.round(v))));
    default:
      return padded(new Float32Array(size), values);
  }
}

function padded<T extends Float32Array | Float64Array | Int32Array | BigInt64Array>(target: T, values: ArrayLike<number> | BigInt64Array): T {
  (target as { set(values: ArrayLike<number | bigint>): void }).set(values as ArrayLike<number | bigint>);
  return target;
}
