/** Open Inference Protocol v2 (KServe / Triton "v2") REST bodies, as the specification names them. */

export type OipDatatype = 'BOOL' | 'UINT8' | 'UINT16' | 'UINT32' | 'UINT64' | 'INT8' | 'INT16' | 'INT32' | 'INT64' | 'FP16' | 'FP32' | 'FP64' | 'BYTES';

export type OipData = (number | string | boolean | OipData)[];

export interface OipRequestInput {
  name: string;
  shape: number[];
  datatype: OipDatatype;
  parameters?: Record<string, unknown>;
  data: OipData;
}

export interface OipInferenceRequest {
  id?: string;
  parameters?: Record<string, unknown>;
  inputs: OipRequestInput[];
  outputs?: { name: string; parameters?: Record<string, unknown> }[];
}

export interface OipResponseOutput {
  name: string;
  shape: number[];
  datatype: OipDatatype;
  parameters?: Record<string, unknown>;
  data: (number | string | boolean | bigint)[];
}

/** A response output as the JSON part of a binary answer carries it: `data` only when not binary. */
export type OipResponseOutputHeader = Omit<OipResponseOutput, 'data'> & { data?: OipResponseOutput['data'] };

/** The JSON of a response whose outputs may be binary (their bytes follow the JSON). */
export interface OipInferenceResponseHeader extends Omit<OipInferenceResponse, 'outputs'> {
  outputs: OipResponseOutputHeader[];
}

export interface OipInferenceResponse {
  model_name: string;
  model_version?: string;
  id?: string;
  parameters?: Record<string, unknown>;
  outputs: OipResponseOutput[];
}

export interface OipTensorMetadata {
  name: string;
  datatype: OipDatatype;
  /** -1 for a free dimension. */
  shape: number[];
}

export interface OipModelMetadata {
  name: string;
  versions: string[];
  platform: 'onnx_onnxv1';
  inputs: OipTensorMetadata[];
  outputs: OipTensorMetadata[];
}

/** A request the server refuses: `status` is the HTTP status of the `{"error": message}` answer. */
export class OipError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'OipError';
  }
}
