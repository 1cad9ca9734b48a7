import * as path from 'node:path';
import { Worker, type Transferable } from 'node:worker_threads';
import { CancelledError } from '../errors';
import { disableOnnxTelemetry } from '../model/onnxRuntime';
import { deserializeError } from './serializeError';
import type { WorkerControl, WorkerEvent, WorkerRequest } from './workerProtocol';
import type { WorkerTasks } from './workerTasks';

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

/**
 * Runs a core task on a worker thread, so that onnxruntime (whose run() blocks its thread) and data
 * parsing never stall the caller: the VS Code extension host above all. Abort settles the promise at
 * once and asks the task to stop at its next checkpoint: terminating a thread while onnxruntime runs in
 * it aborts the whole process, so the thread is left to end by itself.
 */
export function runInWorker<K extends keyof WorkerTasks>(
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
