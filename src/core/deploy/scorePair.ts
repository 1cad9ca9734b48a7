import { CancelledError, UserError } from '../errors';
import { sha256File } from '../fileHash';
import { openScoringModel } from '../model/inspectModel';
import type { SyncSession } from '../model/syncSession';
import type { ProjectConfig } from '../project/projectConfig';
import { ClassIndex } from '../validation/classIndex';
import { openBatchesInThread } from '../validation/dataBatches';
import { planInput } from '../validation/inputPlan';
import { InputScratch, modelInputs, rowsPerRun } from '../validation/modelInputs';
import type { ScoredOutput } from '../validation/scorers';
import { SecondSession } from '../validation/secondSession';
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

/**
 * Runs the deployed and the candidate model over the same validation rows (the candidate project's
 * data and input plan) and keeps each row's scores, so that the diff can pair them row by row: which
 * predictions changed, McNemar's test, the paired bootstrap. Runs on the core worker thread; the deployed
 * model runs on a session of its own thread (SecondSession) at the same time as the candidate runs here,
 * each batch in turn, so that the two models' work is spread over two cores.
 */
export async function scorePair(project: ProjectConfig, deployedModel: string, candidateModel: string, signal?: AbortSignal): Promise<PairedScores> {
  const validation = project.validation;
  if (!validation || project.task === 'raw') throw new UserError('the project has no validation set to compare the models on', { file: project.configFile, field: 'validation' });
  const task = project.task;
  const stream = await openBatchesInThread({ file: validation.data, target: validation.target, features: validation.features, scale: validation.input.scale });
  const deployed = SecondSession.start(deployedModel);
  let candidate: SyncSession | undefined;
  try {
    const deployedPlan = planInput(project, await deployed.whenReady(), stream.features.length);
    const opened = await openScoringModel(candidateModel);
    candidate = opened.session;
    const candidatePlan = planInput(project, opened.info, stream.features.length);
    const fetches = { [candidatePlan.outputName]: null };
    const scratch = new InputScratch(candidatePlan.elementType);
    const scores = { deployed: new RowStore(), candidate: new RowStore() };
    const widths = { deployed: 0, candidate: 0 };
    const append = (model: 'deployed' | 'candidate', output: ScoredOutput, count: number) => {
      const width = appendRows(scores[model], output, count, task);
      widths[model] ||= width;
      if (widths.deployed && widths.candidate && widths.deployed !== widths.candidate) {
        throw new UserError(`the deployed model gives ${widths.deployed} values per row and the candidate ${widths.candidate}: they cannot be compared row by row`, { file: project.configFile, field: 'validation.output' });
      }
    };
    const classes = new ClassIndex(validation.data, project.labels);
    const targets = new RowStore();
    for await (const batch of stream.batches) {
      if (signal?.aborted) throw new CancelledError();
      const step = rowsPerRun(deployedPlan, batch);
      const handed = deployed.runRows(deployedPlan, batch, 0, step);
      for (const chunk of modelInputs(candidatePlan, batch, scratch)) {
        append('candidate', candidate.run({ [candidatePlan.inputName]: chunk.tensor }, fetches)[candidatePlan.outputName], chunk.count);
      }
      const { outputs } = await handed;
      outputs.forEach((output, i) => append('deployed', output, Math.min(step, batch.count - i * step)));
      for (let r = 0; r < batch.count; r++) {
        targets.push(task === 'classification' ? classes.indexOf(batch.targets[r], batch.lines[r], widths.candidate) : regressionTarget(batch.targets[r], validation.data, batch.lines[r]));
      }
    }
    if (targets.length === 0) throw new UserError('the validation set has no rows', { file: validation.data });
    return {
      task,
      rows: targets.length,
      targets: targets.values(),
      width: widths.candidate,
      labels: project.labels,
      deployed: scores.deployed.values(),
      candidate: scores.candidate.values(),
      dataFile: validation.dataPath,
      dataSha256: await sha256File(validation.data),
    };
  } finally {
    await stream.close();
    await deployed.close();
    candidate?.release();
  }
}

/** Appends `count` rows of scores (a binary model's single P(class 1) becomes two columns); the row width. */
function appendRows(rows: RowStore, output: ScoredOutput, count: number, task: 'classification' | 'regression'): number {
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
