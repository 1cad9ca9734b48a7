import type * as Ort from 'onnxruntime-node';

let ort: typeof Ort | undefined;

/**
 * onnxruntime-node, loaded on first use: its native library is about 40 MB and must not be loaded when
 * the extension activates or when a CLI command does not need it.
 */
export function onnxRuntime(): typeof Ort {
  if (!ort) {
    process.env.ORT_DISABLE_TELEMETRY ??= '1';
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    ort = require('onnxruntime-node') as typeof Ort;
  }
  return ort;
}

export type InferenceSession = Ort.InferenceSession;
export type Tensor = Ort.Tensor;
