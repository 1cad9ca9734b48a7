import type { Tensor } from 'onnxruntime-node';
import { elementCount } from '../model/elementCount';
import { openModelToServe } from '../model/inspectModel';
import type { SyncSession } from '../model/syncSession';
import type { ModelDescription, TensorInfo } from '../model/modelInfo';
import { onnxRuntime } from '../model/onnxRuntime';
import { zeroTensorData } from '../model/zeroTensorData';
import { tensorDataToBytes } from './binaryTensors';
import { decodeInput } from './decodeInput';
import { deepFrozen } from './deepFrozen';
import { WRITTEN_TYPES, type WrittenData } from './jsonAnswerWriter';
import { encodeBinaryOutput, encodeOutput } from './encodeOutput';
import { fromFloat16Bits } from './float16';
import { oipDatatypeOf } from './oipDatatypes';
import { RequestBatcher, type BatchingOptions } from './requestBatcher';
import type { TensorData } from './tensorValues';
import { OipError, type OipInferenceResponse, type OipInferenceResponseHeader, type OipModelMetadata, type OipResponseOutputHeader, type OipTensorMetadata } from './oipTypes';

/**
 * onnxruntime's threads for one model's runs when nothing says otherwise: one, the server's own. Under
 * load, batching fills each run; a second thread would share its core with the HTTP work and spin
 * between runs, taking CPU from it (measured: under half the MNIST throughput on one core, and less with
 * two, at 1.7 cores' CPU against 1).
 */
export const DEFAULT_MODEL_THREADS = 1;

export interface HostOptions {
  /** onnxruntime's intra-op threads; 0: one per core, onnxruntime's own default. Default DEFAULT_MODEL_THREADS. */
  threads?: number;
  /** Dynamic batching settings; used only where the model's batch dimension is free. */
  batching?: BatchingOptions;
  /** Told the rows of every run, for the batch-size metric. */
  onRun?: (rows: number) => void;
  /** Told the inputs of every request that inference succeeded on, for the input drift metrics. */
  onAnswered?: (feeds: Readonly<Record<string, Tensor>>) => void;
}

/** A request's answer: the response (its JSON part) and the bytes of the outputs sent as binary, in order. */
export interface Answer {
  response: OipInferenceResponseHeader;
  binary: Uint8Array[];
  /**
   * For the server, when every output goes as JSON with data that JsonAnswerWriter writes: each output's
   * values, in order, which the response's outputs then lack.
   */
  data?: WrittenData[];
}

export interface ModelIdentity {
  name: string;
  version: string;
  /** Class names by index: predicted names are added to classifier outputs. */
  labels?: string[];
}

/** One loaded model: its protocol metadata and inference from protocol requests. */
export class ModelHost {
  /** Present when requests are merged into shared runs. */
  readonly batcher?: RequestBatcher;
  /** The outputs the protocol can carry: what every run fetches. */
  readonly tensorOutputs: TensorInfo[];
  private readonly outputNames: string[];
  private readonly fetches: Record<string, null>;
  /** Every output, as JSON and as binary: what a request that names no outputs gets. */
  private readonly everyOutput: Record<'json' | 'binary', { info: TensorInfo; binary: boolean }[]>;
  /** The last JSON part that other requests can share (see encode), of answers with binary outputs and of JSON ones: clients may mix them. */
  private readonly lastShared: Record<'binary' | 'json', { wanted: { info: TensorInfo; binary: boolean }[]; response: OipInferenceResponseHeader } | undefined> = { binary: undefined, json: undefined };
  /** How long the warm-up run took, once load() has made it. */
  warmUpMs = 0;

  private constructor(
    readonly identity: ModelIdentity,
    readonly info: ModelDescription,
    private readonly session: SyncSession,
    /** Reading the model and creating its onnxruntime session (onnxruntime's own start-up included). */
    readonly loadMs: number,
    private readonly options: HostOptions,
  ) {
    this.tensorOutputs = info.outputs.filter((o) => o.isTensor && oipDatatypeOf(o.type));
    this.outputNames = this.tensorOutputs.map((o) => o.name);
    this.fetches = Object.fromEntries(this.outputNames.map((name) => [name, null]));
    this.everyOutput = { json: this.tensorOutputs.map((info) => ({ info, binary: false })), binary: this.tensorOutputs.map((info) => ({ info, binary: true })) };
    if (options.batching && canBatch(info)) this.batcher = new RequestBatcher((feeds) => this.runAll(feeds), options.batching);
  }

