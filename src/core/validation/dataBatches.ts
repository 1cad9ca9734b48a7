import * as path from 'node:path';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { deserializeError, serializeError } from '../worker/serializeError';
import { lowerThreadPriority } from '../worker/threadPriority';
import type { SerializedError } from '../worker/workerProtocol';
import { BatchPool, openDataset, type DataBatch, type DataSpec } from './dataReader';

/** The data set's feature columns, then its rows in batches. */
export interface BatchStream {
  features: string[];
  batches: AsyncIterable<DataBatch>;
  /** Stops reading (a no-op once the batches have been read to the end). */
  close(): Promise<void>;
}

/** A reader thread at work, and the port its batches come out of, which may be handed to another thread. */
export interface ReaderThread {
  port: MessagePort;
  /** Ends the thread, wherever its batches went. */
  stop(): Promise<void>;
}

/** What a reader thread is started with. */
export interface ReaderData {
  spec: DataSpec;
  port: MessagePort;
}

type ReaderMessage = { type: 'header'; features: string[] } | { type: 'batch'; batch: DataBatch } | { type: 'end' } | { type: 'error'; error: SerializedError };
/** The consumer's answer to a batch: it is done with it, here are its arrays back, send another. */
type ConsumerMessage = { features: Float64Array; lines: Int32Array };

/** Next to this module: dist/dataReaderWorker.js in the bundles, out/.../dataReaderWorker.js in tests. */
const READER_SCRIPT = path.join(__dirname, 'dataReaderWorker.js');

/** Batches a reader thread keeps ready ahead of the consumer: enough to hide parsing, bounded in memory. */
const BATCHES_AHEAD = 4;

/**
 * How far below the scoring threads the reader thread runs once it has sent the header (which they wait
 * for). It is batches ahead of them from then on, so when all want the cores at once, a scoring thread's
 * run, which the rest waits for, should not wait for it; in their pauses, and on a core nobody else
 * wants, it runs as fast as ever. Validating MNIST's 10,000 rows on two cores took a median 0.620 s with
 * the reader at their priority and 0.601 s ten steps below it (14 alternating runs in a quiet spell;
 * 0.687 s against 0.607 s in a busy one).
 */
export const READER_NICE_STEPS = 10;

/**
 * Starts reading the data set on a thread of its own, so that parsing overlaps inference (run() blocks the
 * thread it runs on). The port may be passed to the thread that scores, so that the reader starts as early
 * as its caller can start it.
 */
export function startReader(spec: DataSpec): ReaderThread {
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(READER_SCRIPT, { workerData: { spec, port: port1 } satisfies ReaderData, transferList: [port1] });
  return { port: port2, stop: () => worker.terminate().then(() => undefined) };
}

/** Reads on a thread of its own, for a consumer on this thread. */
export async function openBatchesInThread(spec: DataSpec): Promise<BatchStream> {
  const reader = startReader(spec);
  try {
    const stream = await receiveBatches(reader.port);
    return { ...stream, close: () => stream.close().then(reader.stop) };
  } catch (error) {
    await reader.stop();
    throw error;
  }
}

/**
 * The consumer's side of a reader thread's port: the header, then batches. They are transferred, not
 * copied, and their arrays go back for reuse when the next batch is asked for; the reader stays at most
 * BATCHES_AHEAD batches ahead.
 */
export async function receiveBatches(port: MessagePort): Promise<BatchStream> {
  const queue: ReaderMessage[] = [];
  let wake: (() => void) | undefined;
  const push = (message: ReaderMessage) => {
    queue.push(message);
    wake?.();
  };
  let ended = false;
  port.on('message', push);
  // A reader thread that ends without a word (terminated, or failed to start) closes its end.
  port.on('close', () => {
    if (!ended) push({ type: 'error', error: serializeError(new Error('the data reader thread stopped before the end of the data')) });
  });
  const close = async () => {
    ended = true;
    port.close();
  };
  const next = async (): Promise<ReaderMessage> => {
    while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    return queue.shift()!;
  };
  const first = await next();
  if (first.type !== 'header') {
    await close();
    throw first.type === 'error' ? deserializeError(first.error) : new Error(`the reader thread sent ${first.type} before the header`);
  }
  async function* batches(): AsyncGenerator<DataBatch> {
    try {
      for (;;) {
        const message = await next();
        if (message.type === 'end') return;
        if (message.type === 'error') throw deserializeError(message.error);
        if (message.type === 'batch') {
          const { features, lines } = message.batch;
          yield message.batch;
          port.postMessage({ features, lines } satisfies ConsumerMessage, [features.buffer as ArrayBuffer, lines.buffer as ArrayBuffer]);
        }
      }
    } finally {
      await close();
    }
  }
  return { features: first.features, batches: batches(), close };
}

/** The reader thread's side: the header, then batches, waiting for the consumer's "next" to stay bounded. */
export async function serveBatches({ spec, port }: ReaderData): Promise<void> {
  let credits = BATCHES_AHEAD;
  let wake: (() => void) | undefined;
  const pool = new BatchPool();
  port.on('message', (returned: ConsumerMessage) => {
    pool.give(returned.features, returned.lines);
    credits++;
    wake?.();
  });
  const post = (message: ReaderMessage, transfer?: ArrayBuffer[]) => port.postMessage(message, transfer);
  try {
    const dataset = await openDataset(spec, pool);
    post({ type: 'header', features: dataset.features });
    lowerThreadPriority(READER_NICE_STEPS);
    for await (const batch of dataset.batches) {
      while (credits === 0) await new Promise<void>((resolve) => (wake = resolve));
      credits--;
      post({ type: 'batch', batch }, [batch.features.buffer as ArrayBuffer, batch.lines.buffer as ArrayBuffer]);
    }
    post({ type: 'end' });
  } catch (error) {
    post({ type: 'error', error: serializeError(error) });
  }
}
