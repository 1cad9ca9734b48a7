import { scorePair } from '../deploy/scorePair';
import type { PairedScores } from '../deploy/diffTypes';
import { inspectModel } from '../model/inspectModel';
import type { ModelIdentity } from '../oip/modelHost';
import { inferLocally, type LocalAnswer } from '../predict/inferLocally';
import type { ModelInfo } from '../model/modelInfo';
import type { ProjectConfig } from '../project/projectConfig';
import { scoreModel } from '../validation/scoreModel';
import type { ValidationProgress, ValidationReport } from '../validation/validationReport';

/** The tasks the core worker thread runs, with their argument, result and progress types. */
export interface WorkerTasks {
  inspect: { args: { file: string }; result: ModelInfo; progress: never };
  validate: { args: { project: ProjectConfig }; result: ValidationReport; progress: ValidationProgress };
  infer: { args: { file: string; identity: ModelIdentity; requests: unknown[] }; result: LocalAnswer[]; progress: never };
  scorePair: { args: { project: ProjectConfig; deployedModel: string; candidateModel: string }; result: PairedScores; progress: never };
}

type Handler<K extends keyof WorkerTasks> = (args: WorkerTasks[K]['args'], progress: (p: WorkerTasks[K]['progress']) => void, signal: AbortSignal) => Promise<WorkerTasks[K]['result']>;

export const workerHandlers: { [K in keyof WorkerTasks]: Handler<K> } = {
  inspect: (args) => inspectModel(args.file),
  validate: (args, progress, signal) => scoreModel(args.project, progress, signal),
  infer: (args) => inferLocally(args.file, args.identity, args.requests),
  scorePair: (args, _progress, signal) => scorePair(args.project, args.deployedModel, args.candidateModel, signal),
};