  /** Loads the model and makes one warm-up run, so that the first request is not the slow one. */
  static async load(file: string, identity: ModelIdentity, options: HostOptions = {}): Promise<ModelHost> {
    const started = performance.now();
    const { info, session } = await openModelToServe(file, { intraOpNumThreads: options.threads ?? DEFAULT_MODEL_THREADS });
    const host = new ModelHost(identity, info, session, performance.now() - started, options);
    const warmUpStarted = performance.now();
    await host.warmUp();
    host.warmUpMs = performance.now() - warmUpStarted;
    return host;
  }

  metadata(): OipModelMetadata {
    const describe = (t: TensorInfo): OipTensorMetadata => ({ name: t.name, datatype: oipDatatypeOf(t.type)!, shape: t.shape.map((d) => (typeof d === 'number' ? d : -1)) });
    return {
      name: this.identity.name,
      versions: [this.identity.version],
      platform: 'onnx_onnxv1',
      inputs: this.info.inputs.filter((i) => i.isTensor && oipDatatypeOf(i.type)).map(describe),
      outputs: this.tensorOutputs.map(describe),
    };
  }

  /** Answers a request with every output as JSON `data` (what in-process reference inference uses). */
  async infer(body: unknown, binaryInputs?: ReadonlyMap<object, Uint8Array>): Promise<OipInferenceResponse> {
    const { response } = await new Promise<Answer>((resolve, reject) => this.answer(body, binaryInputs, false, (error, answer) => (answer ? resolve(answer) : reject(error))));
    return response as OipInferenceResponse;
  }

  /**
   * Answers a request. `served`: as the server does, where outputs the request asks for as binary (binary
   * tensor data extension) come back without `data`, with their bytes in `binary` in the order of those
   * outputs, and JSON outputs may come with their values in `data` (see Answer). `binaryInputs` holds the
   * bytes of each binary input (by its object in the request's `inputs`). `done` hears of the answer or of
   * the error (an OipError for the client's mistakes and failed runs), once. A callback, not a promise:
   * this runs for every request.
   */
  answer(body: unknown, binaryInputs: ReadonlyMap<object, Uint8Array> | undefined, served: boolean, done: (error: unknown, answer?: Answer) => void): void {
    let request: { id?: unknown; inputs?: unknown; outputs?: unknown; parameters?: unknown };
    let feeds: Record<string, Tensor>;
    let wanted: { info: TensorInfo; binary: boolean }[];
    try {
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new OipError(400, 'the request body must be a JSON object with "inputs"');
      request = body as typeof request;
      if (!Array.isArray(request.inputs)) throw new OipError(400, 'the request has no "inputs" list');
      feeds = this.feeds(request.inputs, binaryInputs);
      wanted = this.selectOutputs(request.outputs, binaryOutputDefault(request.parameters), served);
    } catch (error) {
      return done(error);
    }
    const ran = (error: unknown, results?: Record<string, Tensor>) => {
      if (!results) return done(new OipError(500, `inference failed: ${String((error as Error)?.message ?? error).split('\n')[0]}`));
      let answer: Answer;
      try {
        this.options.onAnswered?.(feeds);
        answer = this.encode(request.id, wanted, results, served);
      } catch (encodeError) {
        return done(encodeError);
      }
      done(undefined, answer);
    };
    if (this.batcher) this.batcher.submit(feeds, ran);
    else this.runAll(feeds).then((results) => ran(undefined, results), ran);
  }

