import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { encodeBinaryRequest, INFERENCE_HEADER_CONTENT_LENGTH } from '../../src/core/oip/binaryTensors';
import type { OipInferenceRequest } from '../../src/core/oip/oipTypes';
import { RUNTIME_ENVIRONMENT, RUNTIME_ENVIRONMENT_ASSIGNMENTS } from '../../src/core/packaging/dockerfile';
import { BATCH_SCHEDULING_DELAY_MS, DEFAULT_MAX_BATCH_ROWS } from '../../src/runtime/runtimeConfig';
import type { BenchRow } from './benchTable';
import { writeFreeBatchMnist } from './freeBatchMnist';
import { REPO, median } from './measure';
import { statFields, withCpu, type LoadCpu } from './processCpu';

const MNIST = path.resolve(REPO, '..', 'shared', 'data', 'mnist');
export const DURATION_S = 3;
/**
 * Ours and the reference take turns this many times; the medians are compared, so a drift in the machine's
 * speed hits both. Seven, not five: on a shared machine a slow spell of several seconds can fall on one
 * server's turns and not the other's, and a median of five rounds gave way to three such rounds.
 */
export const ROUNDS = 7;
/**
 * Unmeasured turns each server takes before the measured ones. V8 goes on optimising a server's code well
 * into its load: the model server, measured from its start, had 380 functions optimised in its first 3-s
 * turn, 78 in its second (which served about 6% fewer requests than its later turns) and about 10 in its
 * third.
 */
export const WARM_UP_TURNS = 3;
/** How the turns are taken, for the rows' notes. */
export const TURNS_TAKEN = `medians of ${ROUNDS} alternating turns of ${DURATION_S} s, after ${WARM_UP_TURNS} unmeasured warm-up turns each`;
const LOAD_CORE = 0;
const SERVER_CORE = 1;

export interface Load {
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

/** Whether `command` runs here and succeeds (a tool the bench uses when the machine has it). */
function runs(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args);
    return true;
  } catch {
    return false;
  }
}

/** The load generator on one core and every server on the other, when the machine has two and taskset. */
const PINNED = os.cpus().length >= 2 && runs('taskset', ['-c', '0', 'true']);

/**
 * Whether Linux's SCHED_BATCH can be asked for here, as the model server asks for it once ready: the
 * references that stand in for it on the server core then run under it too, so that no row compares
 * scheduling policies.
 */
export const BATCH_POLICY = process.platform === 'linux' && runs('chrt', ['--batch', '0', 'true']);

function pinned(core: number, args: string[], batchPolicy = false): [string, string[]] {
  const command = batchPolicy && BATCH_POLICY ? ['chrt', '--batch', '0', process.execPath, ...args] : [process.execPath, ...args];
  return PINNED ? ['taskset', ['-c', String(core), ...command]] : [command[0], command.slice(1)];
}

/**
 * The environment of a process on the server core: the one the runtime image gives the model server (its
 * malloc settings among others), for ours and for every reference in its place alike.
 */
const serverEnvironment = (env: Record<string, string> = {}) => ({ ...process.env, ...RUNTIME_ENVIRONMENT, ...env });

/** One JSON line from a child process (the load generator, the in-process inference rate). */
function childResult<T>(core: number, args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const [command, argv] = pinned(core, args);
    const child = spawn(command, argv, { env: core === SERVER_CORE ? serverEnvironment() : process.env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as T) : reject(new Error(`${args.join(' ')} exited ${code}`))));
  });
}

/** An autocannon load from its own process, pinned to the load core. */
export function load(url: string, connections: number, body: Buffer, headers: Record<string, string>): Promise<Load> {
  const spec = { url, connections, durationS: DURATION_S, body: body.toString('base64'), headers };
  return childResult<Load>(LOAD_CORE, [path.join(__dirname, 'loadGenerator.js'), JSON.stringify(spec)]);
}

/** A steady open-loop load of `ratePerSecond` from its own process on the load core: latencies at a rate the server keeps up with. */
export function paced(url: string, ratePerSecond: number, body: Buffer, headers: Record<string, string>): Promise<Load> {
  const spec = { url, ratePerSecond, durationS: DURATION_S, body: body.toString('base64'), headers };
  return childResult<Load>(LOAD_CORE, [path.join(__dirname, 'pacedLatency.js'), JSON.stringify(spec)]);
}

/**
 * Starts a server process on the server core and waits until `readyPath` answers 200; `batchPolicy`: under
 * SCHED_BATCH from its start, for a reference in the model server's place.
 */
