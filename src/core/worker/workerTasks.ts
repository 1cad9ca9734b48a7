import type { MessagePort } from 'node:worker_threads';
import { scorePair } from '../deploy/scorePair';
import type { PairedScores } from '../deploy/diffTypes';
import { inspectModel } from '../model/inspectModel';
import type { ModelIdentity } from '../oip/modelHost';
import { inferLocally, type LocalAnswer } from '../predict/inferLocally';
import type { ModelInfo } from '../model/modelInfo';
import type { ProjectConfig } from '../project/projectConfig';
import { scoreModel } from '../validation/scoreModel';
import { serveSecondSession, type SecondSessionArgs } from '../validation/secondSession';
import type { ValidationProgress, ValidationReport } from '../validation/validationReport';

/** The tasks the core worker thread runs, with their argument, result and progress types. */
export interface WorkerTasks {
  /** Progress: the model as its file describes it, before onnxruntime loads it. */
  inspect: { args: { file: string }; result: ModelInfo; progress: ModelInfo };
  /** `batches`: the port of a reader thread already started on the validation data (startReader). */
  validate: { args: { project: ProjectConfig; batches: MessagePort }; result: ValidationReport; progress: ValidationProgress };
  infer: { args: { file: string; identity: ModelIdentity; requests: unknown[] }; result: LocalAnswer[]; progress: never };
  /** Serves runs of a validation's second session on `args.port` until it is closed (SecondSession). */
  secondSession: { args: SecondSessionArgs; result: void; progress: never };
  scorePair: { args: { project: ProjectConfig; deployedModel: string; candidateModel: string }; result: PairedScores; progress: never };
}

/** A task's code: its arguments, a progress callback and a cancel signal in, its result out. */
export type Handler<K extends keyof WorkerTasks> = (args: WorkerTasks[K]['args'], progress: (p: WorkerTasks[K]['progress']) => void, signal: AbortSignal) => Promise<WorkerTasks[K]['result']>;

export const workerHandlers: { [K in keyof WorkerTasks]: Handler<K> } = {
  inspect: (args, progress) => inspectModel(args.file, progress),
  validate: (args, progress, signal) => scoreModel(args.project, args.batches, progress, signal),
  infer: (args) => inferLocally(args.file, args.identity, args.requests),
  secondSession: (args) => serveSecondSession(args),
  scorePair: (args, _progress, signal) => scorePair(args.project, args.deployedModel, args.candidateModel, signal),
};
