import { CancelledError, UserError } from '../errors';
import { httpRequest } from '../http/httpRequest';
import { decodeBinaryResponse, encodeBinaryRequest, INFERENCE_HEADER_CONTENT_LENGTH } from '../oip/binaryTensors';
import type { OipInferenceRequest, OipInferenceResponse } from '../oip/oipTypes';
import { inferenceEndpoint, withoutUserInfo } from './serverUrl';

export interface Answer {
  response: OipInferenceResponse;
  /** From sending the request to the whole response, as a client sees it. */
  latencyMs: number;
}

export interface SendOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Send the inputs and ask for the outputs as binary tensor data; the answer is decoded to JSON values. */
  binary?: boolean;
}

/**
 * POSTs a request to a model's `/infer` on the server at `url`; the server's `{"error"}` becomes the
 * message of a UserError. No message shows the credentials a URL may carry.
 * With `binary`, the request goes out in the binary tensor data extension's framing and a binary answer
 * comes back as the same response JSON would have given.
 */
export async function sendInference(url: string, modelName: string, request: OipInferenceRequest, options: SendOptions = {}): Promise<Answer> {
  const endpoint = inferenceEndpoint(url, modelName);
  const shown = withoutUserInfo(endpoint);
  let framed: { body: Buffer; headerLength: number } | undefined;
  if (options.binary) {
    try {
      framed = encodeBinaryRequest(request);
    } catch (error) {
      throw new UserError(`the request cannot be sent as binary tensor data: ${(error as Error).message}`);
    }
  }
  const started = performance.now();
  let answer;
  try {
    answer = await httpRequest(endpoint, {
      method: 'POST',
      body: framed ? framed.body : JSON.stringify(request),
      headers: framed ? { 'Content-Type': 'application/octet-stream', [INFERENCE_HEADER_CONTENT_LENGTH]: String(framed.headerLength) } : undefined,
      timeoutMs: options.timeoutMs ?? 30_000,
      signal: options.signal,
    });
  } catch (error) {
    if (options.signal?.aborted) throw new CancelledError();
    throw new UserError(`no answer from ${shown}: ${withoutUserInfo((error as Error).message)}`, undefined, 'check that the container runs ("modeldeploy run", or Run Locally)');
  }
  const latencyMs = performance.now() - started;
  const headerLength = answer.headers[INFERENCE_HEADER_CONTENT_LENGTH.toLowerCase()];
  if (answer.status === 200 && headerLength !== undefined) {
    try {
      return { response: decodeBinaryResponse(answer.body, String(headerLength)), latencyMs };
    } catch (error) {
      throw new UserError(`${shown} answered with binary tensor data that cannot be read: ${(error as Error).message}`);
    }
  }
  let body: unknown;
  try {
    body = answer.json();
  } catch {
    throw new UserError(`${shown} answered ${answer.status} with a body that is not JSON: ${answer.text.slice(0, 200)}`);
  }
  if (answer.status !== 200) throw new UserError(`the model server answered ${answer.status}: ${(body as { error?: string }).error ?? answer.text.slice(0, 200)}`);
  return { response: body as OipInferenceResponse, latencyMs };
}