  /** The response to a request with id `id` from its run's `results`: the outputs `wanted`, each as JSON or binary. */
  private encode(id: unknown, wanted: { info: TensorInfo; binary: boolean }[], results: Record<string, Tensor>, served: boolean): Answer {
    // A JSON part that holds nothing of its request's own (no id, no class names, and every output binary,
    // or, for the server, every output JSON with values that JsonAnswerWriter writes, which are left out)
    // is the same for every request that asks for the same outputs of the same shapes: the last one of
    // each kind is kept, frozen, and the server writes its JSON once.
    const allBinary = wanted.every((w) => w.binary);
    const shareable = typeof id !== 'string' && !this.identity.labels && (allBinary || (served && wanted.every((w) => !w.binary && WRITTEN_TYPES.has((results[w.info.name] as Tensor).type))));
    if (shareable) {
      const kind = allBinary ? 'binary' : 'json';
      const last = this.lastShared[kind];
      const response = last?.wanted === wanted && wanted.every(({ info }, i) => sameDims(last.response.outputs[i].shape, (results[info.name] as Tensor).dims)) ? last.response : this.sharedResponse(kind, wanted, results);
      const tensors = wanted.map(({ info }) => results[info.name] as Tensor);
      return allBinary
        ? { response, binary: tensors.map((tensor, i) => tensorDataToBytes(response.outputs[i].datatype, tensor.data as TensorData)) }
        : { response, binary: [], data: tensors.map((tensor) => tensor.data as WrittenData) };
    }
    const binary: Uint8Array[] = [];
    const outputs = wanted.map(({ info, binary: asBinary }) => {
      const tensor = results[info.name] as Tensor;
      let output: OipResponseOutputHeader;
      if (asBinary) {
        const encoded = encodeBinaryOutput(info.name, tensor);
        binary.push(encoded.bytes);
        output = encoded.output;
      } else output = encodeOutput(info.name, tensor);
      return this.withClassNames(output, tensor);
    });
    const { name, version } = this.identity;
    const response = typeof id === 'string' ? { model_name: name, model_version: version, id, outputs } : { model_name: name, model_version: version, outputs };
    return { response, binary };
  }

  /** The JSON part shared by answers (see encode), kept as the last one of its kind: binary outputs, or JSON outputs without their data. */
  private sharedResponse(kind: 'binary' | 'json', wanted: { info: TensorInfo; binary: boolean }[], results: Record<string, Tensor>): OipInferenceResponseHeader {
    const outputs = wanted.map(({ info, binary }) => {
      const tensor = results[info.name] as Tensor;
      return binary ? encodeBinaryOutput(info.name, tensor).output : { name: info.name, shape: [...tensor.dims], datatype: oipDatatypeOf(tensor.type)! };
    });
    const response = deepFrozen({ model_name: this.identity.name, model_version: this.identity.version, outputs });
    this.lastShared[kind] = { wanted, response };
    return response;
  }

  /** One run fetching every tensor output, so requests that asked for different outputs can share it. */
  private async runAll(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
    const rows = Object.values(feeds)[0]?.dims[0];
    if (rows !== undefined) this.options.onRun?.(rows);
    return this.session.run(feeds, this.fetches);
  }

  private feeds(inputs: unknown[], binary?: ReadonlyMap<object, Uint8Array>): Record<string, Tensor> {
    const feeds: Record<string, Tensor> = {};
    let given = 0;
    for (const input of inputs) {
      const name = (input as { name?: unknown })?.name;
      const spec = this.info.inputs.find((i) => i.name === name);
      if (!spec) throw new OipError(400, `the model has no input ${JSON.stringify(name)}; its inputs are ${this.info.inputs.map((i) => i.name).join(', ')}`);
      if (feeds[spec.name]) throw new OipError(400, `input "${spec.name}" is given twice`);
      // Written where the batcher's next run reads them, when there is a batcher.
      feeds[spec.name] = decodeInput(input, spec, binary?.get(input as object), this.batcher);
      given++;
    }
    if (given < this.info.inputs.length) {
      const missing = this.info.inputs.filter((i) => !feeds[i.name]);
      throw new OipError(400, `missing input${missing.length > 1 ? 's' : ''} ${missing.map((i) => `"${i.name}"`).join(', ')}`);
    }
    return feeds;
  }

