import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { serializeError } from './serializeError';
import type { WorkerControl, WorkerEvent, WorkerRequest } from './workerProtocol';
import { workerHandlers, type WorkerTasks } from './workerTasks';

/** Entry of the core worker thread: runs one task named in workerData and posts its events. */
async function main(): Promise<void> {
  const { task, args } = workerData as WorkerRequest;
  const port = parentPort!;
  const post = (event: WorkerEvent) => port.postMessage(event);
  const cancel = new AbortController();
  port.on('message', (message: WorkerControl) => {
    if (message.type === 'cancel') cancel.abort();
  });
  port.unref(); // listening for a cancel must not keep the thread alive once the task is done
  try {
    const handler = workerHandlers[task as keyof WorkerTasks] as (a: unknown, p: (v: unknown) => void, signal: AbortSignal) => Promise<unknown>;
    if (!handler) throw new Error(`unknown worker task "${task}"`);
    post({ type: 'result', value: await handler(args, (value) => post({ type: 'progress', value }), cancel.signal) });
  } catch (error) {
    post({ type: 'error', error: serializeError(error) });
  }
}

// The bundle is also loaded on a main thread that runs the tasks itself (runCoreTasksOnCallingThread),
// with its own error classes, which only its own serializeError knows.
if (!isMainThread) void main();

export { serializeError, workerHandlers };
