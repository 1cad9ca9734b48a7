import type { Tensor } from 'onnxruntime-node';
import { onnxRuntime } from '../model/onnxRuntime';
import type { InputArrays, NumericArrayType, NumericData } from './tensorValues';

type Feeds = Record<string, Tensor>;
type Outputs = Record<string, Tensor>;

/** Told a request's own outputs, or why its run failed; called once, and must not throw. */
export type Answered = (error: unknown, outputs?: Outputs) => void;

interface Pending {
  feeds: Feeds;
  rows: number;
  answered: Answered;
}

/**
 * One input's values for the next batch, written as requests arrive: array() hands out the room after
 * `top`, and a request's submit() keeps its values when they begin at `end` (the values of the requests
 * queued so far, end to end). Room handed out to a request that never came (its decoding failed) is a gap.
 */
interface Stage {
  array: NumericData;
  end: number;
  top: number;
}

/** The most bytes one input's stage grows to; values beyond get arrays of their own and are joined by copying. */
const STAGE_LIMIT_BYTES = 16 << 20;

export interface BatchingOptions {
  /** How long the first request of a batch waits for company; 0: until the event loop's next turn. */
  windowMs: number;
  /** Most rows in one run. */
  maxRows: number;
}

/**
 * Dynamic batching: requests that arrive together are merged along the batch dimension into one run()
 * and the outputs are split back per request. One run at a time: requests that arrive while a run is
 * in flight queue up and go together in the next one, so under load batches form by themselves, and
 * alone a request waits no longer than `windowMs`.
 *
 * Requests' values can be written straight where the run reads them (InputArrays, array()): a batch whose
 * requests all were written so runs on that memory as it is, instead of on a copy joined from each
 * request's array. Measured under load, the copy cost more than its bytes suggest: it reads each request's
 * values back after the rest of the batch has been decoded, when they have left the processor's caches.
 */
export class RequestBatcher implements InputArrays {
  private queue: Pending[] = [];
  /** Rows in the queue. */
  private queuedRows = 0;
  private scheduled = false;
  private running = false;
  /**
   * The arrays of past batches' inputs, by input name, to fill again: a run is done with its inputs once
   * it returns, and a batch's arrays are the size of many requests' (new ones each time would be zeroed
   * and collected again and again).
   */
  private readonly spare = new Map<string, NumericData>();
  /** The stages that the queued requests' values are written to, by input name. */
  private filling = new Map<string, Stage>();
  /** The other stages, to fill once their batch is over: undefined while it is in flight. */
  private free: Map<string, Stage> | undefined;
  /** Whether every input of every queued request lies in its stage, in the order queued. */
  private queueStaged = true;

  constructor(
    private readonly run: (feeds: Feeds) => Promise<Outputs>,
    private readonly options: BatchingOptions,
  ) {}

  /** Queues a request for a run; `answered` hears of its outputs. A callback, not a promise: this runs for every request. */
  submit(feeds: Feeds, answered: Answered): void {
    let rows: number | undefined;
    for (const name in feeds) {
      const tensor = feeds[name];
      rows ??= tensor.dims[0];
      if (!this.keep(name, tensor.data)) this.queueStaged = false;
    }
    rows ??= 0;
    this.queue.push({ feeds, rows, answered });
    this.queuedRows += rows;
    if (this.queuedRows >= this.options.maxRows) this.flush();
    else this.schedule();
  }

  /**
   * Room for `length` values of `type` for input `name` in the next batch, to be filled whole and then
   * submitted; undefined when the stage would grow past its limit or holds another type.
   */
  array<T extends NumericData>(name: string, type: NumericArrayType<T>, length: number): T | undefined {
    let stage = this.filling.get(name);
    if (stage && stage.array.constructor !== type) return undefined;
    const top = stage?.top ?? 0;
    if ((top + length) * type.BYTES_PER_ELEMENT > STAGE_LIMIT_BYTES) return undefined;
    if (!stage || top + length > stage.array.length) {
      // Grown with what it holds, so that the kept values stay end to end (requests keep their views of the old array).
      const grown = new type(Math.min(Math.max(top + length, 2 * (stage?.array.length ?? 0)), STAGE_LIMIT_BYTES / type.BYTES_PER_ELEMENT));
      if (stage) (grown as Float32Array).set(stage.array.subarray(0, stage.end) as Float32Array);
      stage = { array: grown, end: stage?.end ?? 0, top };
      this.filling.set(name, stage);
    }
    stage.top = top + length;
    return stage.array.subarray(top, top + length) as T;
  }

