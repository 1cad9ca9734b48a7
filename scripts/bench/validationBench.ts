import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { onnxRuntime } from '../../src/core/model/onnxRuntime';
import type { BenchRow } from './benchTable';
import { REPO, median } from './measure';

const MNIST = path.resolve(REPO, '..', 'shared', 'data', 'mnist');

/**
 * Runs the shipped CLI bundle as a user would; seconds of the whole command, from its start (Node, the
 * bundle, the worker threads, reading and parsing the .csv.gz, the model, inference, the metrics).
 */
function validateWithCli(dir: string, expectedRows: number): number {
  const started = performance.now();
  const output = execFileSync(process.execPath, [path.join(REPO, 'dist', 'cli.js'), 'validate', '--project', dir, '--json'], { encoding: 'utf8' });
  const seconds = (performance.now() - started) / 1000;
  const { rows } = JSON.parse(output) as { rows: number };
  if (rows !== expectedRows) throw new Error(`validate scored ${rows} rows, not the ${expectedRows} of the file`);
  return seconds;
}

/** Seconds for Node to start and exit doing nothing, in the bench's own environment: what every command pays first. */
function nodeStart(): number {
  const started = performance.now();
  execFileSync(process.execPath, ['-e', '0']);
  return (performance.now() - started) / 1000;
}

/**
 * The session settings of both sides: those validation uses. One intra-op thread is the faster for MNIST at
 * batch 1 on two cores: raw onnxruntime ran a median 16,900 rows/s with one against 14,300 with two, over 6
 * alternating runs; inside validation the reader thread needs the other core as well.
 */
const SESSION_OPTIONS = { intraOpNumThreads: 1 };

/** How many times over the row at scale repeats the real test set: the same rows, more of them. */
const SCALE_REPEATS = 10;

/**
 * Validation throughput on the real MNIST test set, end to end from the .csv.gz file, against raw
 * onnxruntime-node running the same rows already parsed in memory, one run() per row as the model demands:
 * once on the 10,000 rows, where the command's start weighs, and once on the set ten times over, where
 * the rows do; then the diff's re-scoring of the 10,000 rows by two models against the same.
 */
