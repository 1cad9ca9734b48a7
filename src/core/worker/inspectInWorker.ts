import * as fs from 'node:fs';
import { readModelInfo } from '../model/inspectModel';
import type { ModelInfo, ModelInspection } from '../model/modelInfo';
import { runOnWorkerThread } from './runInWorker';

/**
 * Up to this size a model is read and hashed on the calling thread, in a few milliseconds: less than a
 * worker thread takes to start. Larger ones are read on the thread, where hashing them stalls no one.
 */
const READ_HERE_BYTES = 4 * 1024 * 1024;

/**
 * Inspects a model on a worker thread, beside the caller's own work (a build), handing over what its file
 * says as soon as it is read, before onnxruntime loads it: always a thread of its own, even in a process
 * that runs its core tasks on the calling thread. A file that cannot be read settles both steps with the
 * same error.
 */
export function inspectInWorker(file: string, signal?: AbortSignal): ModelInspection {
  let onRead: (info: ModelInfo) => void = () => undefined;
  const read = new Promise<ModelInfo>((resolve) => (onRead = resolve));
  const small = (fs.statSync(file, { throwIfNoEntry: false })?.size ?? Infinity) <= READ_HERE_BYTES;
  const loaded = runOnWorkerThread('inspect', { file }, { signal, onProgress: small ? undefined : onRead });
  // Awaited by whoever needs the load; until then its failure must not count as unhandled.
  loaded.catch(() => undefined);
  if (small) {
    try {
      onRead(readModelInfo(file, fs.readFileSync(file)));
    } catch {
      // The worker reports the same problem, with the file named, through `loaded`.
    }
  }
  const readOrFailed = Promise.race([read, loaded]);
  // A model that does not parse settles this at once, maybe before the caller awaits it: not unhandled.
  readOrFailed.catch(() => undefined);
  return { read: readOrFailed, loaded };
}