  /** Keeps a submitted input's values in its stage when they lie right after the values kept so far. */
  private keep(name: string, data: Tensor['data']): boolean {
    const stage = this.filling.get(name);
    if (!stage || Array.isArray(data)) return false;
    const array = stage.array;
    if ((data as NumericData).buffer !== array.buffer || (data as NumericData).byteOffset !== array.byteOffset + stage.end * array.BYTES_PER_ELEMENT) return false;
    stage.end += data.length;
    return true;
  }

  private schedule(): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    if (this.options.windowMs > 0) setTimeout(() => this.flush(), this.options.windowMs);
    else setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    if (this.running || !this.queue.length) return;
    const queue = this.queue;
    const staged = this.queueStaged;
    // These stages go with this flush's runs; the requests from now on fill the others.
    const stages = this.filling;
    this.filling = this.free ?? new Map();
    this.free = undefined;
    this.queue = [];
    this.queuedRows = 0;
    this.queueStaged = true;
    this.running = true;
    const runs: Promise<void>[] = [];
    // Requests can share a run only when their inputs agree on every dimension but the batch one.
    const groups: Pending[][] = [];
    for (const pending of queue) {
      const group = groups.find((g) => sameRowShape(g[0].feeds, pending.feeds));
      if (group) group.push(pending);
      else groups.push([pending]);
    }
    // One group of several requests whose values lie end to end in the stages: each batch is a stretch of
    // them (a request alone runs on its own feeds, views of the same memory).
    const offsets = staged && groups.length === 1 && queue.length > 1 ? new Map<string, number>() : undefined;
    for (const group of groups) {
      let batch: Pending[] = [];
      let rows = 0;
      for (const pending of group) {
        if (batch.length && rows + pending.rows > this.options.maxRows) {
          runs.push(this.runBatch(batch, offsets && stagedFeeds(batch, rows, stages, offsets)));
          batch = [];
          rows = 0;
        }
        batch.push(pending);
        rows += pending.rows;
      }
      if (batch.length) runs.push(this.runBatch(batch, offsets && stagedFeeds(batch, rows, stages, offsets)));
    }
    // What queued meanwhile goes in the next run, at once.
    void Promise.all(runs).finally(() => {
      for (const stage of stages.values()) stage.end = stage.top = 0;
      this.free = stages;
      this.running = false;
      if (this.queue.length) this.flush();
    });
  }

  /** Runs `batch` on its inputs joined: `staged`, the stretch of the stages they lie in, or else copied together. */
  private async runBatch(batch: Pending[], staged: Feeds | undefined): Promise<void> {
    if (batch.length === 1) return this.runAlone(batch[0]);
    const total = batch.reduce((n, p) => n + p.rows, 0);
    const taken: [string, NumericData][] = [];
    let answers: Outputs[];
    try {
      // Inside the try: a batch that cannot be joined (a request of no rows) is run one request at a time too.
      let feeds = staged;
      if (!feeds) {
        feeds = {};
        for (const name in batch[0].feeds) {
          const tensors = batch.map((p) => p.feeds[name]);
          feeds[name] = concat(tensors, total, this.joinedArray(name, tensors[0], total, taken));
        }
      }
      const outputs = await this.run(feeds);
      let offset = 0;
      answers = batch.map((pending) => {
        const own: Outputs = {};
        for (const name in outputs) own[name] = rowsOf(outputs[name], total, offset, pending.rows);
        offset += pending.rows;
        return own;
      });
    } catch {
      // One bad request must not fail the others: run them one by one.
      await Promise.all(batch.map((pending) => this.runAlone(pending)));
      return;
    } finally {
      for (const [name, array] of taken) {
        const kept = this.spare.get(name);
        if (!kept || kept.length < array.length) this.spare.set(name, array);
      }
    }
    batch.forEach((pending, i) => pending.answered(undefined, answers[i]));
  }

  private runAlone(pending: Pending): Promise<void> {
    return this.run(pending.feeds).then(
      (outputs) => pending.answered(undefined, outputs),
      (error: unknown) => pending.answered(error),
    );
  }

  /**
   * An array for `rows` rows of input `name` like `first`'s, from the spare ones when one is large enough
   * (recorded in `taken`, to be given back once the run is over), else new; undefined for strings.
   */
  private joinedArray(name: string, first: Tensor, rows: number, taken: [string, NumericData][]): NumericData | undefined {
    if (Array.isArray(first.data)) return undefined;
    const length = (first.data.length / first.dims[0]) * rows;
    const type = first.data.constructor as new (n: number) => NumericData;
    let array = this.spare.get(name);
    if (array && array.constructor === type && array.length >= length) this.spare.delete(name);
    else array = new type(length);
    taken.push([name, array]);
    return array.subarray(0, length) as NumericData;
  }
}