export async function startServer(args: string[], env: Record<string, string>, port: number, readyPath: string, batchPolicy = false): Promise<ChildProcess> {
  const [command, argv] = pinned(SERVER_CORE, args, batchPolicy);
  const child = spawn(command, argv, { env: serverEnvironment(env), stdio: 'ignore' });
  const deadline = Date.now() + 20_000;
  while ((await get(`http://127.0.0.1:${port}${readyPath}`)).status !== 200) {
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the server on port ${port} did not become ready`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return child;
}

export function get(url: string, body?: Buffer, headers: Record<string, string> = {}): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve) => {
    const req = http.request(url, { method: body ? 'POST' : 'GET', timeout: 5000, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
    });
    req.on('error', () => resolve({ status: 0, body: Buffer.alloc(0) }));
    req.on('timeout', () => req.destroy());
    req.end(body);
  });
}

/**
 * Reference A: a bare node:http server that reads each request body whole and answers `response` (ours'
 * answer to the same request, so the same bytes go each way): the HTTP and I/O cost alone.
 */
function bareServer(port: number, response: Buffer, contentType: string): Promise<ChildProcess> {
  const script = `const body=Buffer.from(${JSON.stringify(response.toString('base64'))},'base64');require('http').createServer((q,s)=>{const c=[];q.on('data',(d)=>c.push(d));q.on('end',()=>{Buffer.concat(c);s.writeHead(200,{'content-type':${JSON.stringify(contentType)},'content-length':body.length});s.end(body);});}).listen(${port},'127.0.0.1')`;
  return startServer(['-e', script], {}, port, '/', true);
}

/**
 * Runs each of `turns` WARM_UP_TURNS times unmeasured, to warm it up, then in turn, ROUNDS times over (so a
 * drift in the machine's speed hits them all), and keeps the run with the median rate of each, with the
 * errors of all its runs and the runs themselves. The warm-up turns are every server's first seconds under
 * load, when V8 compiles its hot code and grows its heap: a steady rate is what the rows compare.
 */
export async function takeTurns<K extends string, T extends Load>(turns: Record<K, () => Promise<T>>): Promise<Record<K, T & { runs: T[] }>> {
  const names = Object.keys(turns) as K[];
  for (const name of names) for (let turn = 0; turn < WARM_UP_TURNS; turn++) await turns[name]();
  const runs = new Map<K, T[]>(names.map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) for (const name of names) runs.get(name)!.push(await turns[name]());
  const picked = {} as Record<K, T & { runs: T[] }>;
  for (const [name, loads] of runs) {
    const middleRate = median(loads.map((l) => l.perSecond));
    const middle = loads.find((l) => l.perSecond === middleRate)!;
    picked[name] = { ...middle, errors: loads.reduce((n, l) => n + l.errors, 0), runs: loads };
  }
  return picked;
}

/** How the serving rows' ratio is taken (BenchRow.ratio). */
const PAIRED = "the ratio the median of the rounds' own ratios, each ours over the reference's turn just before it";

/** A server process under test: the process whose CPU time is counted, and the URL the load goes to. */
type Served = [ChildProcess, string];

/** A server's capacity on its core in one turn: requests per CPU-second of its process. */
const turnCapacity = (turn: Load & LoadCpu) => 1e6 / turn.cpu[0];

/** A server's capacity on its core: the median over its turns. */
const capacityOf = (turns: (Load & LoadCpu)[]) => median(turns.map(turnCapacity));

/**
 * Ours and the reference servers in turns (takeTurns), each turn with what its server spent on it. A
 * reference's figure is its capacity (capacityOf): a bare server's throughput alone can be the load
 * generator's limit rather than its own, which its busy share shows when it is well below 1.
 */
async function againstReferences<K extends string>(ours: Served, references: Record<K, Served>, connections: number, body: Buffer, headers: Record<string, string>) {
  const turn = ([server, url]: Served) => withCpu(() => load(url, connections, body, headers), [server.pid!], DURATION_S);
  const names = Object.keys(references) as K[];
  const picked = await takeTurns<K | 'ours', Load & LoadCpu>({
    ...(Object.fromEntries(names.map((name) => [name, () => turn(references[name])])) as Record<K, () => Promise<Load & LoadCpu>>),
    ours: () => turn(ours),
  });
  const share = (n: number) => n.toFixed(2);
  const served = picked.ours;
  const capacity = Object.fromEntries(names.map((name) => [name, capacityOf(picked[name].runs)])) as Record<K, number>;
  // Each round's served rate over the reference's capacity in the turn just before: a pair seconds apart.
  const roundRatios = (name: K) => served.runs.map((run, round) => run.perSecond / turnCapacity(picked[name].runs[round]));
  const pairedRatio = (name: K) => median(roundRatios(name));
  // For the notes: how the ratio is taken, and the spread of the pairs, which shows whether a verdict rests
  // on a slow spell of the machine.
  const pairing = (name: K) => `${PAIRED} (the rounds' ratios: ${roundRatios(name).map(share).join(' ')}; the medians' ratio: ${share(served.perSecond / capacity[name])})`;
  const noteOf = (name: K) => `${name} ${Math.round(capacity[name])} req/s per CPU-second (its median turn served ${Math.round(picked[name].perSecond)} req/s, its server busy ${share(picked[name].busy[0])} of a core, ${Math.round(1e6 / capacity[name])} µs of CPU per request)`;
  return {
    ours: served,
    capacity,
    pairedRatio,
    pairing,
    picked,
    note: `${names.map(noteOf).join('; ')}; ours busy ${share(served.busy[0])}, ${Math.round(served.cpu[0])} µs of CPU per request`,
  };
}

/**
 * The model server on the server core, once it is ready and, where it can, has put itself under
 * SCHED_BATCH (which it asks for a while after ready), so that no turn measures it before.
 */
export async function startRuntime(model: string, name: string, port: number): Promise<ChildProcess> {
  const env = { MODELDEPLOY_MODEL: model, MODELDEPLOY_NAME: name, MODELDEPLOY_PORT: String(port), MODELDEPLOY_HOST: '127.0.0.1' };
  const child = await startServer([path.join(REPO, 'dist', 'runtime.js')], env, port, '/v2/health/ready');
  const deadline = Date.now() + BATCH_SCHEDULING_DELAY_MS + 10_000;
  while (BATCH_POLICY && schedulingPolicy(child.pid!) !== SCHED_BATCH) {
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the server on port ${port} did not put itself under SCHED_BATCH`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return child;
}

/** Linux's number for SCHED_BATCH. */
const SCHED_BATCH = 3;

/** A process's scheduling policy: the 41st field of /proc/PID/stat. */
const schedulingPolicy = (pid: number) => Number(statFields(pid)[38]);

export const where = () =>
  `${PINNED ? `load generator on core ${LOAD_CORE}, servers on core ${SERVER_CORE} (taskset)` : 'NOT pinned (no taskset or one core): load generator and server share the cores'}; every server with the runtime image's environment (${RUNTIME_ENVIRONMENT_ASSIGNMENTS})`;

/** The scheduling policies of a row whose references stand in for the model server. */
const policies = () => (BATCH_POLICY ? 'ours under SCHED_BATCH, as it puts itself once ready, and so are the references in its place' : 'no SCHED_BATCH here (no chrt): every server under the default policy');

/** Rows per inference run the server's batcher reached, from its Prometheus histogram. */
async function meanBatchSize(url: string): Promise<number> {
  const text = (await get(`${url}/metrics`)).body.toString();
  const value = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([\\d.e+]+)$`, 'm').exec(text)?.[1] ?? NaN);
  const mean = value('modeldeploy_batch_size_sum') / value('modeldeploy_batch_size_count');
  return Number.isFinite(mean) && mean >= 1 ? mean : 1;
}

/** Served req/s for the tiny iris model against A, a bare server moving the same bytes, 32 connections. */
async function tinyModelRow(): Promise<BenchRow> {
  const port = 19_101;
  const body = fs.readFileSync(path.join(REPO, 'examples', 'iris', 'sample.json'));
  const headers = { 'content-type': 'application/json' };
  const server = await startRuntime(path.join(REPO, 'examples', 'iris', 'model', 'iris-v2.onnx'), 'iris', port);
  const children = [server];
  try {
    const infer = `http://127.0.0.1:${port}/v2/models/iris/infer`;
    children.push(await bareServer(port + 1, (await get(infer, body, headers)).body, 'application/json'));
    const { ours, capacity, pairedRatio, pairing, note, picked } = await againstReferences([server, infer], { A: [children[1], `http://127.0.0.1:${port + 1}/`] }, 32, body, headers);
    const reference = picked.A;
    return {
      name: 'serve iris (tiny model), 32 connections',
      ours: ours.perSecond,
      reference: capacity.A,
      ratio: pairedRatio('A'),
      unit: 'req/s',
      goalRatio: 0.5,
      note: `reference A: a bare node:http server reading the same request body and answering our response's bytes, its capacity on one core: ${note}; ${where()}; ${policies()}; ${TURNS_TAKEN}, ${pairing('A')}; p50/p99 ours ${ours.p50}/${ours.p99} ms, A ${reference.p50}/${reference.p99} ms; errors ${ours.errors}`,
    };
  } finally {
    for (const child of children) child.kill('SIGKILL');
  }
}

