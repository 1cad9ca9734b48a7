import type { ModelInfo, ModelInspection } from '../model/modelInfo';
import { runInWorker } from './runInWorker';

/**
 * Inspects a model on the worker thread, handing over what its file says as soon as it is read, before
 * onnxruntime loads it. A file that cannot be read settles both steps with the same error.
 */
export function inspectInWorker(file: string, signal?: AbortSignal): ModelInspection {
  let onRead: (info: ModelInfo) => void = () => undefined;
  const read = new Promise<ModelInfo>((resolve) => (onRead = resolve));
  const loaded = runInWorker('inspect', { file }, { signal, onProgress: onRead });
  // Awaited by whoever needs the load; until then its failure must not count as unhandled.
  loaded.catch(() => undefined);
  return { read: Promise.race([read, loaded]), loaded };
}
