import { CancelledError, UserError } from '../errors';
import { httpRequest } from '../http/httpRequest';
import type { OipInferenceRequest, OipInferenceResponse } from '../oip/oipTypes';

export interface Answer {
  response: OipInferenceResponse;
  /** From sending the request to the whole response, as a client sees it. */
  latencyMs: number;
}

/** POSTs a request to a model's `/infer`; the server's `{"error"}` becomes the message of a UserError. */
export async function sendInference(url: string, modelName: string, request: OipInferenceRequest, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<Answer> {
  const endpoint = `${url}/v2/models/${encodeURIComponent(modelName)}/infer`;
  const started = performance.now();
  let answer;
  try {
    answer = await httpRequest(endpoint, { method: 'POST', body: JSON.stringify(request), timeoutMs: options.timeoutMs ?? 30_000, signal: options.signal });
  } catch (error) {
    if (options.signal?.aborted) throw new CancelledError();
    throw new UserError(`no answer from ${endpoint}: ${(error as Error).message}`, undefined, 'check that the container runs ("modeldeploy run", or Run Locally)');
  }
  const latencyMs = performance.now() - started;
  let body: unknown;
  try {
    body = answer.json();
  } catch {
    throw new UserError(`${endpoint} answered ${answer.status} with a body that is not JSON: ${answer.text.slice(0, 200)}`);
  }
  if (answer.status !== 200) throw new UserError(`the model server answered ${answer.status}: ${(body as { error?: string }).error ?? answer.text.slice(0, 200)}`);
  return { response: body as OipInferenceResponse, latencyMs };
}