/**
 * Served MNIST images/s, one image per request, 64 connections, against the limit of doing the HTTP work
 * and the model work in one process: 1 / (1/A + 1/B), A the bare server moving the same bytes, B
 * onnxruntime in-process at the batch size the server's batcher reached under this load.
 */
async function mnistRow(model: string, pixels: number[], format: 'json' | 'binary'): Promise<BenchRow> {
  const port = format === 'json' ? 19_201 : 19_301;
  const request: OipInferenceRequest = { inputs: [{ name: 'Input3', shape: [1, 1, 28, 28], datatype: 'FP32', data: pixels }] };
  const binary = format === 'binary' ? encodeBinaryRequest(request) : undefined;
  const body = binary ? binary.body : Buffer.from(JSON.stringify(request));
  const headers: Record<string, string> = binary ? { 'content-type': 'application/octet-stream', [INFERENCE_HEADER_CONTENT_LENGTH]: String(binary.headerLength) } : { 'content-type': 'application/json' };
  const server = await startRuntime(model, 'mnist', port);
  const children = [server];
  try {
    const url = `http://127.0.0.1:${port}`;
    const answer = await get(`${url}/v2/models/mnist/infer`, body, headers);
    if (answer.status !== 200) throw new Error(`the runtime answered ${answer.status}: ${answer.body.toString().slice(0, 200)}`);
    const contentType = binary ? 'application/octet-stream' : 'application/json';
    children.push(await bareServer(port + 1, answer.body, contentType));
    children.push(await startServer([path.join(__dirname, 'combinedServer.js'), model, 'Input3', '[1,28,28]', String(port + 2), answer.body.toString('base64'), contentType], {}, port + 2, '/', true));
    const references = { A: [children[1], `http://127.0.0.1:${port + 1}/`], C: [children[2], `http://127.0.0.1:${port + 2}/`] } satisfies Record<string, Served>;
    const { ours, capacity, pairedRatio, pairing, note } = await againstReferences([server, `${url}/v2/models/mnist/infer`], references, 64, body, headers);
    const batch = Math.max(1, Math.round(await meanBatchSize(url)));
    const combinedBatch = (JSON.parse((await get(`http://127.0.0.1:${port + 2}/`)).body.toString()) as { meanBatch: number }).meanBatch;
    const model1 = await childResult<{ perSecond: number }>(SERVER_CORE, [path.join(__dirname, 'inferenceRate.js'), model, 'Input3', String(batch), '[1,28,28]', String(DURATION_S)]);
    const formula = 1 / (1 / capacity.A + 1 / model1.perSecond);
    const ratio = (n: number) => (n / formula).toFixed(2);
    return {
      name: `serve MNIST (free batch), 64 connections, 1 image per ${format} request`,
      ours: ours.perSecond,
      reference: capacity.C,
      ratio: pairedRatio('C'),
      unit: 'images/s',
      goalRatio: 0.8,
      note: `reference C: one process doing A's HTTP work and B's model work, nothing else (it reads each ${body.length}-byte body whole, runs onnxruntime over what queued meanwhile, up to ${DEFAULT_MAX_BATCH_ROWS} ready-made rows, batches of ${combinedBatch.toFixed(1)} on average, and answers our ${answer.body.length}-byte response), its capacity on one core; A a bare node:http server moving the same bytes; B ${Math.round(model1.perSecond)} images/s (onnxruntime in-process on batches of ${batch}, the mean batch our batcher reached). The sum of their costs, 1/(1/A + 1/B), is ${Math.round(formula)} images/s: C reaches ${ratio(capacity.C)} of it, ours ${ratio(ours.perSecond)}. ${note}; ${where()}; ${policies()}; ${TURNS_TAKEN}, ${pairing('C')}; served p50/p99 ${ours.p50}/${ours.p99} ms; errors ${ours.errors}`,
    };
  } finally {
    for (const child of children) child.kill('SIGKILL');
  }
}

/** The first digit of the MNIST test set: its 784 pixels, 0 to 255. */
export function firstDigit(): number[] {
  return gunzipSync(fs.readFileSync(path.join(MNIST, 'mnist_test.csv.gz'))).toString().split('\n')[1].split(',').slice(1).map(Number);
}

/** A free-batch copy of the MNIST model in a temporary folder, for `use`; removed after. */
export async function withFreeBatchMnist<T>(use: (model: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldeploy-bench-'));
  try {
    const model = path.join(dir, 'mnist-free-batch.onnx');
    writeFreeBatchMnist(path.join(MNIST, 'mnist-8.onnx'), model);
    return await use(model);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function servingBench(): Promise<BenchRow[]> {
  return withFreeBatchMnist(async (model) => {
    const digit = firstDigit();
    return [await tinyModelRow(), await mnistRow(model, digit, 'json'), await mnistRow(model, digit, 'binary')];
  });
}
