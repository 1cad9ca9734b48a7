import * as assert from 'node:assert/strict';
import { once } from 'node:events';
import * as http from 'node:http';
import { httpRequest } from '../../src/core/http/httpRequest';
import { joinBinaryBody, tensorDataToBytes } from '../../src/core/oip/binaryTensors';
import type { MetricSample } from '../../src/core/watch/metricSample';
import { parsePrometheusText } from '../../src/core/watch/parsePrometheusText';
import { RouterMetrics } from '../../src/runtime/routerMetrics';
import { parseUpstreamUrl } from '../../src/runtime/upstreamUrl';
import { auth, deadUrl, LoopbackUpstream, send, startRouter, switchTo, type RouterProcess } from '../support/routerFixture';

const MAX_MIRRORED_BYTES = 4 * 1024 * 1024;

interface Received {
  id: string;
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

interface Reply {
  headers?: Record<string, string | number>;
  body: string | Buffer;
}

/**
 * A stand-in model container speaking the Open Inference Protocol: answers each request with what
 * `reply` makes of its body (an OIP request whose "id" says what to answer). While `holding`, answers
 * wait until released.
 */
class OipUpstream extends LoopbackUpstream {
  readonly received: Received[] = [];
  holding = false;
  private held: (() => void)[] = [];

  constructor(private readonly reply: (request: { id: string; big?: boolean; binary?: boolean }) => Reply) {
    super((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks);
        const parsed = parseRequest(body);
        this.received.push({ id: parsed.id, method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
        const answer = () => {
          const { headers, body: text } = this.reply(parsed);
          response.writeHead(200, { 'Content-Type': 'application/json', ...headers });
          response.end(text);
        };
        if (!this.holding) return answer();
        this.held.push(answer);
        this.emit('held');
      });
    });
  }

  get heldCount(): number {
    return this.held.length;
  }

  async untilHolding(count: number): Promise<void> {
    while (this.held.length < count) await once(this, 'held');
  }

  releaseAll(): void {
    this.holding = false;
    for (const answer of this.held.splice(0)) answer();
  }
}

function parseRequest(body: Buffer): { id: string; big?: boolean; binary?: boolean } {
  try {
    return JSON.parse(body.toString('utf8')) as { id: string };
  } catch {
    return { id: `unparsed ${body.length} bytes` };
  }
}

