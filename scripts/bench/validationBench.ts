import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { BenchRow } from './benchTable';
import { REPO, median } from './measure';
import { MNIST_ROW, rawOrtSeconds } from './rawOrtScoring';

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
 * The reference as a command (rawOrtRun): Node started, onnxruntime-node loaded, a session of each model
 * created in turn and every row of `rowsFile` scored `repeats` times over by each, to the process's exit.
 * Returns the seconds of the whole command and those it timed itself, from before loading onnxruntime.
 */
function rawOrtCommand(models: string[], rowsFile: string, repeats: number, expectedRows: number): { seconds: number; inside: number } {
  const started = performance.now();
  const output = execFileSync(process.execPath, [path.join(__dirname, 'rawOrtRun.js'), rowsFile, String(repeats), ...models], { encoding: 'utf8' });
  const seconds = (performance.now() - started) / 1000;
  const { rows, seconds: inside } = JSON.parse(output) as { rows: number; seconds: number };
  if (rows !== expectedRows) throw new Error(`the reference scored ${rows} rows, not ${expectedRows}`);
  return { seconds, inside };
}

/** How many times over the row at scale repeats the real test set: the same rows, more of them. */
const SCALE_REPEATS = 10;

/**
 * Validation throughput on the real MNIST test set, end to end from the .csv.gz file, against raw
 * onnxruntime-node scoring the same rows already parsed, one run() per row as the model demands, both as
 * commands timed from their start to their exit: once on the 10,000 rows, where starting weighs, and once
 * on the set ten times over, where the rows do; then the diff's re-scoring of the 10,000 rows by two
 * models, each side timed inside a fresh process from before it loads onnxruntime.
 */
