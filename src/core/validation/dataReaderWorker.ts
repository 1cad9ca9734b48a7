import { workerData } from 'node:worker_threads';
import { serveBatches, type ReaderData } from './dataBatches';

/** Entry of the data reader thread: a bundle of its own, small, so the thread starts quickly. */
void serveBatches(workerData as ReaderData);
