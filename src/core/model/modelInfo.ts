/** What inspection reports about one model input or output. */
export interface TensorInfo {
  name: string;
  /** Element type as onnxruntime names it (float32, int64, string, ...); for non-tensors, their kind. */
  type: string;
  /** Dimensions: numbers where fixed, strings where symbolic ("?" for an unnamed one). Empty for a scalar. */
  shape: (number | string)[];
  isTensor: boolean;
}

/** What a model's file says about it: all that serving it needs. */
export interface ModelDescription {
  file: string;
  sizeBytes: number;
  irVersion: number;
  producer: { name: string; version: string };
  opsets: { domain: string; version: number }[];
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  /** The files the initializers are stored in, relative to the model's folder: they go into the image beside it. */
  externalData: string[];
  /** How the first dimension of the tensor inputs behaves: `free` allows batching; `fixed` means row by row. */
  batch: { kind: 'free' } | { kind: 'fixed'; size: number } | { kind: 'none' };
  /** Things the user should know (skipped non-tensor outputs, inputs batching cannot fill, ...). */
  notes: string[];
}

/** A model's description and its identity: the sha256 of its file, which reports, labels and metrics carry. */
export interface ModelInfo extends ModelDescription {
  sha256: string;
}

/**
 * A model's inspection in its two steps: `read`, what its file says (signature, sha256), in milliseconds;
 * then `loaded`, the same once onnxruntime has loaded the model, proving that it runs.
 */
export interface ModelInspection {
  read: Promise<ModelInfo>;
  loaded: Promise<ModelInfo>;
}
