import { parentPort, workerData } from 'node:worker_threads';
import { serveBatches } from './dataBatches';
import type { DataSpec } from './dataReader';

/** Entry of the data reader thread: a bundle of its own, small, so the thread starts quickly. */
void serveBatches(workerData as DataSpec, parentPort!);
