import * as http from 'node:http';
import { INFERENCE_HEADER_CONTENT_LENGTH } from '../../../src/core/oip/binaryTensors';
import type { FuzzCase } from './fuzzCase';

/** What the server did with a request: its status and body, or the transport error when it gave none. */
export type Outcome = { status: number; headers: http.IncomingHttpHeaders; body: Buffer } | { error: string };

/** POSTs a case with an exact Content-Length on a keep-alive agent (a 400 or 413 closes the connection). */
export function sendCase(url: string, c: FuzzCase, agent: http.Agent): Promise<Outcome> {
  return new Promise((resolve) => {
    const request = http.request(url, { method: 'POST', agent, headers: { ...c.headers, 'Content-Length': c.body.length } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', (error) => resolve({ error: error.message }));
    });
    request.setTimeout(30_000, () => request.destroy(new Error('no answer within 30 s')));
    request.on('error', (error) => resolve({ error: error.message }));
    request.end(c.body);
  });
}

/**
 * What is wrong with an answer, or undefined: a valid request must get 200; any request 200 or a 4xx,
 * never a 5xx or no answer; a 4xx is JSON with an "error" string; a 200 holds a JSON "outputs" list
 * (in the JSON part of a binary answer; empty when the request asked for no outputs).
 */
export function problemWith(c: FuzzCase, outcome: Outcome): string | undefined {
  if ('error' in outcome) return `no answer: ${outcome.error}`;
  const { status, headers, body } = outcome;
  const text = body.toString('utf8').slice(0, 300);
  if (c.family === 'valid' && status !== 200) return `a valid request was answered ${status}: ${text}`;
  if (status >= 400 && status < 500) {
    const error = parsed(body) as { error?: unknown } | undefined;
    return typeof error?.error === 'string' ? undefined : `${status} without a JSON {"error": ...} body: ${text}`;
  }
  if (status !== 200) return `answered ${status}: ${text}`;
  const jsonLength = headers[INFERENCE_HEADER_CONTENT_LENGTH.toLowerCase()];
  const answer = parsed(jsonLength === undefined ? body : body.subarray(0, Number(jsonLength))) as { outputs?: unknown } | undefined;
  return Array.isArray(answer?.outputs) ? undefined : `200 without an "outputs" list: ${text}`;
}

function parsed(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}
