import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { Tensor } from 'onnxruntime-node';
import { elementCount } from '../model/elementCount';
import { openScoringModel } from '../model/inspectModel';
import type { ModelInfo } from '../model/modelInfo';
import { onnxRuntime } from '../model/onnxRuntime';
import { runOnWorkerThread } from '../worker/runInWorker';
import { deserializeError, serializeError } from '../worker/serializeError';
import type { SerializedError } from '../worker/workerProtocol';
import type { InputPlan } from './inputPlan';
import type { DataBatch } from './dataReader';
import { InputScratch, type InputArray } from './modelInputs';
import type { ScoredOutput } from './scorers';

/** What a second session's thread is started with. */
export interface SecondSessionArgs {
  file: string;
  port: MessagePort;
}

/** Which input takes the values, of which type, and which output is scored. */
export type RunPlan = Pick<InputPlan, 'inputName' | 'elementType' | 'outputName'>;

/** Pieces of input laid end to end, each of `dims` (the model's fixed batch first). */
type RunRequest = { type: 'run'; plan: RunPlan; values: InputArray; pieces: number; dims: number[] } | { type: 'close' };
/** The model loaded, as its file describes it; the scored output of every piece, laid end to end, each of `dims`, and the input, given back. */
type RunReply = { type: 'ready'; info: ModelInfo } | { type: 'outputs'; data: Tensor['data']; dims: readonly number[]; values: InputArray } | { type: 'error'; error: SerializedError };

/** A run's outputs, one per piece, and its input values, moved back to the caller. */
export interface SecondRun {
  outputs: ScoredOutput[];
  values: InputArray;
}

/**
 * The same model in a session on a thread of its own, so that two rows are scored at once where the model
 * takes one row per run(): a fixed batch leaves onnxruntime nothing to spread over a second core, and one
 * intra-op thread is the faster for such small runs. The scoring thread hands it the second half of a batch
 * and runs the first half itself; it is only handed work while it is idle, so a slow start costs nothing.
 */
export class SecondSession {
  private ready = false;
  private busy = false;
  private failure?: Error;
  private pending?: { resolve: (run: SecondRun) => void; reject: (error: Error) => void };
  private readonly done: Promise<void>;
  private readonly loaded: Promise<ModelInfo>;
  private settleLoad!: { resolve: (info: ModelInfo) => void; reject: (error: Error) => void };

  private constructor(private readonly port: MessagePort, task: Promise<void>) {
    this.loaded = new Promise((resolve, reject) => (this.settleLoad = { resolve, reject }));
    this.loaded.catch(() => undefined); // awaited only by callers that wait for the model
    port.on('message', (reply: RunReply) => this.receive(reply));
    this.done = task.catch((error: Error) => this.fail(error));
  }

  /**
   * Starts the thread, which loads the model: a model of its own for a caller that runs two models at once,
   * or the caller's, which then loads its own meanwhile and begins scoring.
   */
  static start(file: string): SecondSession {
    const { port1, port2 } = new MessageChannel();
    return new SecondSession(port2, runOnWorkerThread('secondSession', { file, port: port1 }, { transfer: [port1] }));
  }

  /** The model once it is loaded, as its file describes it; rejects with the reason it cannot be. */
  whenReady(): Promise<ModelInfo> {
    return this.loaded;
  }

  /** Loaded and not running anything: a run now starts at once. */
  get idle(): boolean {
    return this.ready && !this.busy && !this.failure;
  }

  /**
   * Runs the batch's rows from `from` to its end, `step` rows a run (the last run padded with zeros), on
   * the thread. The promise is for the caller to await once its own half is scored: it is not reported
   * as unhandled if the caller fails first.
   */
  runRows(plan: InputPlan, batch: DataBatch, from: number, step: number): Promise<SecondRun> {
    if (!this.idle) return Promise.reject(this.failure ?? new Error('the second scoring session is not idle'));
    const runs = Math.ceil((batch.count - from) / step);
    const values = new InputScratch(plan.elementType).fill(batch.features.subarray(from * plan.rowSize, batch.count * plan.rowSize), runs * step * plan.rowSize);
    const request: RunRequest = { type: 'run', plan: { inputName: plan.inputName, elementType: plan.elementType, outputName: plan.outputName }, values, pieces: runs, dims: [step, ...plan.rowShape] };
    this.busy = true;
    const run = new Promise<SecondRun>((resolve, reject) => {
      this.pending = { resolve, reject };
      this.port.postMessage(request, [values.buffer as ArrayBuffer]);
    });
    run.catch(() => undefined);
    return run;
  }

  /** Ends the thread once its run in flight, if any, is over. */
  async close(): Promise<void> {
    this.port.postMessage({ type: 'close' } satisfies RunRequest);
    await this.done;
    this.port.close();
  }

  private receive(reply: RunReply): void {
    if (reply.type === 'ready') {
      this.ready = true;
      this.settleLoad.resolve(reply.info);
      return;
    }
    this.busy = false;
    if (reply.type === 'error') return this.fail(deserializeError(reply.error));
    const pending = this.pending;
    this.pending = undefined;
    pending?.resolve({ outputs: splitPieces(reply.data, reply.dims), values: reply.values });
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.settleLoad.reject(this.failure);
    this.pending?.reject(this.failure);
    this.pending = undefined;
  }
}

function splitPieces(data: Tensor['data'], dims: readonly number[]): ScoredOutput[] {
  const size = elementCount(dims);
  const pieces: ScoredOutput[] = [];
  for (let offset = 0; offset < data.length; offset += size) pieces.push({ data: (data as Float32Array).subarray(offset, offset + size), dims });
  return pieces;
}

/** The thread's side: loads the model, says so, and runs what it is sent until it is told to close. */
export async function serveSecondSession({ file, port }: SecondSessionArgs): Promise<void> {
  const { info, session } = await openScoringModel(file);
  const ort = onnxRuntime();
  try {
    await new Promise<void>((resolve) => {
      // Told to close, or its caller's side is gone.
      port.on('close', resolve);
      port.on('message', (request: RunRequest) => {
        if (request.type === 'close') return resolve();
        try {
          const { plan } = request;
          const fetches = { [plan.outputName]: null };
          const { data, dims } = runPieces(request, (values) => session.run({ [plan.inputName]: new ort.Tensor(plan.elementType, values, request.dims) }, fetches)[plan.outputName]);
          port.postMessage({ type: 'outputs', data, dims, values: request.values } satisfies RunReply, [(data as Float32Array).buffer as ArrayBuffer, request.values.buffer as ArrayBuffer]);
        } catch (error) {
          port.postMessage({ type: 'error', error: serializeError(error) } satisfies RunReply);
        }
      });
      port.postMessage({ type: 'ready', info } satisfies RunReply);
    });
  } finally {
    port.close();
    session.release();
  }
}

/** Runs each piece and lays their outputs end to end in one array of the output's own type. */
function runPieces(request: Extract<RunRequest, { type: 'run' }>, run: (values: InputArray) => Tensor): { data: Tensor['data']; dims: readonly number[] } {
  const size = elementCount(request.dims);
  let all: Float32Array | undefined;
  let dims: readonly number[] = [];
  for (let piece = 0; piece < request.pieces; piece++) {
    const output = run(request.values.subarray(piece * size, (piece + 1) * size) as InputArray);
    const data = output.data as Float32Array;
    if (!all) {
      all = new (data.constructor as Float32ArrayConstructor)(data.length * request.pieces);
      dims = output.dims;
    }
    all.set(data, piece * data.length);
  }
  return { data: all ?? new Float32Array(0), dims };
}
