import type { Tensor } from 'onnxruntime-node';
import { CancelledError, UserError } from '../errors';
import { sha256File } from '../fileHash';
import { openScoringModel } from '../model/inspectModel';
import type { SyncSession } from '../model/syncSession';
import type { ProjectConfig } from '../project/projectConfig';
import { ClassIndex } from '../validation/classIndex';
import { openBatchesInThread } from '../validation/dataBatches';
import { planInput, type InputPlan } from '../validation/inputPlan';
import { InputScratch, modelInputs } from '../validation/modelInputs';
import type { PairedScores } from './diffTypes';

/** A growable array of float64 rows. */
class RowStore {
  private data = new Float64Array(4096);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }

  values(): Float64Array {
    return this.data.slice(0, this.length);
  }
}

interface ScoredModel {
  session: SyncSession;
  plan: InputPlan;
  /** The scored output: what each run fetches. */
  fetches: Record<string, null>;
  scratch: InputScratch;
  rows: RowStore;
}

/**
 * Runs the deployed and the candidate model over the same validation rows (the candidate project's
 * data and input plan) and keeps each row's scores, so that the diff can pair them row by row: which
 * predictions changed, McNemar's test, the paired bootstrap. Runs on the core worker thread.
 */
export async function scorePair(project: ProjectConfig, deployedModel: string, candidateModel: string, signal?: AbortSignal): Promise<PairedScores> {
  const validation = project.validation;
  if (!validation || project.task === 'raw') throw new UserError('the project has no validation set to compare the models on', { file: project.configFile, field: 'validation' });
  const task = project.task;
  const stream = await openBatchesInThread({ file: validation.data, target: validation.target, features: validation.features, scale: validation.input.scale });
  const models: ScoredModel[] = [];
  try {
    for (const file of [deployedModel, candidateModel]) {
      const { info: model, session } = await openScoringModel(file);
      const plan = planInput(project, model, stream.features.length);
      models.push({ session, plan, fetches: { [plan.outputName]: null }, scratch: new InputScratch(plan.elementType), rows: new RowStore() });
    }
    const classes = new ClassIndex(validation.data, project.labels);
    const targets = new RowStore();
    let width = 0;
    for await (const batch of stream.batches) {
      if (signal?.aborted) throw new CancelledError();
      for (const model of models) {
        for (const chunk of modelInputs(model.plan, batch, model.scratch)) {
          const output = model.session.run({ [model.plan.inputName]: chunk.tensor }, model.fetches)[model.plan.outputName];
          const rowWidth = appendRows(model.rows, output, chunk.count, task);
          if (width === 0) width = rowWidth;
          else if (rowWidth !== width) throw new UserError(`the deployed model gives ${width} values per row and the candidate ${rowWidth}: they cannot be compared row by row`, { file: project.configFile, field: 'validation.output' });
        }
      }
      for (let r = 0; r < batch.count; r++) {
        targets.push(task === 'classification' ? classes.indexOf(batch.targets[r], batch.lines[r], width) : regressionTarget(batch.targets[r], validation.data, batch.lines[r]));
      }
    }
    if (targets.length === 0) throw new UserError('the validation set has no rows', { file: validation.data });
    return {
      task,
      rows: targets.length,
      targets: targets.values(),
      width,
      labels: project.labels,
      deployed: models[0].rows.values(),
      candidate: models[1].rows.values(),
      dataFile: validation.dataPath,
      dataSha256: await sha256File(validation.data),
    };
  } finally {
    await stream.close();
    for (const model of models) model.session.release();
  }
}

/** Appends `count` rows of scores (a binary model's single P(class 1) becomes two columns); the row width. */
function appendRows(rows: RowStore, output: Tensor, count: number, task: 'classification' | 'regression'): number {
  const values = output.data;
  if (typeof values[0] === 'bigint' || typeof values[0] === 'string') throw new UserError('the scored output holds class indices or strings, not scores', undefined, 'set validation.output to the output with one score per class');
  const numbers = values as ArrayLike<number>;
  const width = numbers.length / (output.dims[0] || 1);
  if (task === 'classification' && width === 1) {
    for (let r = 0; r < count; r++) {
      rows.push(1 - numbers[r]);
      rows.push(numbers[r]);
    }
    return 2;
  }
  for (let i = 0; i < count * width; i++) rows.push(numbers[i]);
  return width;
}

function regressionTarget(target: string, dataFile: string, line: number): number {
  const value = Number(target);
  if (target.trim() === '' || !Number.isFinite(value)) throw new UserError(`target value "${target}" is not a number`, { file: dataFile, line }, 'regression targets must be numbers');
  return value;
}
