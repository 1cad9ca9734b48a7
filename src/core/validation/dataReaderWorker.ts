import { workerData } from 'node:worker_threads';
import { lowerThreadPriority } from '../worker/threadPriority';
import { READER_NICE_STEPS, serveBatches, type ReaderData } from './dataBatches';

/** Entry of the data reader thread: a bundle of its own, small, so the thread starts quickly. */
lowerThreadPriority(READER_NICE_STEPS);
void serveBatches(workerData as ReaderData);
