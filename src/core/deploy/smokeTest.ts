import { UserError } from '../errors';
import { sendInference } from '../predict/inferenceClient';
import { predict } from '../predict/predict';
import { projectRequest } from '../predict/projectRequest';
import type { ProjectConfig } from '../project/projectConfig';

export interface SmokeResult {
  /** Largest difference from in-process onnxruntime; undefined when the image holds another model than the project's file. */
  parityMaxAbsDiff?: number;
  /** 95th percentile over the timed requests, as a client on this machine sees it. */
  latencyP95Ms: number;
}

/** Requests timed after the first answer, for the latency_p95_ms gate. */
const TIMED_REQUESTS = 20;

/**
 * The smoke prediction a new version must answer before it serves: the project's sample (or a request
 * made from the model), checked against in-process onnxruntime as `predict` checks it when the image
 * holds the project's own model file; then a few timed requests for the latency gate.
 */
export async function smokeTest(project: ProjectConfig, url: string, options: { sameModel: boolean; signal?: AbortSignal }): Promise<SmokeResult> {
  const request = await projectRequest(project, undefined, options.signal);
  let parityMaxAbsDiff: number | undefined;
  if (options.sameModel) {
    const result = await predict(project, url, request, options.signal);
    if (!result.parity.ok) {
      throw new UserError(`the new version's answer differs from in-process onnxruntime by ${result.parity.maxAbsDiff} (more than ${result.parity.tolerance})`, undefined, 'the environment keeps its previous version; check the image with "modeldeploy run" and "modeldeploy predict"');
    }
    parityMaxAbsDiff = result.parity.maxAbsDiff;
  } else {
    await sendInference(url, project.name, request, { signal: options.signal });
  }
  const latencies: number[] = [];
  for (let i = 0; i < TIMED_REQUESTS; i++) latencies.push((await sendInference(url, project.name, request, { signal: options.signal })).latencyMs);
  latencies.sort((a, b) => a - b);
  return { parityMaxAbsDiff, latencyP95Ms: Number(latencies[Math.ceil(0.95 * latencies.length) - 1].toFixed(3)) };
}
