import * as fs from 'node:fs/promises';
import { UserError } from '../errors';
import type { OipInferenceRequest, OipInferenceResponse } from '../oip/oipTypes';
import type { ProjectConfig } from '../project/projectConfig';
import { runInWorker } from '../worker/runInWorker';
import { sendInference } from './inferenceClient';
import { compareResponses, PARITY_TOLERANCE, type ParityResult } from './parity';
import { parseRequest } from './requestFile';
import { displayServerUrl } from './serverUrl';

export interface PredictResult {
  /** The server, as messages show it (without credentials). */
  url: string;
  request: OipInferenceRequest;
  response: OipInferenceResponse;
  latencyMs: number;
  parity: ParityResult;
}

/** The reference answers for requests, from the project's model in-process on the core worker thread. */
async function localAnswers(project: ProjectConfig, requests: OipInferenceRequest[], signal?: AbortSignal) {
  return runInWorker('infer', { file: project.model, identity: { name: project.name, version: project.version, labels: project.labels }, requests }, { signal });
}

/**
 * Sends one request to the served model and checks the answer against in-process onnxruntime. With
 * `binary`, the request and the answer use the binary tensor data extension.
 */
export async function predict(project: ProjectConfig, url: string, request: OipInferenceRequest, signal?: AbortSignal, options: { binary?: boolean } = {}): Promise<PredictResult> {
  const { response, latencyMs } = await sendInference(url, project.name, request, { signal, binary: options.binary });
  const [local] = await localAnswers(project, [request], signal);
  if ('error' in local) throw new UserError(`the server answered, but in-process onnxruntime refused the request: ${local.error}`);
  return { url: displayServerUrl(url), request, response, latencyMs, parity: compareResponses(response, local.response) };
}

export interface BatchResult {
  requests: number;
  failed: number;
  /** Each request that got no answer: its line in the batch file and why. */
  errors: { line: number; error: string }[];
  outFile: string;
  latencyMs: { p50: number; p95: number; max: number };
  parity: { maxAbsDiff: number; ok: boolean };
}

/** The value at quantile q of sorted numbers (nearest rank). */
function quantile(sorted: number[], q: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] : 0;
}

/**
 * Sends each request of a JSONL file (one request per line) and writes one result per line to
 * `outFile`: the response, latency and parity, or the error. A bad line is reported and skipped.
 */
export async function predictBatch(project: ProjectConfig, url: string, batchFile: string, outFile: string, options: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void; binary?: boolean } = {}): Promise<BatchResult> {
  let text: string;
  try {
    text = await fs.readFile(batchFile, 'utf8');
  } catch (error) {
    throw new UserError(`cannot read the batch file: ${(error as Error).message}`, { file: batchFile });
  }
  const lines = text.split('\n').map((line, index) => ({ line: index + 1, text: line })).filter((l) => l.text.trim());
  if (!lines.length) throw new UserError('the batch file has no requests', { file: batchFile }, 'write one JSON request per line');
  type Row = { line: number; request?: OipInferenceRequest; response?: OipInferenceResponse; latencyMs?: number; error?: string; parity?: number };
  const rows: Row[] = [];
  for (const { line, text: json } of lines) {
    const row: Row = { line };
    try {
      row.request = parseRequest(json, batchFile, line - 1);
      Object.assign(row, await sendInference(url, project.name, row.request, { signal: options.signal, binary: options.binary }));
    } catch (error) {
      if (options.signal?.aborted) throw error;
      row.error = error instanceof UserError ? error.message : String(error);
    }
    rows.push(row);
    options.onProgress?.(rows.length, lines.length);
  }
  const served = rows.filter((r) => r.response);
  const local = served.length ? await localAnswers(project, served.map((r) => r.request!), options.signal) : [];
  served.forEach((row, i) => {
    const reference = local[i];
    row.parity = 'error' in reference ? Infinity : compareResponses(row.response!, reference.response).maxAbsDiff;
  });
  const out = rows.map(({ line, response, latencyMs, error, parity }) => JSON.stringify(error ? { line, error } : { line, latencyMs: Number(latencyMs!.toFixed(3)), parityMaxAbsDiff: parity, response })).join('\n');
  const temp = `${outFile}.${process.pid}.tmp`;
  await fs.writeFile(temp, `${out}\n`);
  await fs.rename(temp, outFile);
  const latencies = served.map((r) => r.latencyMs!).sort((a, b) => a - b);
  const maxAbsDiff = served.reduce((m, r) => Math.max(m, r.parity!), 0);
  return {
    requests: rows.length,
    failed: rows.length - served.length,
    errors: rows.filter((r) => r.error).map(({ line, error }) => ({ line, error: error! })),
    outFile,
    latencyMs: { p50: quantile(latencies, 0.5), p95: quantile(latencies, 0.95), max: latencies[latencies.length - 1] ?? 0 },
    parity: { maxAbsDiff, ok: maxAbsDiff <= PARITY_TOLERANCE },
  };
}
