import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { onnxRuntime } from '../../src/core/model/onnxRuntime';
import type { BenchRow } from './benchTable';
import { REPO, median } from './measure';

const MNIST = path.resolve(REPO, '..', 'shared', 'data', 'mnist');

/**
 * Runs the shipped CLI bundle as a user would; rows per second of the whole command, from its start (Node,
 * the bundle, the worker threads, reading and parsing the .csv.gz, the model, inference, the metrics).
 */
function validateWithCli(dir: string): number {
  const started = performance.now();
  const output = execFileSync(process.execPath, [path.join(REPO, 'dist', 'cli.js'), 'validate', '--project', dir, '--json'], { encoding: 'utf8' });
  return (JSON.parse(output) as { rows: number }).rows / ((performance.now() - started) / 1000);
}

/**
 * The session settings of both sides: those validation uses. One intra-op thread is the faster for MNIST at
 * batch 1 on two cores: raw onnxruntime ran a median 16,900 rows/s with one against 14,300 with two, over 6
 * alternating runs; inside validation the reader thread needs the other core as well.
 */
const SESSION_OPTIONS = { intraOpNumThreads: 1 };

/**
 * Validation throughput on the real MNIST test set, end to end from the .csv.gz file, against raw
 * onnxruntime-node running the same rows already parsed in memory, one run() per row as the model demands.
 */
export async function validationBench(): Promise<BenchRow> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldeploy-bench-'));
  try {
    fs.mkdirSync(path.join(dir, 'model'));
    fs.mkdirSync(path.join(dir, 'data'));
    fs.copyFileSync(path.join(MNIST, 'mnist-8.onnx'), path.join(dir, 'model', 'mnist-8.onnx'));
    fs.copyFileSync(path.join(MNIST, 'mnist_test.csv.gz'), path.join(dir, 'data', 'mnist_test.csv.gz'));
    fs.writeFileSync(
      path.join(dir, 'modeldeploy.yaml'),
      'name: mnist\nversion: 8.0.0\nmodel: model/mnist-8.onnx\ntask: classification\nvalidation:\n  data: data/mnist_test.csv.gz\n  target: label\n  input: { name: Input3, shape: [-1, 1, 28, 28] }\n',
    );
    const rows = parseMnist(path.join(dir, 'data', 'mnist_test.csv.gz'));
    const reference = [];
    const ours = [];
    for (let round = 0; round < 3; round++) {
      reference.push(await rawOnnxRuntime(path.join(dir, 'model', 'mnist-8.onnx'), rows));
      ours.push(validateWithCli(dir));
    }
    return {
      name: 'validate MNIST (10,000 rows, batch fixed at 1)',
      ours: median(ours),
      reference: median(reference),
      unit: 'rows/s',
      goalRatio: 0.8,
      note: 'ours: `modeldeploy validate --json` timed from the command\'s start to its exit, so starting, reading, decompressing and parsing the .csv.gz count; reference: raw onnxruntime-node, timed from creating the session to the last run() of one row at a time, on the same rows already parsed in memory; one intra-op thread per session on both sides: ours runs a second session beside the first, as it does for a small model of fixed batch on a machine of several cores, the reference one session (two intra-op threads were slower for it); medians of 3 alternating runs',
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function parseMnist(file: string): Float32Array[] {
  const lines = gunzipSync(fs.readFileSync(file)).toString().trim().split('\n').slice(1);
  return lines.map((line) => Float32Array.from(line.split(',').slice(1), Number));
}

async function rawOnnxRuntime(model: string, rows: Float32Array[]): Promise<number> {
  const ort = onnxRuntime();
  const started = performance.now();
  const session = await ort.InferenceSession.create(model, SESSION_OPTIONS);
  for (const row of rows) await session.run({ Input3: new ort.Tensor('float32', row, [1, 1, 28, 28]) });
  const seconds = (performance.now() - started) / 1000;
  await session.release();
  return rows.length / seconds;
}
