// A child process that re-scores a project's validation set with two models as the diff does, on the
// shipped core worker bundle's scorePair task on a worker thread (as the extension runs it; the command
// line runs it on its main thread), and prints the seconds from creating that thread to the paired scores:
// a fresh process, so that onnxruntime starts in it as it does in the command.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { PairedScores } from '../../src/core/deploy/diffTypes';
import { disableOnnxTelemetry } from '../../src/core/model/onnxRuntime';
import { loadProject } from '../../src/core/project/loadProject';
import type { WorkerEvent, WorkerRequest } from '../../src/core/worker/workerProtocol';
import { REPO } from './measure';

async function main(): Promise<void> {
  const [projectDir, deployedModel] = process.argv.slice(2);
  const project = loadProject(projectDir);
  disableOnnxTelemetry();
  const started = performance.now();
  const worker = new Worker(path.join(REPO, 'dist', 'coreWorker.js'), { workerData: { task: 'scorePair', args: { project, deployedModel, candidateModel: project.model } } satisfies WorkerRequest });
  const scores = await new Promise<PairedScores>((resolve, reject) => {
    worker.on('message', (event: WorkerEvent) => {
      if (event.type === 'result') resolve(event.value as PairedScores);
      else if (event.type === 'error') reject(new Error(event.error.message));
    });
    worker.on('error', reject);
  });
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`${JSON.stringify({ seconds, rows: scores.rows, deployed: scores.deployed.length, candidate: scores.candidate.length })}\n`);
}

void main();