export async function validationBench(): Promise<BenchRow[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldeploy-bench-'));
  try {
    const testSetFile = fs.readFileSync(path.join(MNIST, 'mnist_test.csv.gz'));
    const [header, ...lines] = gunzipSync(testSetFile).toString().trimEnd().split('\n');
    const rows = lines.map((line) => Float32Array.from(line.split(',').slice(1), Number));
    const project = (name: string, csvGz: Buffer): string => {
      const folder = path.join(dir, name);
      fs.mkdirSync(path.join(folder, 'model'), { recursive: true });
      fs.mkdirSync(path.join(folder, 'data'));
      fs.copyFileSync(path.join(MNIST, 'mnist-8.onnx'), path.join(folder, 'model', 'mnist-8.onnx'));
      fs.writeFileSync(path.join(folder, 'data', 'mnist_test.csv.gz'), csvGz);
      fs.writeFileSync(
        path.join(folder, 'modeldeploy.yaml'),
        'name: mnist\nversion: 8.0.0\nmodel: model/mnist-8.onnx\ntask: classification\nvalidation:\n  data: data/mnist_test.csv.gz\n  target: label\n  input: { name: Input3, shape: [-1, 1, 28, 28] }\n',
      );
      return folder;
    };
    // The command's own start, from a copy of the set cut to its first row: what no number of rows pays twice.
    const oneRow = project('x0', gzipSync(`${header}\n${lines[0]}\n`));
    const row = async (name: string, repeats: number, folder: string): Promise<BenchRow> => {
      const total = rows.length * repeats;
      const reference = [];
      const ours = [];
      const starts = [];
      const nodeStarts = [];
      for (let round = 0; round < 3; round++) {
        reference.push(total / (await rawOnnxRuntime(path.join(folder, 'model', 'mnist-8.onnx'), rows, repeats)));
        ours.push(total / validateWithCli(folder, total));
        starts.push(validateWithCli(oneRow, 1));
        nodeStarts.push(nodeStart());
      }
      const ourSeconds = total / median(ours);
      return {
        name,
        ours: median(ours),
        reference: median(reference),
        unit: 'rows/s',
        goalRatio: 0.8,
        note: `ours: \`modeldeploy validate --json\` timed from the command's start to its exit, so starting, reading, decompressing and parsing the .csv.gz count (the same command on the set cut to its first row took ${median(starts).toFixed(2)} s of ours' ${ourSeconds.toFixed(2)} s, and Node's own start and exit, \`node -e 0\` in this environment, ${median(nodeStarts).toFixed(2)} s); reference: raw onnxruntime-node, timed from creating the session to the last run() of one row at a time, on the same rows already parsed in memory${repeats > 1 ? ` (the 10,000 rows ${repeats} times over)` : ''}; one intra-op thread per session on both sides: ours runs a second session beside the first, as it does for a small model of fixed batch on a machine of several cores, the reference one session (two intra-op threads were slower for it); medians of 3 alternating runs`,
      };
    };
    // The diff's re-scoring: the project's model as the candidate, a copy of it as the deployed one.
    const diffRow = async (folder: string): Promise<BenchRow> => {
      const deployed = path.join(dir, 'deployed.onnx');
      fs.copyFileSync(path.join(MNIST, 'mnist-8.onnx'), deployed);
      const candidate = path.join(folder, 'model', 'mnist-8.onnx');
      const reference = [];
      const ours = [];
      for (let round = 0; round < 3; round++) {
        reference.push(rows.length / ((await rawOnnxRuntime(deployed, rows, 1)) + (await rawOnnxRuntime(candidate, rows, 1))));
        ours.push(rows.length / scorePairWithBundle(folder, deployed, rows.length));
      }
      return {
        name: 'diff re-scoring: both models over the MNIST test set (10,000 rows)',
        ours: median(ours),
        reference: median(reference),
        unit: 'rows/s',
        goalRatio: 0.8,
        note: `rows scored by both models per second; ours: the shipped core worker's scorePair task on a worker thread, as the extension's Compare Metrics runs it (the command line's \`diff\` runs the same task on its main thread, without starting that thread): reading and parsing the .csv.gz on a reader thread, the candidate on the scoring thread and the deployed model on a session of its own thread, timed in a fresh process from creating its thread to the paired scores of every row; reference: raw onnxruntime-node in one thread creating a session of the deployed model and running every row, then the same for the candidate, on the same rows already parsed in memory; one intra-op thread per session on both sides; medians of 3 alternating runs`,
      };
    };
    const body = `${lines.join('\n')}\n`;
    const testSet = project('x1', testSetFile);
    return [
      await row('validate MNIST (10,000 rows, batch fixed at 1)', 1, testSet),
      await row(`validate MNIST at scale (the test set ${SCALE_REPEATS} times over: ${(rows.length * SCALE_REPEATS).toLocaleString('en-US')} rows)`, SCALE_REPEATS, project(`x${SCALE_REPEATS}`, gzipSync(`${header}\n${body.repeat(SCALE_REPEATS)}`))),
      await diffRow(testSet),
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Seconds for raw onnxruntime-node to create a session of `model` and run every row, `repeats` times over. */
async function rawOnnxRuntime(model: string, rows: Float32Array[], repeats: number): Promise<number> {
  const ort = onnxRuntime();
  const started = performance.now();
  const session = await ort.InferenceSession.create(model, SESSION_OPTIONS);
  for (let pass = 0; pass < repeats; pass++) for (const row of rows) await session.run({ Input3: new ort.Tensor('float32', row, [1, 1, 28, 28]) });
  const seconds = (performance.now() - started) / 1000;
  await session.release();
  return seconds;
}

/** Seconds of the diff's re-scoring of the project with `deployedModel` beside its own (scorePairRun, a process of its own). */
function scorePairWithBundle(folder: string, deployedModel: string, expectedRows: number): number {
  const output = execFileSync(process.execPath, [path.join(__dirname, 'scorePairRun.js'), folder, deployedModel], { encoding: 'utf8' });
  const { seconds, rows, deployed, candidate } = JSON.parse(output) as { seconds: number; rows: number; deployed: number; candidate: number };
  if (rows !== expectedRows || deployed !== candidate || deployed !== rows * 10) throw new Error(`the re-scoring paired ${rows} rows (${deployed} and ${candidate} scores), not the ${expectedRows} of the file with 10 scores each`);
  return seconds;
}