/** Whether two requests have the same inputs, each of the same type and the same dimensions after the first. */
function sameRowShape(a: Feeds, b: Feeds): boolean {
  let names = 0;
  for (const name in a) {
    const x = a[name];
    const y = b[name];
    if (y === undefined || x.type !== y.type || x.dims.length !== y.dims.length) return false;
    for (let i = 1; i < x.dims.length; i++) if (x.dims[i] !== y.dims[i]) return false;
    names++;
  }
  return Object.keys(b).length === names;
}

type Data = Tensor['data'];

/**
 * The inputs of `batch` (`rows` rows, requests of one group queued one after another, every input kept in
 * its stage) as views of the stages from `offsets`, which move past them.
 */
function stagedFeeds(batch: Pending[], rows: number, stages: Map<string, Stage>, offsets: Map<string, number>): Feeds {
  const feeds: Feeds = {};
  for (const name in batch[0].feeds) {
    const first = batch[0].feeds[name];
    const from = offsets.get(name) ?? 0;
    let to = from;
    for (const pending of batch) to += pending.feeds[name].data.length;
    offsets.set(name, to);
    feeds[name] = withRows(first, stages.get(name)!.array.subarray(from, to), rows);
  }
  return feeds;
}

/** The tensors joined along the batch dimension, into `joined` (numeric data) or a new list (strings). */
function concat(tensors: Tensor[], total: number, joined: NumericData | undefined): Tensor {
  const first = tensors[0];
  let data: Data;
  if (!joined) {
    data = tensors.flatMap((t) => t.data as string[]);
  } else {
    let offset = 0;
    for (const t of tensors) {
      (joined as Float32Array).set(t.data as Float32Array, offset);
      offset += t.data.length;
    }
    data = joined;
  }
  return withRows(first, data, total);
}

function rowsOf(tensor: Tensor, total: number, offset: number, rows: number): Tensor {
  if (tensor.dims[0] !== total) throw new Error(`output has ${tensor.dims[0]} rows for a batch of ${total}`);
  const width = tensor.data.length / total;
  const data = Array.isArray(tensor.data) ? tensor.data.slice(offset * width, (offset + rows) * width) : (tensor.data as Float32Array).subarray(offset * width, (offset + rows) * width);
  return withRows(tensor, data, rows);
}

/** A tensor of `like`'s type and row shape holding `rows` rows of `data`. */
function withRows(like: Tensor, data: Data, rows: number): Tensor {
  // A loop rather than a spread: a binary request's dims are its kept header's frozen shape (see elementCount).
  const dims = [rows];
  for (let i = 1; i < like.dims.length; i++) dims.push(like.dims[i]);
  return new (onnxRuntime().Tensor)(like.type as 'float32', data as Float32Array, dims);
}
