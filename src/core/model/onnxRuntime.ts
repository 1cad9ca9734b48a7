import type * as Ort from 'onnxruntime-node';

let ort: typeof Ort | undefined;

/**
 * onnxruntime-node, loaded on first use: its native library is about 40 MB and must not be loaded when
 * the extension activates or when a CLI command does not need it.
 */
export function onnxRuntime(): typeof Ort {
  if (!ort) {
    disableOnnxTelemetry();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    ort = require('onnxruntime-node') as typeof Ort;
  }
  return ort;
}

/**
 * Turns off onnxruntime's telemetry, which writes session files into the temp folder on every model load
 * and may try to upload them. The native library reads the process's real environment, which a worker
 * thread's `process.env` (a copy) cannot change: call this on the main thread before a worker loads it.
 */
export function disableOnnxTelemetry(): void {
  process.env.ORT_DISABLE_TELEMETRY ??= '1';
}

export type Tensor = Ort.Tensor;
