// fs.promises is read where it is used: loading node:fs/promises is a millisecond of every model server's start.
import { promises as fs, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { InferenceSession as OrtSession } from 'onnxruntime-node';
import { UserError } from '../errors';
import { sha256Hex } from '../fileHash';
import { checkedExternalDataFiles, externalDataFiles } from './externalDataFiles';
import { checkInputSizes } from './inputSizeLimit';
import type { ModelDescription, ModelInfo, TensorInfo } from './modelInfo';
import { readOnnxHeader, type OnnxHeader } from './onnxHeader';
import { readOnnxSignature, type OnnxSignature } from './onnxSignature';
import { SyncSession } from './syncSession';

/**
 * Reports a model's signature, producer and identity, read from its file, then loads it with onnxruntime
 * to prove it runs. `onRead` gets the report before onnxruntime starts, for work that can begin at once
 * (a build) and that the load then confirms. Models that onnxruntime cannot serve as a whole (non-tensor
 * outputs, inputs of several kinds) are reported with notes, never a crash.
 */
export async function inspectModel(file: string, onRead?: (info: ModelInfo) => void): Promise<ModelInfo> {
  const { info, session } = await openModel(file, {}, onRead);
  session.release();
  return info;
}

/**
 * A model described from its file and loaded into an onnxruntime session with `options`; `onRead` gets the
 * description before onnxruntime starts. External data is read from the model's folder, never from the
 * working directory, and only from files inside that folder.
 */
export async function openModel(file: string, options: OrtSession.SessionOptions = {}, onRead?: (info: ModelInfo) => void): Promise<{ info: ModelInfo; session: SyncSession }> {
  const bytes = await readModelBytes(file);
  const info = readModelInfo(file, bytes);
  onRead?.(info);
  return { info, session: await loadSession(file, bytes, options) };
}

/**
 * A model described from its file and loaded to be served: as openModel, without the sha256 of the file,
 * which serving never uses and which costs the server, before it is ready, node's crypto module and a
 * pass over every byte of the model.
 */
export async function openModelToServe(file: string, options: OrtSession.SessionOptions): Promise<{ info: ModelDescription; session: SyncSession }> {
  // Read at once: onnxruntime blocks this thread longer to load the model anyway, and a model server that
  // read it through fs/promises was about 7 ms later to be ready (the module, the thread pool's start).
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw modelReadError(error, file);
  }
  const info = describeModel(file, bytes);
  return { info, session: await loadSession(file, bytes, options) };
}

async function loadSession(file: string, bytes: Buffer, options: OrtSession.SessionOptions): Promise<SyncSession> {
  await checkedExternalDataFiles(file, bytes).catch((error: unknown) => {
    // Bytes that are not a model are onnxruntime's to report, when it loads them.
    if (error instanceof UserError) throw error;
  });
  const folder = path.dirname(path.resolve(file));
  try {
    return SyncSession.load(bytes, { logSeverityLevel: 3, ...options, extra: { ...options.extra, session: { model_external_initializers_file_folder_path: folder } } });
  } catch (error) {
    const reason = String((error as Error).message ?? error).split('\n')[0];
    throw new UserError(`onnxruntime cannot load the model: ${reason}`, { file }, 'check that the file is complete and that its opset is supported by onnxruntime 1.30');
  }
}

/**
 * The model loaded for scoring, with one intra-op thread: scoring runs on a worker thread beside the data
 * reader thread, and inference threads spinning on the reader's core would slow both.
 */
export async function openScoringModel(file: string, onRead?: (info: ModelInfo) => void): Promise<{ info: ModelInfo; session: SyncSession }> {
  return openModel(file, { intraOpNumThreads: 1 }, onRead);
}

export async function readModelBytes(file: string): Promise<Buffer> {
  try {
    return await fs.readFile(file);
  } catch (error) {
    throw modelReadError(error, file);
  }
}

function modelReadError(error: unknown, file: string): UserError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new UserError('model file does not exist', { file }, 'check the "model" path in modeldeploy.yaml');
  if (code === 'EISDIR') return new UserError('model path is a folder, not an .onnx file', { file });
  return new UserError(`cannot read the model file: ${(error as Error).message}`, { file });
}

/**
 * The model's header and signature, and the sha256 of its file, or a UserError saying the file is not an
 * ONNX model, that its external data lies outside its folder, or that an input is too large to allocate.
 */
export function readModelInfo(file: string, bytes: Uint8Array): ModelInfo {
  const { file: resolved, sizeBytes, ...rest } = describeModel(file, bytes);
  // The sha256 third, as reports have always listed it.
  return { file: resolved, sizeBytes, sha256: sha256Hex(bytes), ...rest };
}

/** readModelInfo without the sha256. */
function describeModel(file: string, bytes: Uint8Array): ModelDescription {
  let header: OnnxHeader;
  let signature: OnnxSignature;
  try {
    header = readOnnxHeader(bytes);
    signature = readOnnxSignature(bytes);
  } catch {
    throw notOnnx(file, bytes);
  }
  return modelDescription(file, bytes, header, signature);
}

function notOnnx(file: string, bytes: Uint8Array): UserError {
  return new UserError(
    `not an ONNX model (${bytes.length} bytes that do not parse as an ONNX ModelProto)`,
    { file },
    'export the model to ONNX (torch.onnx.export, skl2onnx, tf2onnx) and point "model" at the .onnx file',
  );
}

function modelDescription(file: string, bytes: Uint8Array, header: OnnxHeader, { inputs, outputs }: OnnxSignature): ModelDescription {
  checkInputSizes(file, inputs);
  const externalData = [...new Set(externalDataFiles(file, bytes).map((external) => external.location))];
  const notes: string[] = [];
  for (const output of outputs.filter((o) => !o.isTensor)) {
    notes.push(`output "${output.name}" is not a tensor (a sequence or map, such as ZipMap's); it is neither served nor scored: use a tensor output`);
  }
  for (const input of inputs.filter((i) => !i.isTensor)) {
    notes.push(`input "${input.name}" is not a tensor; requests cannot fill it`);
  }
  const batch = batchOf(inputs);
  if (batch.kind === 'fixed') notes.push(`the batch dimension is fixed at ${batch.size}: validation runs row by row and the server does not batch requests`);
  return {
    file: path.resolve(file),
    sizeBytes: bytes.length,
    irVersion: header.irVersion,
    producer: { name: header.producerName, version: header.producerVersion },
    opsets: header.opsets.map((o) => ({ domain: o.domain || 'ai.onnx', version: o.version })),
    inputs,
    outputs,
    externalData,
    batch,
    notes,
  };
}

/**
 * The batch dimension is the first dimension of the ranked tensor inputs. It is free only when it is
 * symbolic on every such input; a number there means the model takes exactly that many rows.
 */
export function batchOf(inputs: TensorInfo[]): ModelInfo['batch'] {
  const ranked = inputs.filter((i) => i.isTensor && i.shape.length > 0);
  if (ranked.length === 0) return { kind: 'none' };
  const fixed = ranked.find((i) => typeof i.shape[0] === 'number');
  if (fixed) return { kind: 'fixed', size: fixed.shape[0] as number };
  return { kind: 'free' };
}