export async function validationBench(): Promise<BenchRow[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldeploy-bench-'));
  try {
    const testSetFile = fs.readFileSync(path.join(MNIST, 'mnist_test.csv.gz'));
    const [header, ...lines] = gunzipSync(testSetFile).toString().trimEnd().split('\n');
    const rows = new Float32Array(lines.length * MNIST_ROW);
    lines.forEach((line, i) => rows.set(line.split(',').slice(1).map(Number), i * MNIST_ROW));
    const rowsFile = path.join(dir, 'mnist_test.f32');
    fs.writeFileSync(rowsFile, rows);
    const firstRowFile = path.join(dir, 'mnist_first_row.f32');
    fs.writeFileSync(firstRowFile, rows.subarray(0, MNIST_ROW));
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
    // Each side's start, on its first row alone: what no number of rows pays twice.
    const oneRow = project('x0', gzipSync(`${header}\n${lines[0]}\n`));
    const row = async (name: string, repeats: number, folder: string): Promise<BenchRow> => {
      const total = lines.length * repeats;
      const model = path.join(folder, 'model', 'mnist-8.onnx');
      const reference = [];
      const ours = [];
      const inProcess = [];
      const starts = [];
      const referenceStarts = [];
      const nodeStarts = [];
      for (let round = 0; round < 3; round++) {
        reference.push(total / rawOrtCommand([model], rowsFile, repeats, total).seconds);
        ours.push(total / validateWithCli(folder, total));
        inProcess.push(total / (await rawOrtSeconds(model, rows, repeats)));
        starts.push(validateWithCli(oneRow, 1));
        referenceStarts.push(rawOrtCommand([model], firstRowFile, 1, 1).seconds);
        nodeStarts.push(nodeStart());
      }
      const seconds = (rate: number[]): string => (total / median(rate)).toFixed(2);
      return {
        name,
        ours: median(ours),
        reference: median(reference),
        unit: 'rows/s',
        goalRatio: 0.8,
        note: `ours: \`modeldeploy validate --json\` from the .csv.gz, timed from the command's start to its exit, so starting, reading, decompressing and parsing count (${seconds(ours)} s; on the set cut to its first row ${median(starts).toFixed(2)} s); reference: raw onnxruntime-node as a command of its own (a fresh Node process that loads onnxruntime-node, reads the same rows already parsed, as float32 values laid end to end, creates a session and runs one row at a time), timed the same way (${seconds(reference)} s; on the first row alone ${median(referenceStarts).toFixed(2)} s; Node's own start and exit, \`node -e 0\` in this environment, ${median(nodeStarts).toFixed(2)} s); the same loop inside the bench's process, where Node and onnxruntime have started already and their start and exit are not timed, ran ${Math.round(median(inProcess)).toLocaleString('en-US')} rows/s (${seconds(inProcess)} s)${repeats > 1 ? `; the 10,000 rows ${repeats} times over` : ''}; one intra-op thread per session on both sides: ours runs a second session beside the first, as it does for a small model of fixed batch on a machine of several cores, the reference one session (two intra-op threads were slower for it); medians of 3 alternating runs`,
      };
    };
    // The diff's re-scoring: the project's model as the candidate, a copy of it as the deployed one.
    const diffRow = async (folder: string): Promise<BenchRow> => {
      const deployed = path.join(dir, 'deployed.onnx');
      fs.copyFileSync(path.join(MNIST, 'mnist-8.onnx'), deployed);
      const candidate = path.join(folder, 'model', 'mnist-8.onnx');
      const reference = [];
      const ours = [];
      const inProcess = [];
      for (let round = 0; round < 3; round++) {
        reference.push(lines.length / rawOrtCommand([deployed, candidate], rowsFile, 1, 2 * lines.length).inside);
        ours.push(lines.length / scorePairWithBundle(folder, deployed, lines.length));
        inProcess.push(lines.length / ((await rawOrtSeconds(deployed, rows, 1)) + (await rawOrtSeconds(candidate, rows, 1))));
      }
      return {
        name: 'diff re-scoring: both models over the MNIST test set (10,000 rows)',
        ours: median(ours),
        reference: median(reference),
        unit: 'rows/s',
        goalRatio: 0.8,
        note: `rows scored by both models per second; ours: the shipped core worker's scorePair task on a worker thread, as the extension's Compare Metrics runs it (the command line's \`diff\` runs the same task on its main thread, without starting that thread): reading and parsing the .csv.gz on a reader thread, the candidate on the scoring thread and the deployed model on a session of its own thread, timed in a fresh process from creating its thread to the paired scores of every row, so loading onnxruntime counts; reference: raw onnxruntime-node in a fresh process of its own, on one thread, creating a session of the deployed model and running every row, then the same for the candidate, on the same rows already parsed, timed from before it loads onnxruntime to its last run (the same two loops inside the bench's process, where onnxruntime has started already: ${Math.round(median(inProcess)).toLocaleString('en-US')} rows/s); one intra-op thread per session on both sides; medians of 3 alternating runs`,
      };
    };
    const body = `${lines.join('\n')}\n`;
    const testSet = project('x1', testSetFile);
    return [
      await row('validate MNIST (10,000 rows, batch fixed at 1)', 1, testSet),
      await row(`validate MNIST at scale (the test set ${SCALE_REPEATS} times over: ${(lines.length * SCALE_REPEATS).toLocaleString('en-US')} rows)`, SCALE_REPEATS, project(`x${SCALE_REPEATS}`, gzipSync(`${header}\n${body.repeat(SCALE_REPEATS)}`))),
      await diffRow(testSet),
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Seconds of the diff's re-scoring of the project with `deployedModel` beside its own (scorePairRun, a process of its own). */
function scorePairWithBundle(folder: string, deployedModel: string, expectedRows: number): number {
  const output = execFileSync(process.execPath, [path.join(__dirname, 'scorePairRun.js'), folder, deployedModel], { encoding: 'utf8' });
  const { seconds, rows, deployed, candidate } = JSON.parse(output) as { seconds: number; rows: number; deployed: number; candidate: number };
  if (rows !== expectedRows || deployed !== candidate || deployed !== rows * 10) throw new Error(`the re-scoring paired ${rows} rows (${deployed} and ${candidate} scores), not the ${expectedRows} of the file with 10 scores each`);
  return seconds;
}
