import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import autocannon from 'autocannon';
import { onnxRuntime } from '../../src/core/model/onnxRuntime';
import type { BenchRow } from './benchTable';
import { REPO, median } from './measure';
import { writeFreeBatchMnist } from './freeBatchMnist';

const MNIST = path.resolve(REPO, '..', 'shared', 'data', 'mnist');
const DURATION_S = 3;
/** Ours and the reference take turns this many times; the medians are compared, so a drift in the machine's speed hits both. */
const ROUNDS = 3;

interface Load {
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

/** A bounded load from autocannon in this process against a server on loopback. */
async function load(url: string, connections: number, body?: string): Promise<Load> {
  const result = await autocannon({ url, connections, duration: DURATION_S, method: body ? 'POST' : 'GET', body, headers: body ? { 'content-type': 'application/json' } : undefined });
  return { perSecond: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.non2xx };
}

/** Starts a server process and waits until `readyPath` answers 200. */
async function startProcess(args: string[], env: Record<string, string>, port: number, readyPath: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: 'ignore' });
  const deadline = Date.now() + 20_000;
  for (;;) {
    const status = await new Promise<number>((resolve) => {
      const req = http.get(`http://127.0.0.1:${port}${readyPath}`, { timeout: 1000 }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', () => resolve(0));
      req.on('timeout', () => req.destroy());
    });
    if (status === 200) return child;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the server on port ${port} did not become ready`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Runs ours and the reference in turns, ROUNDS times each; the run with the median rate of each. */
async function alternate(ours: () => Promise<Load>, reference: () => Promise<Load>): Promise<{ ours: Load; reference: Load }> {
  const runs: { ours: Load[]; reference: Load[] } = { ours: [], reference: [] };
  for (let round = 0; round < ROUNDS; round++) {
    runs.reference.push(await reference());
    runs.ours.push(await ours());
  }
  const pick = (loads: Load[]) => loads.find((l) => l.perSecond === median(loads.map((x) => x.perSecond)))!;
  return { ours: { ...pick(runs.ours), errors: runs.ours.reduce((n, l) => n + l.errors, 0) }, reference: pick(runs.reference) };
}

const runtime = (model: string, name: string, port: number) => [[path.join(REPO, 'dist', 'runtime.js')], { MODELDEPLOY_MODEL: model, MODELDEPLOY_NAME: name, MODELDEPLOY_PORT: String(port), MODELDEPLOY_HOST: '127.0.0.1' }] as const;

/** Served req/s for the tiny iris model vs a bare node:http server answering a fixed JSON, 32 connections. */
async function tinyModelRow(): Promise<BenchRow> {
  const port = 19_101;
  const body = fs.readFileSync(path.join(REPO, 'examples', 'iris', 'sample.json'), 'utf8');
  const bare = `require('http').createServer((q,s)=>{q.resume();q.on('end',()=>{const b='{"model_name":"iris","outputs":[]}';s.writeHead(200,{'content-type':'application/json','content-length':b.length});s.end(b);});}).listen(${port + 1},'127.0.0.1')`;
  const [args, env] = runtime(path.join(REPO, 'examples', 'iris', 'model', 'iris-v2.onnx'), 'iris', port);
  const children = [await startProcess(['-e', bare], {}, port + 1, '/'), await startProcess([...args], env, port, '/v2/health/ready')];
  let measured;
  try {
    measured = await alternate(
      () => load(`http://127.0.0.1:${port}/v2/models/iris/infer`, 32, body),
      () => load(`http://127.0.0.1:${port + 1}/`, 32, body),
    );
  } finally {
    for (const child of children) child.kill('SIGKILL');
  }
  const { ours, reference } = measured;
  return {
    name: 'serve iris (tiny model), 32 connections',
    ours: ours.perSecond,
    reference: reference.perSecond,
    unit: 'req/s',
    goalRatio: 0.5,
    note: `reference: a bare node:http server returning a fixed JSON; medians of ${ROUNDS} turns of ${DURATION_S} s each; latency p50/p99 ours ${ours.p50}/${ours.p99} ms, reference ${reference.p50}/${reference.p99} ms; errors ${ours.errors}`,
  };
}

/** Served images/s for MNIST with a free batch dimension, one image per request, 64 connections, vs in-process batched onnxruntime. */
async function mnistRow(): Promise<BenchRow> {
  const port = 19_201;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldeploy-bench-'));
  try {
    const model = path.join(dir, 'mnist-free-batch.onnx');
    writeFreeBatchMnist(path.join(MNIST, 'mnist-8.onnx'), model);
    const rows = gunzipSync(fs.readFileSync(path.join(MNIST, 'mnist_test.csv.gz'))).toString().split('\n').slice(1, 65);
    const pixels = rows.map((line) => line.split(',').slice(1).map(Number));
    const body = JSON.stringify({ inputs: [{ name: 'Input3', shape: [1, 1, 28, 28], datatype: 'FP32', data: pixels[0] }] });
    const [args, env] = runtime(model, 'mnist', port);
    const child = await startProcess([...args], env, port, '/v2/health/ready');
    let measured;
    try {
      measured = await alternate(
        () => load(`http://127.0.0.1:${port}/v2/models/mnist/infer`, 64, body),
        async () => ({ perSecond: await inProcessBatched(model, pixels), p50: 0, p99: 0, errors: 0 }),
      );
    } finally {
      child.kill('SIGKILL');
    }
    const { ours, reference } = measured;
    return {
      name: 'serve MNIST (free batch), 64 connections, 1 image per request',
      ours: ours.perSecond,
      reference: reference.perSecond,
      unit: 'images/s',
      goalRatio: 0.8,
      note: `reference: onnxruntime-node in-process, run() on batches of 64 images; medians of ${ROUNDS} turns of ${DURATION_S} s each; served latency p50/p99 ${ours.p50}/${ours.p99} ms; errors ${ours.errors}`,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function inProcessBatched(model: string, pixels: number[][]): Promise<number> {
  const ort = onnxRuntime();
  // Warnings off: the copy's inner shapes still say batch 1, which onnxruntime notes on every run.
  const session = await ort.InferenceSession.create(model, { logSeverityLevel: 3 });
  const batch = new ort.Tensor('float32', Float32Array.from(pixels.flat()), [pixels.length, 1, 28, 28]);
  const started = performance.now();
  let images = 0;
  while (performance.now() - started < DURATION_S * 1000) {
    await session.run({ Input3: batch });
    images += pixels.length;
  }
  const perSecond = images / ((performance.now() - started) / 1000);
  await session.release();
  return perSecond;
}

export async function servingBench(): Promise<BenchRow[]> {
  return [await tinyModelRow(), await mnistRow()];
}
