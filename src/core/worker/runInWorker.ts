import * as path from 'node:path';
import { Worker, type Transferable } from 'node:worker_threads';
import { CancelledError } from '../errors';
import { disableOnnxTelemetry } from '../model/onnxRuntime';
import { deserializeError } from './serializeError';
import type { WorkerControl, WorkerEvent, WorkerRequest } from './workerProtocol';
import type { Handler, WorkerTasks } from './workerTasks';

export interface WorkerOptions<P> {
  signal?: AbortSignal;
  onProgress?: (progress: P) => void;
  /** Objects in the arguments to move to the thread rather than copy, such as message ports. */
  transfer?: Transferable[];
}

/** The worker script sits next to this module: dist/coreWorker.js in the bundles, out/.../coreWorker.js in tests. */
export const CORE_WORKER_SCRIPT = path.join(__dirname, 'coreWorker.js');

/** How long a cancelled task may take to stop at its next checkpoint before its thread is terminated. */
const CANCEL_GRACE_MS = 30_000;

/** Whether this process runs core tasks on the thread that asks for them (runCoreTasksOnCallingThread). */
let onCallingThread = false;

/**
 * From now on (or, with false, no longer), runInWorker runs core tasks on the thread that calls it: for
 * the command line, whose main thread has nothing else to do meanwhile, so that it skips starting a
 * thread and loading the worker's code in it, about 15 ms of every command that runs onnxruntime. The
 * threads a task starts itself (the data reader, a second session) are threads all the same.
 */
export function runCoreTasksOnCallingThread(on = true): void {
  onCallingThread = on;
}

/**
 * Runs a core task on a worker thread, so that onnxruntime (whose run() blocks its thread) and data
 * parsing never stall the caller: the VS Code extension host above all; or on the calling thread, in a
 * process that asked for that (runCoreTasksOnCallingThread).
 */
export function runInWorker<K extends keyof WorkerTasks>(
  task: K,
  args: WorkerTasks[K]['args'],
  options: WorkerOptions<WorkerTasks[K]['progress']> = {},
): Promise<WorkerTasks[K]['result']> {
  return onCallingThread ? runOnCallingThread(task, args, options) : runOnWorkerThread(task, args, options);
}

/** The task's handler, as the core worker's bundle has it, run here; a cancel is seen at its next checkpoint. */
async function runOnCallingThread<K extends keyof WorkerTasks>(
  task: K,
  args: WorkerTasks[K]['args'],
  options: WorkerOptions<WorkerTasks[K]['progress']>,
): Promise<WorkerTasks[K]['result']> {
  if (options.signal?.aborted) throw new CancelledError();
  disableOnnxTelemetry();
  // Loaded when first asked for, from its own bundle: the caller's bundle does not carry the tasks' code.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const bundle = require(CORE_WORKER_SCRIPT) as typeof import('./coreWorker');
  const handler = bundle.workerHandlers[task] as unknown as Handler<K>;
  try {
    return await handler(args, options.onProgress ?? (() => undefined), options.signal ?? new AbortController().signal);
  } catch (error) {
    if (options.signal?.aborted) throw new CancelledError();
    // The bundle has classes of its own: its errors cross over as they would from a thread, as data made
    // by its serializeError into this side's classes, so that a user error is still a UserError here.
    throw deserializeError(bundle.serializeError(error));
  }
}

/**
 * Runs a core task on a thread of its own, whatever the process asked for. Abort settles the promise at
 * once and asks the task to stop at its next checkpoint: terminating a thread while onnxruntime runs in
 * it aborts the whole process, so the thread is left to end by itself.
 */
export function runOnWorkerThread<K extends keyof WorkerTasks>(
  task: K,
  args: WorkerTasks[K]['args'],
  options: WorkerOptions<WorkerTasks[K]['progress']> = {},
): Promise<WorkerTasks[K]['result']> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(new CancelledError());
    disableOnnxTelemetry();
    const worker = new Worker(CORE_WORKER_SCRIPT, { workerData: { task, args } satisfies WorkerRequest, transferList: options.transfer });
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = () =>
      finish(() => {
        worker.postMessage({ type: 'cancel' } satisfies WorkerControl);
        // A task that never reaches a checkpoint (a stuck model load) is stopped the hard way.
        setTimeout(() => void worker.terminate(), CANCEL_GRACE_MS).unref();
        reject(new CancelledError());
      });
    options.signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (event: WorkerEvent) => {
      if (event.type === 'progress') options.onProgress?.(event.value as WorkerTasks[K]['progress']);
      else if (event.type === 'result') finish(() => resolve(event.value as WorkerTasks[K]['result']));
      else finish(() => reject(deserializeError(event.error)));
    });
    worker.on('error', (error) => finish(() => reject(error)));
    worker.on('exit', (code) => finish(() => reject(new Error(`the worker thread exited with code ${code} before it answered`))));
  });
}