  /** The outputs asked for (all by default), each with whether it goes back as binary data. */
  private selectOutputs(requested: unknown, binaryDefault: boolean, allowBinary: boolean): { info: TensorInfo; binary: boolean }[] {
    if (requested === undefined) return this.everyOutput[allowBinary && binaryDefault ? 'binary' : 'json'];
    if (!Array.isArray(requested)) throw new OipError(400, '"outputs" must be a list of {"name": ...}');
    return requested.map((o) => {
      const name = (o as { name?: unknown })?.name;
      const found = this.tensorOutputs.find((t) => t.name === name);
      if (!found) throw new OipError(400, `the model has no output ${JSON.stringify(name)}; its outputs are ${this.tensorOutputs.map((t) => t.name).join(', ')}`);
      // An output's own binary_data wins over the request's binary_data_output, as in Triton.
      const own = booleanParameter((o as { parameters?: unknown }).parameters, 'binary_data', `output "${found.name}"`);
      return { info: found, binary: allowBinary && (own ?? binaryDefault) };
    });
  }

  /**
   * A classifier's scores [N, classes] get the predicted class name of each row in the output's
   * parameters, which the protocol allows and standard clients ignore.
   */
  private withClassNames(output: OipResponseOutputHeader, tensor: Tensor): OipResponseOutputHeader {
    const labels = this.identity.labels;
    if (!labels || output.shape.length !== 2 || output.shape[1] !== labels.length || !tensor.data.length || tensor.type === 'bool' || tensor.type === 'string') return output;
    const raw = tensor.data as ArrayLike<number | bigint>;
    const value = tensor.type === 'float16' ? (i: number) => fromFloat16Bits(raw[i] as number) : (i: number) => raw[i];
    const width = labels.length;
    const names = Array.from({ length: output.shape[0] }, (_, r) => {
      let best = 0;
      for (let c = 1; c < width; c++) if (value(r * width + c) > value(r * width + best)) best = c;
      return labels[best];
    });
    return { ...output, parameters: { ...output.parameters, class_names: names } };
  }

  /** A run on zeros (one row where the batch is free); a model that fails it never becomes ready. */
  private async warmUp(): Promise<void> {
    const ort = onnxRuntime();
    const feeds: Record<string, Tensor> = {};
    for (const input of this.info.inputs) {
      const dims = input.shape.map((d) => (typeof d === 'number' ? d : 1));
      const size = elementCount(dims);
      feeds[input.name] = new ort.Tensor(input.type as 'float32', zeroTensorData(input.type, size) as Float32Array, dims);
    }
    this.session.run(feeds, this.fetches);
  }

  async close(): Promise<void> {
    this.session.release();
  }
}

/** Whether a response output's shape (frozen: a loop, see elementCount) is a run's output dims. */
function sameDims(shape: readonly number[], dims: readonly number[]): boolean {
  if (shape.length !== dims.length) return false;
  for (let i = 0; i < shape.length; i++) if (shape[i] !== dims[i]) return false;
  return true;
}

/** Batching is safe when every input and output has a free first dimension: rows go in and come out. */
function canBatch(info: ModelDescription): boolean {
  const tensors = [...info.inputs, ...info.outputs.filter((o) => o.isTensor)];
  return info.batch.kind === 'free' && info.inputs.every((i) => i.isTensor) && tensors.every((t) => t.shape.length > 0 && typeof t.shape[0] === 'string');
}

/** A boolean parameter, or undefined when absent; 400 when it is something else. */
function booleanParameter(parameters: unknown, key: string, where: string): boolean | undefined {
  if (typeof parameters !== 'object' || parameters === null) return undefined;
  const value = (parameters as Record<string, unknown>)[key];
  if (value === undefined || typeof value === 'boolean') return value;
  throw new OipError(400, `${where}: the parameter ${key} must be true or false, not ${JSON.stringify(value)}`);
}

/** Whether outputs go back as binary data unless they say otherwise: the request's binary_data_output. */
function binaryOutputDefault(parameters: unknown): boolean {
  return booleanParameter(parameters, 'binary_data_output', 'the request') ?? false;
}