const oipRequest = (id: string, extra: Record<string, unknown> = {}) => JSON.stringify({ id, inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP32', data: [5.1, 3.5, 1.4, 0.2] }], ...extra });

const answerJson = (id: string, scores: number[] | undefined) =>
  JSON.stringify({ model_name: 'iris', id, outputs: [...(scores ? [{ name: 'probabilities', shape: [1, 3], datatype: 'FP32', data: scores }] : []), { name: 'label', shape: [1], datatype: 'INT64', data: [0] }] });

/** The active version: class 0 at 0.75 every time, as JSON or binary framed when asked, or a body over the bound. */
function activeReply({ id, big, binary }: { id: string; big?: boolean; binary?: boolean }): Reply {
  if (big) return { body: Buffer.alloc(MAX_MIRRORED_BYTES + 1, ' ') };
  if (!binary) return { body: answerJson(id, [0.75, 0.25, 0]) };
  const part = tensorDataToBytes('FP32', Float32Array.from([0.75, 0.25, 0]));
  const { body, headerLength } = joinBinaryBody({ model_name: 'iris', id, outputs: [{ name: 'probabilities', shape: [1, 3], datatype: 'FP32', parameters: { binary_data_size: part.length } }] }, [part]);
  return { headers: { 'Content-Type': 'application/octet-stream', 'Inference-Header-Content-Length': headerLength }, body };
}

/**
 * The shadow, by the request's id: "flip" another class (0.5 off), "wild" another class by 1, "missing"
 * no probabilities at all; else the same class, 0.125 off.
 */
function shadowReply({ id }: { id: string }): Reply {
  if (id.startsWith('flip')) return { body: answerJson(id, [0.25, 0.75, 0]) };
  if (id.startsWith('wild')) return { body: answerJson(id, [0, 0, 1]) };
  if (id.startsWith('missing')) return { body: answerJson(id, undefined) };
  return { body: answerJson(id, [0.625, 0.375, 0]) };
}

const value = (samples: MetricSample[], name: string, labels: Record<string, string>) =>
  samples.find((s) => s.name === name && Object.keys(s.labels).length === Object.keys(labels).length && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value ?? 0;

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the shadow metrics', () => {
  it('count answers by status with their latencies, comparisons and skips, and keep the largest difference since the shadow was set', () => {
    const metrics = new RouterMetrics();
    const green = parseUpstreamUrl('http://iris-green:8080');
    const labels = { upstream: green.url };
    const read = () => parsePrometheusText(metrics.text({}));
    metrics.shadowSet(green);
    assert.deepEqual(['compared_total', 'class_differences_total', 'incomparable_total', 'score_difference_max'].map((name) => read().find((s) => s.name === `modeldeploy_router_shadow_${name}`)?.value), [0, 0, 0, 0], 'shown from the set on');
    metrics.shadowAnswered(green, 200, 0.004);
    metrics.shadowAnswered(green, 200, 0.3);
    metrics.shadowAnswered(green, 502, 3);
    metrics.shadowCompared(green, { kind: 'compared', classDiffers: true, maxAbsDifference: 0.25 });
    metrics.shadowCompared(green, { kind: 'compared', classDiffers: false, maxAbsDifference: 0.5 });
    metrics.shadowCompared(green, { kind: 'compared', classDiffers: undefined, maxAbsDifference: 0.125 });
    metrics.shadowCompared(green, { kind: 'incomparable', reason: 'no output' });
    metrics.shadowSkipped(green, 'busy');
    metrics.shadowSkipped(green, 'busy');
    metrics.shadowSkipped(green, 'too_large');
    const samples = read();
    const shadow = (name: string, more: Record<string, string> = {}) => value(samples, `modeldeploy_router_shadow_${name}`, { ...labels, ...more });
    assert.deepEqual([shadow('requests_total', { status: '200' }), shadow('requests_total', { status: '502' })], [2, 1]);
    assert.deepEqual([shadow('duration_seconds_bucket', { le: '0.0025' }), shadow('duration_seconds_bucket', { le: '0.005' }), shadow('duration_seconds_bucket', { le: '0.5' }), shadow('duration_seconds_bucket', { le: '2.5' }), shadow('duration_seconds_bucket', { le: '+Inf' })], [0, 1, 2, 2, 3]);
    assert.ok(Math.abs(shadow('duration_seconds_sum') - 3.304) < 1e-9);
    assert.deepEqual([shadow('compared_total'), shadow('class_differences_total'), shadow('incomparable_total'), shadow('score_difference_max')], [3, 1, 1, 0.5]);
    assert.deepEqual([shadow('skipped_total', { reason: 'busy' }), shadow('skipped_total', { reason: 'too_large' }), shadow('skipped_total', { reason: 'incomplete' })], [2, 1, 0]);
    assert.equal(samples.filter((s) => s.name.startsWith('modeldeploy_router_requests')).length, 0, 'the copies are not requests through the router');

    // Set again: the largest difference starts again, the counters go on.
    metrics.shadowSet(green);
    assert.equal(value(read(), 'modeldeploy_router_shadow_score_difference_max', labels), 0);
    assert.equal(value(read(), 'modeldeploy_router_shadow_compared_total', labels), 3);
    metrics.shadowCompared(green, { kind: 'compared', classDiffers: false, maxAbsDifference: Infinity });
    assert.match(metrics.text({}), /^modeldeploy_router_shadow_score_difference_max\{upstream="http:\/\/iris-green:8080"\} \+Inf$/m);
  });
});

describe('the router with a shadow', function () {
  this.timeout(60_000);
  let a: OipUpstream;
  let b: OipUpstream;
  let router: RouterProcess;

  const admin = (method: string, path: string, body?: unknown) =>
    httpRequest(`${router.adminUrl}${path}`, { method, headers: auth(), body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  const putShadow = (body: unknown) => admin('PUT', '/shadow', body);
  const state = async () => (await admin('GET', '/upstream')).json() as { url: string; shadow: { url: string; since: string; compare: object } | null; canary: unknown; inFlight: Record<string, number> };
  const scrape = async () => parsePrometheusText((await admin('GET', '/metrics')).text);
  /** One shadow series' value now. */
  const shadowValue = async (name: string, labels: Record<string, string> = {}, upstream = b.url) => value(await scrape(), `modeldeploy_router_shadow_${name}`, { upstream, ...labels });
  const infer = (id: string, extra: Record<string, unknown> = {}, path = '/v2/models/iris/infer') => send(`${router.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: oipRequest(id, extra) });
  /** Waits until the shadow has answered `count` copies in all since the router started. */
  const answeredByShadow = (count: number, upstream = b.url) => until(async () => (await shadowValue('duration_seconds_count', {}, upstream)) >= count, `the shadow answered ${count} copies`);

  before(async () => {
    a = await new OipUpstream(activeReply).start();
    b = await new OipUpstream(shadowReply).start();
    router = await startRouter({ MODELDEPLOY_ROUTER_ENVIRONMENT: 'production' });
  });
  after(async () => {
    router?.child.kill('SIGKILL');
    await Promise.all([a?.close(), b?.close()]);
  });
  afterEach(async () => {
    a.releaseAll();
    b.releaseAll();
    await admin('DELETE', '/shadow');
    await admin('DELETE', '/canary');
  });

  it('refuses a shadow while no upstream is active: 409', async () => {
    const answer = await putShadow({ url: b.url });
    assert.equal(answer.status, 409, answer.text);
    assert.match((answer.json() as { error: string }).error, /no upstream is active/);
    assert.equal((await state()).shadow, null);
  });

  it('sends the client only the active answer, and the shadow a copy of the request once that answer is sent', async () => {
    await switchTo(router, a.url);
    const set = await putShadow({ url: b.url, compare: { output: 'probabilities', task: 'classification' } });
    assert.equal(set.status, 200, set.text);
    const answer = set.json() as { since: string };
    assert.deepEqual(answer, { url: b.url, since: answer.since, compare: { output: 'probabilities', task: 'classification' }, active: a.url, previous: null });
    const now = await state();
    assert.deepEqual(now.shadow, { url: b.url, since: answer.since, compare: { output: 'probabilities', task: 'classification' } });
    assert.ok(!Number.isNaN(Date.parse(answer.since)));
    assert.deepEqual(now.inFlight, { [a.url]: 0, [b.url]: 0 });
    const logged = await router.line((l) => l.message === 'shadow set');
    assert.deepEqual({ shadow: logged.shadow, compare: logged.compare, previous: logged.previous, environment: logged.environment }, { shadow: b.url, compare: { output: 'probabilities', task: 'classification' }, previous: null, environment: 'production' });

    // While the active version holds its answer, the shadow has nothing.
    a.holding = true;
    const body = oipRequest('first');
    const pending = send(`${router.url}/v2/models/iris/infer?trace=1`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Custom': 'kept' }, body });
    await a.untilHolding(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(b.received.length, 0, 'no copy before the client has its answer');
    a.releaseAll();
    const client = await pending;
    assert.equal(client.status, 200);
    assert.equal(client.text, answerJson('first', [0.75, 0.25, 0]), 'the active answer, untouched');
    assert.equal(client.headers['x-model-deploy-upstream'], a.routerName);
    await answeredByShadow(1);

    const original = a.received.find((r) => r.id === 'first')!;
    const [copy] = b.received;
    assert.deepEqual([copy.method, copy.url], ['POST', '/v2/models/iris/infer?trace=1']);
    assert.ok(copy.body.equals(original.body), 'the same body');
    assert.equal(copy.body.toString(), body);
    for (const name of ['content-type', 'content-length', 'x-custom', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto']) assert.equal(copy.headers[name], original.headers[name], name);
    assert.equal(copy.headers.host, b.routerName);

    // Only inference requests are mirrored: not other paths, not other methods.
    await send(`${router.url}/v2/health/ready`);
    await send(`${router.url}/v2/models/iris`, { method: 'POST', body: oipRequest('not-infer') });
    await send(`${router.url}/v2/models/iris/infer`, { method: 'PUT', body: oipRequest('put') });
    await infer('second');
    await answeredByShadow(2);
    assert.deepEqual(b.received.map((r) => r.id), ['first', 'second']);
    // The copies are counted as the shadow's, not as requests through the router.
    const samples = await scrape();
    assert.equal(value(samples, 'modeldeploy_router_requests_total', { upstream: a.url, route: 'infer', status: '200' }), 3);
    assert.ok(!samples.some((s) => s.name === 'modeldeploy_router_requests_total' && s.labels.upstream === b.url), 'no request series for the shadow');
    assert.equal(value(samples, 'modeldeploy_router_shadow_requests_total', { upstream: b.url, status: '200' }), 2);
    assert.equal(value(samples, 'modeldeploy_router_shadow_duration_seconds_bucket', { upstream: b.url, le: '+Inf' }), 2);
  });

  it('counts the requests whose class differs and the largest score difference since the shadow was set', async () => {
    await switchTo(router, a.url);
    assert.equal((await putShadow({ url: b.url, compare: { output: 'probabilities', task: 'classification' } })).status, 200);
    const start = { compared: await shadowValue('compared_total'), differences: await shadowValue('class_differences_total'), answered: await shadowValue('duration_seconds_count') };
    // A difference of 1 before the shadow is set again: the gauge forgets it.
    await infer('wild');
    await answeredByShadow(start.answered + 1);
    assert.equal(await shadowValue('score_difference_max'), 1);
    assert.equal((await putShadow({ url: b.url, compare: { output: 'probabilities' } })).status, 200);
    assert.equal(await shadowValue('score_difference_max'), 0);

    const ids = ['same-0', 'flip-1', 'same-2', 'same-3', 'flip-4', 'same-5', 'same-6', 'flip-7', 'same-8', 'same-9'];
    for (const id of ids) {
      const answer = await infer(id);
      assert.equal(answer.text, answerJson(id, [0.75, 0.25, 0]));
    }
    await answeredByShadow(start.answered + 11);
    // 11 compared (wild included), 1 + 3 with another class; the largest difference since the new set is a flip's 0.5.
    assert.equal((await shadowValue('compared_total')) - start.compared, 11);
    assert.equal((await shadowValue('class_differences_total')) - start.differences, 4);
    assert.equal(await shadowValue('score_difference_max'), 0.5);
    assert.equal(await shadowValue('incomparable_total'), 0);
  });

  it('skips a request as busy while 8 copies are in flight, without holding any client; drains them after DELETE /shadow', async () => {
    await switchTo(router, a.url);
    assert.equal((await putShadow({ url: b.url })).status, 200);
    const busyBefore = await shadowValue('skipped_total', { reason: 'busy' });
    const receivedBefore = b.received.length;
    b.holding = true;
    for (let i = 0; i < 8; i++) assert.equal((await infer(`held-${i}`)).status, 200, 'the client is answered while the shadow holds');
    await b.untilHolding(8);
    assert.equal((await state()).inFlight[b.url], 8);
    assert.equal((await infer('ninth')).status, 200);
    assert.equal((await shadowValue('skipped_total', { reason: 'busy' })) - busyBefore, 1);
    assert.equal(b.received.length - receivedBefore, 8);

    const cleared = await admin('DELETE', '/shadow');
    assert.deepEqual(cleared.json(), { url: null, previous: b.url });
    await router.line((l) => l.message === 'shadow cleared' && l.shadow === b.url);
    assert.equal((await state()).shadow, null);
    const notYet = await admin('GET', `/upstream/drained?url=${encodeURIComponent(b.url)}&timeoutMs=0`);
    assert.deepEqual(notYet.json(), { url: b.url, drained: false, inFlight: 8 });
    const drained = admin('GET', `/upstream/drained?url=${encodeURIComponent(b.url)}&timeoutMs=50000`);
    b.releaseAll();
    assert.deepEqual((await drained).json(), { url: b.url, drained: true, inFlight: 0 });
    // No shadow now: nothing more is mirrored, and clearing again says there was none.
    await infer('after-clear');
    assert.equal(b.received.length - receivedBefore, 8);
    assert.deepEqual((await admin('DELETE', '/shadow')).json(), { url: null, previous: null });
  });

  it('does not mirror a request or an answer over 4 MiB, but one of exactly 4 MiB', async () => {
    await switchTo(router, a.url);
    assert.equal((await putShadow({ url: b.url })).status, 200);
    const tooLarge = await shadowValue('skipped_total', { reason: 'too_large' });
    const answered = await shadowValue('duration_seconds_count');
    const receivedBefore = b.received.length;
    // Said in Content-Length, known from the start.
    const declared = await send(`${router.url}/v2/models/iris/infer`, { method: 'POST', body: Buffer.alloc(MAX_MIRRORED_BYTES + 1, ' ') });
    assert.equal(declared.status, 200);
    // Chunked, known only once read.
    const chunked = http.request(`${router.url}/v2/models/iris/infer`, { method: 'POST', agent: false });
    const chunkedAnswer = once(chunked, 'response') as Promise<[http.IncomingMessage]>;
    for (let i = 0; i < 5; i++) chunked.write(Buffer.alloc(MAX_MIRRORED_BYTES / 4, ' '));
    chunked.end();
    const [chunkedResponse] = await chunkedAnswer;
    assert.equal(chunkedResponse.statusCode, 200);
    chunkedResponse.resume();
    await once(chunkedResponse, 'end');
    // The active version's answer over the bound.
    const bigAnswer = await infer('big', { big: true });
    assert.equal(bigAnswer.text.length, MAX_MIRRORED_BYTES + 1);
    await until(async () => (await shadowValue('skipped_total', { reason: 'too_large' })) - tooLarge === 3, 'three requests were skipped as too large');

    const exact = oipRequest('exact', { pad: '' });
    const padded = Buffer.from(exact.replace('"pad":""', `"pad":"${'x'.repeat(MAX_MIRRORED_BYTES - Buffer.byteLength(exact))}"`));
    assert.equal(padded.length, MAX_MIRRORED_BYTES);
    assert.equal((await send(`${router.url}/v2/models/iris/infer`, { method: 'POST', body: padded })).status, 200);
    await answeredByShadow(answered + 1);
    assert.deepEqual(b.received.slice(receivedBefore).map((r) => [r.id, r.body.length]), [['exact', MAX_MIRRORED_BYTES]]);
  });

  it('counts a client that left before its answer as incomplete, and mirrors nothing of it', async () => {
    await switchTo(router, a.url);
    assert.equal((await putShadow({ url: b.url })).status, 200);
    const incomplete = await shadowValue('skipped_total', { reason: 'incomplete' });
    const receivedBefore = b.received.length;
    a.holding = true;
    const request = http.request(`${router.url}/v2/models/iris/infer`, { method: 'POST', agent: false });
    request.on('error', () => undefined);
    request.end(oipRequest('gone'));
    await a.untilHolding(1);
    request.destroy();
    await until(async () => (await shadowValue('skipped_total', { reason: 'incomplete' })) - incomplete === 1, 'the request was skipped as incomplete');
    a.releaseAll();
    assert.equal(b.received.length, receivedBefore);
  });

  it('counts a shadow that cannot be reached as 502, and the clients get their answers', async () => {
    const down = await deadUrl();
    await switchTo(router, a.url);
    assert.equal((await putShadow({ url: down })).status, 200);
    for (let i = 0; i < 5; i++) {
      const answer = await infer(`to-dead-${i}`);
      assert.equal(answer.status, 200);
      assert.equal(answer.headers['x-model-deploy-upstream'], a.routerName);
    }
    await until(async () => (await shadowValue('requests_total', { status: '502' }, down)) === 5, 'five copies failed');
    assert.equal(await shadowValue('compared_total', {}, down), 0);
    assert.equal((await state()).inFlight[down], 0);
  });

  it('compares a binary framed answer of the active version with the shadow\'s JSON, and counts an incomparable pair', async () => {
    await switchTo(router, a.url);
    assert.equal((await putShadow({ url: b.url, compare: { output: 'probabilities' } })).status, 200);
    const start = { compared: await shadowValue('compared_total'), differences: await shadowValue('class_differences_total'), incomparable: await shadowValue('incomparable_total'), answered: await shadowValue('duration_seconds_count') };
    for (const id of ['same-b0', 'flip-b1', 'same-b2', 'same-b3']) {
      const answer = await infer(id, { binary: true });
      assert.ok(answer.headers['inference-header-content-length'], 'a binary framed answer');
    }
    await infer('missing-output');
    await answeredByShadow(start.answered + 5);
    assert.equal((await shadowValue('compared_total')) - start.compared, 4);
    assert.equal((await shadowValue('class_differences_total')) - start.differences, 1);
    assert.equal((await shadowValue('incomparable_total')) - start.incomparable, 1);
    assert.equal(await shadowValue('score_difference_max'), 0.5);
  });

  it('promotes the shadow when the active upstream is switched to it', async () => {
    await switchTo(router, a.url);
    assert.equal((await putShadow({ url: b.url })).status, 200);
    assert.deepEqual(await switchTo(router, b.url), { url: b.url, previous: a.url });
    const now = await state();
    assert.equal(now.url, b.url);
    assert.equal(now.shadow, null);
    await router.line((l) => l.message === 'shadow cleared' && l.shadow === b.url);
    const receivedByA = a.received.length;
    const answer = await infer('promoted');
    assert.equal(answer.headers['x-model-deploy-upstream'], b.routerName);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(a.received.length, receivedByA, 'no copy to the old version');
  });

  it('answers 400 naming the field to bad input, 409 to the active version or while a canary is set, and keeps the shadow it had', async () => {
    await switchTo(router, a.url);
    const cases: [unknown, RegExp][] = [
      [{ url: 'https://b:8080' }, /must use http:/],
      [{ url: 'http://b' }, /port written out/],
      [{ url: 'not a url' }, /is not a URL/],
      [{ compare: {} }, /non-empty string/],
      [{ url: b.url, compare: { task: 'ranking' } }, /"compare.task" must be "classification", "regression" or "raw", not "ranking"/],
      [{ url: b.url, compare: { task: 1 } }, /"compare.task" .* not 1/],
      [{ url: b.url, compare: { output: 42 } }, /"compare.output" must be the name of an output .* not 42/],
      [{ url: b.url, compare: { output: '' } }, /"compare.output" .* not ""/],
      [{ url: b.url, compare: 'probabilities' }, /"compare" must be an object .* not "probabilities"/],
      [{ url: b.url, compare: ['probabilities'] }, /"compare" must be an object/],
      [{ url: b.url, compare: { outputs: 'probabilities' } }, /"compare" has no field "outputs": it takes "output" and "task"/],
      ['{"url":', /the body is not valid JSON/],
    ];
    assert.equal((await putShadow({ url: b.url, compare: { task: 'regression' } })).status, 200);
    for (const [body, message] of cases) {
      const answer = await putShadow(body);
      assert.equal(answer.status, 400, `${JSON.stringify(body)}: ${answer.text}`);
      assert.match((answer.json() as { error: string }).error, message, JSON.stringify(body));
    }
    const same = await putShadow({ url: a.url });
    assert.equal(same.status, 409);
    assert.match((same.json() as { error: string }).error, /is the active upstream: a shadow must be another version/);
    assert.deepEqual((await state()).shadow?.compare, { task: 'regression' }, 'the refused requests changed nothing');

    // With the shadow set: no canary, and no waiting for the shadow to drain.
    const canary = await admin('PUT', '/canary', { url: b.url, weight: 10 });
    assert.equal(canary.status, 409);
    assert.match((canary.json() as { error: string }).error, /is the shadow: clear it first \(DELETE \/shadow\)/);
    const drained = await admin('GET', `/upstream/drained?url=${encodeURIComponent(b.url)}`);
    assert.equal(drained.status, 409);
    assert.match((drained.json() as { error: string }).error, /is the shadow: clear it \(DELETE \/shadow\)/);

    // With a canary set: no shadow.
    await admin('DELETE', '/shadow');
    assert.equal((await admin('PUT', '/canary', { url: b.url, weight: 10 })).status, 200);
    const shadow = await putShadow({ url: b.url });
    assert.equal(shadow.status, 409);
    assert.match((shadow.json() as { error: string }).error, /is the canary: clear it first \(DELETE \/canary\)/);
    assert.equal((await state()).shadow, null);

    const method = await admin('GET', '/shadow');
    assert.equal(method.status, 405);
    assert.equal(method.headers.allow, 'PUT, DELETE');
    assert.match((await admin('GET', '/nowhere')).text, /\/shadow/);
    assert.equal((await httpRequest(`${router.adminUrl}/shadow`, { method: 'DELETE' })).status, 401);
    // Null fields are as good as absent.
    const plain = await putShadow({ url: b.url, compare: { output: null, task: null } });
    assert.equal(plain.status, 409, 'refused for the canary, not for the nulls');
    await admin('DELETE', '/canary');
    assert.deepEqual((await putShadow({ url: b.url, compare: null })).json(), { url: b.url, since: (await state()).shadow?.since, compare: {}, active: a.url, previous: null });
  });
});

describe('a shadow that stays silent', function () {
  this.timeout(60_000);

  it('is counted 504 after the router\'s upstream timeout, and the client is not held', async () => {
    const a = await new OipUpstream(activeReply).start();
    const silent = await new OipUpstream(shadowReply).start();
    const router = await startRouter({ MODELDEPLOY_UPSTREAM: a.url, MODELDEPLOY_ROUTER_UPSTREAM_TIMEOUT_MS: '300' });
    try {
      silent.holding = true;
      const set = await httpRequest(`${router.adminUrl}/shadow`, { method: 'PUT', headers: auth(), body: JSON.stringify({ url: silent.url }) });
      assert.equal(set.status, 200, set.text);
      const answer = await send(`${router.url}/v2/models/iris/infer`, { method: 'POST', body: oipRequest('silent') });
      assert.equal(answer.status, 200);
      await until(async () => {
        const samples = parsePrometheusText((await httpRequest(`${router.adminUrl}/metrics`, { headers: auth() })).text);
        return value(samples, 'modeldeploy_router_shadow_requests_total', { upstream: silent.url, status: '504' }) === 1;
      }, 'the copy timed out');
    } finally {
      router.child.kill('SIGKILL');
      silent.releaseAll();
      await Promise.all([a.close(), silent.close()]);
    }
  });
});
