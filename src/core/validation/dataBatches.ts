import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { deserializeError, serializeError } from '../worker/serializeError';
import type { SerializedError } from '../worker/workerProtocol';
import { BatchPool, openDataset, type DataBatch, type DataSpec } from './dataReader';

/** The data set's feature columns, then its rows in batches. */
export interface BatchStream {
  features: string[];
  batches: AsyncIterable<DataBatch>;
  /** Stops reading (a no-op once the batches have been read to the end). */
  close(): Promise<void>;
}

type ReaderMessage = { type: 'header'; features: string[] } | { type: 'batch'; batch: DataBatch } | { type: 'end' } | { type: 'error'; error: SerializedError };
/** The consumer's answer to a batch: it is done with it, here are its arrays back, send another. */
type ConsumerMessage = { features: Float64Array; lines: Int32Array };

/** Next to this module: dist/dataReaderWorker.js in the bundles, out/.../dataReaderWorker.js in tests. */
const READER_SCRIPT = path.join(__dirname, 'dataReaderWorker.js');

/** Batches a reader thread keeps ready ahead of the consumer: enough to hide parsing, bounded in memory. */
const BATCHES_AHEAD = 4;

/**
 * Opens the data set on a second thread so that parsing overlaps inference (run() blocks the thread it
 * runs on). Batches are transferred, not copied, and their arrays come back for reuse; the reader stays
 * at most BATCHES_AHEAD batches ahead.
 */
export async function openBatchesInThread(spec: DataSpec): Promise<BatchStream> {
  const worker = new Worker(READER_SCRIPT, { workerData: spec });
  const queue: ReaderMessage[] = [];
  let wake: (() => void) | undefined;
  const push = (message: ReaderMessage) => {
    queue.push(message);
    wake?.();
  };
  worker.on('message', push);
  worker.on('error', (error) => push({ type: 'error', error: serializeError(error) }));
  const next = async (): Promise<ReaderMessage> => {
    while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    return queue.shift()!;
  };
  const first = await next();
  if (first.type !== 'header') {
    await worker.terminate();
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
          worker.postMessage({ features, lines } satisfies ConsumerMessage, [features.buffer as ArrayBuffer, lines.buffer as ArrayBuffer]);
        }
      }
    } finally {
      await worker.terminate();
    }
  }
  return { features: first.features, batches: batches(), close: () => worker.terminate().then(() => undefined) };
}

/** The reader thread's side: the header, then batches, waiting for the consumer's "next" to stay bounded. */
export async function serveBatches(
  spec: DataSpec,
  port: { postMessage(message: ReaderMessage, transfer?: ArrayBuffer[]): void; on(event: 'message', listener: (message: ConsumerMessage) => void): void },
): Promise<void> {
  let credits = BATCHES_AHEAD;
  let wake: (() => void) | undefined;
  const pool = new BatchPool();
  port.on('message', (returned) => {
    pool.give(returned.features, returned.lines);
    credits++;
    wake?.();
  });
  try {
    const dataset = await openDataset(spec, pool);
    port.postMessage({ type: 'header', features: dataset.features });
    for await (const batch of dataset.batches) {
      while (credits === 0) await new Promise<void>((resolve) => (wake = resolve));
      credits--;
      port.postMessage({ type: 'batch', batch }, [batch.features.buffer as ArrayBuffer, batch.lines.buffer as ArrayBuffer]);
    }
    port.postMessage({ type: 'end' });
  } catch (error) {
    port.postMessage({ type: 'error', error: serializeError(error) });
  }
}
