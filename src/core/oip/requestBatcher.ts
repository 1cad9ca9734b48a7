import type { Tensor } from 'onnxruntime-node';
import { onnxRuntime } from '../model/onnxRuntime';

type Feeds = Record<string, Tensor>;
type Outputs = Record<string, Tensor>;

/** Told a request's own outputs, or why its run failed; called once, and must not throw. */
export type Answered = (error: unknown, outputs?: Outputs) => void;

interface Pending {
  feeds: Feeds;
  rows: number;
  answered: Answered;
}

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
 */
export class RequestBatcher {
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

  constructor(
    private readonly run: (feeds: Feeds) => Promise<Outputs>,
    private readonly options: BatchingOptions,
  ) {}

  /** Queues a request for a run; `answered` hears of its outputs. A callback, not a promise: this runs for every request. */
  submit(feeds: Feeds, answered: Answered): void {
    let rows = 0;
    for (const name in feeds) {
      rows = feeds[name].dims[0];
      break;
    }
    this.queue.push({ feeds, rows, answered });
    this.queuedRows += rows;
    if (this.queuedRows >= this.options.maxRows) this.flush();
    else this.schedule();
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
    this.queue = [];
    this.queuedRows = 0;
    this.running = true;
    const runs: Promise<void>[] = [];
    // Requests can share a run only when their inputs agree on every dimension but the batch one.
    const groups: Pending[][] = [];
    for (const pending of queue) {
      const group = groups.find((g) => sameRowShape(g[0].feeds, pending.feeds));
      if (group) group.push(pending);
      else groups.push([pending]);
    }
    for (const group of groups) {
      let batch: Pending[] = [];
      let rows = 0;
      for (const pending of group) {
        if (batch.length && rows + pending.rows > this.options.maxRows) {
          runs.push(this.runBatch(batch));
          batch = [];
          rows = 0;
        }
        batch.push(pending);
        rows += pending.rows;
      }
      if (batch.length) runs.push(this.runBatch(batch));
    }
    // What queued meanwhile goes in the next run, at once.
    void Promise.all(runs).finally(() => {
      this.running = false;
      if (this.queue.length) this.flush();
    });
  }

  private async runBatch(batch: Pending[]): Promise<void> {
    if (batch.length === 1) return this.runAlone(batch[0]);
    const total = batch.reduce((n, p) => n + p.rows, 0);
    const taken: [string, NumericData][] = [];
    let answers: Outputs[];
    try {
      // Inside the try: a batch that cannot be joined (a request of no rows) is run one request at a time too.
      const feeds: Feeds = {};
      for (const name in batch[0].feeds) {
        const tensors = batch.map((p) => p.feeds[name]);
        feeds[name] = concat(tensors, total, this.joinedArray(name, tensors[0], total, taken));
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

type NumericData = Exclude<Data, string[]>;

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
  return new (onnxRuntime().Tensor)(first.type as 'float32', data as Float32Array, [total, ...first.dims.slice(1)]);
}

function rowsOf(tensor: Tensor, total: number, offset: number, rows: number): Tensor {
  if (tensor.dims[0] !== total) throw new Error(`output has ${tensor.dims[0]} rows for a batch of ${total}`);
  const width = tensor.data.length / total;
  const data = Array.isArray(tensor.data) ? tensor.data.slice(offset * width, (offset + rows) * width) : (tensor.data as Float32Array).subarray(offset * width, (offset + rows) * width);
  return new (onnxRuntime().Tensor)(tensor.type as 'float32', data as Float32Array, [rows, ...tensor.dims.slice(1)]);
}
