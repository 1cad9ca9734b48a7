import * as assert from 'node:assert/strict';
import type { CaseOutcome } from './cliCase';
import { sendRaw } from './rawHttp';
import { GOOD_REQUEST, type RequestCase } from './requestCases';

/** A request that gets no complete answer within this fails its case. */
const REQUEST_TIME_LIMIT_MS = 10_000;

async function requestsInFlight(url: string): Promise<number> {
  const metrics = await sendRaw(url, { method: 'GET', path: '/metrics' }, REQUEST_TIME_LIMIT_MS);
  const line = /^modeldeploy_requests_in_flight(?:\{[^}]*\})? (\d+)/m.exec(metrics.body);
  assert.ok(line, 'the in-flight gauge is exported');
  return Number(line[1]);
}

/**
 * Sends the bad request and checks its answer: the designed status, a JSON `{"error"}` that names the
 * problem. Then the server must still answer a good request, with no request left in flight.
 */
export async function runRequestCase(url: string, c: RequestCase): Promise<CaseOutcome> {
  const started = performance.now();
  const answer = await sendRaw(url, c, REQUEST_TIME_LIMIT_MS);
  const seconds = (performance.now() - started) / 1000;
  assert.equal(answer.status, c.status, answer.body);
  assert.match(answer.headers['content-type'] ?? '', /^application\/json/);
  const body = JSON.parse(answer.body) as Record<string, unknown>;
  assert.deepEqual(Object.keys(body), ['error'], answer.body);
  assert.match(String(body.error), c.error);
  const good = await sendRaw(url, GOOD_REQUEST, REQUEST_TIME_LIMIT_MS);
  assert.equal(good.status, 200, `a good request after the bad one: ${good.body}`);
  // The gauge counts the /metrics request that reads it.
  const inFlight = (await requestsInFlight(url)) - 1;
  return { seconds, leftovers: inFlight > 0 ? [`${inFlight} requests still in flight`] : [] };
}
