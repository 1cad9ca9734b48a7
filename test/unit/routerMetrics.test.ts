import * as assert from 'node:assert/strict';
import { httpRequest } from '../../src/core/http/httpRequest';
import { counterIncreases } from '../../src/core/watch/counterIncreases';
import type { MetricSample } from '../../src/core/watch/metricSample';
import { parsePrometheusText } from '../../src/core/watch/parsePrometheusText';
import { RouterMetrics } from '../../src/runtime/routerMetrics';
import { parseUpstreamUrl } from '../../src/runtime/upstreamUrl';
import { auth, FakeUpstream, send, startRouter, switchTo, type RouterProcess } from '../support/routerFixture';

const value = (samples: MetricSample[], name: string, labels: Record<string, string>) =>
  samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v) && Object.keys(s.labels).length === Object.keys(labels).length)?.value;

describe('the router metrics', () => {
  it('counts answers by upstream, route and status, and latencies into the buckets they belong to', () => {
    const metrics = new RouterMetrics();
    const blue = parseUpstreamUrl('http://iris-blue:8080');
    const green = parseUpstreamUrl('http://iris-green:8080');
    metrics.answered(blue, true, 200, 0.004);
    metrics.answered(blue, true, 200, 0.005);
    metrics.answered(blue, true, 500, 0.3);
    metrics.answered(blue, false, 200, 0.0001);
    metrics.answered(green, true, 200, 7);
    metrics.connectFailed(green);
    const samples = parsePrometheusText(metrics.text({ [blue.url]: 2, [green.url]: 0 }));
    const blueInfer = { upstream: blue.url, route: 'infer' };
    assert.equal(value(samples, 'modeldeploy_router_requests_total', { ...blueInfer, status: '200' }), 2);
    assert.equal(value(samples, 'modeldeploy_router_requests_total', { ...blueInfer, status: '500' }), 1);
    assert.equal(value(samples, 'modeldeploy_router_requests_total', { upstream: blue.url, route: 'other', status: '200' }), 1);
    // le is "at or below": 0.005 falls in the 0.005 bucket.
    assert.equal(value(samples, 'modeldeploy_router_request_duration_seconds_bucket', { ...blueInfer, le: '0.0025' }), 0);
    assert.equal(value(samples, 'modeldeploy_router_request_duration_seconds_bucket', { ...blueInfer, le: '0.005' }), 2);
    assert.equal(value(samples, 'modeldeploy_router_request_duration_seconds_bucket', { ...blueInfer, le: '0.25' }), 2);
    assert.equal(value(samples, 'modeldeploy_router_request_duration_seconds_bucket', { ...blueInfer, le: '0.5' }), 3);
    assert.equal(value(samples, 'modeldeploy_router_request_duration_seconds_bucket', { ...blueInfer, le: '+Inf' }), 3);
    assert.equal(value(samples, 'modeldeploy_router_request_duration_seconds_count', blueInfer), 3);
    assert.ok(Math.abs(value(samples, 'modeldeploy_router_request_duration_seconds_sum', blueInfer)! - 0.309) < 1e-9);
    // Beyond the last bound: only +Inf has it.
    const greenInfer = { upstream: green.url, route: 'infer' };
    assert.equal(value(samples, 'modeldeploy_router_request_duration_seconds_bucket', { ...greenInfer, le: '2.5' }), 0);
    assert.equal(value(samples, 'modeldeploy_router_request_duration_seconds_bucket', { ...greenInfer, le: '+Inf' }), 1);
    assert.equal(value(samples, 'modeldeploy_router_request_duration_seconds_count', { upstream: green.url, route: 'other' }), undefined, 'no series for a route without requests');
    assert.equal(value(samples, 'modeldeploy_router_connect_failures_total', { upstream: green.url }), 1);
    assert.equal(value(samples, 'modeldeploy_router_connect_failures_total', { upstream: blue.url }), 0);
    assert.equal(value(samples, 'modeldeploy_router_requests_in_flight', { upstream: blue.url }), 2);
  });

  it('escapes a host name that holds a quote', () => {
    const metrics = new RouterMetrics();
    const odd = parseUpstreamUrl('http://a"b:8080');
    metrics.answered(odd, true, 200, 0.01);
    const samples = parsePrometheusText(metrics.text({}));
    assert.equal(value(samples, 'modeldeploy_router_requests_total', { upstream: 'http://a"b:8080', route: 'infer', status: '200' }), 1);
  });
});

describe('the router metrics on the admin port', function () {
  this.timeout(60_000);
  let a: FakeUpstream;
  let router: RouterProcess;

  before(async () => {
    a = await new FakeUpstream('A').start();
    router = await startRouter();
  });
  after(async () => {
    router?.child.kill('SIGKILL');
    await a?.close();
  });

  const scrape = async () => {
    const answer = await httpRequest(`${router.adminUrl}/metrics`, { headers: auth() });
    assert.equal(answer.status, 200, answer.text);
    assert.match(String(answer.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    return { at: Date.now(), samples: parsePrometheusText(answer.text) };
  };

  it('needs the token, and counts what went through: inference and other requests by status', async () => {
    const refused = await httpRequest(`${router.adminUrl}/metrics`);
    assert.equal(refused.status, 401);
    await switchTo(router, a);
    const before = await scrape();
    for (let i = 0; i < 12; i++) await send(`${router.url}/v2/models/m/infer`, { method: 'POST', headers: { 'X-Test-Status': i < 3 ? '500' : '200' }, body: '{}' });
    for (let i = 0; i < 4; i++) await send(`${router.url}/v2/health/ready`);
    const after = await scrape();
    const increases = counterIncreases([before, after], 'modeldeploy_router_requests_total', (l) => l.upstream === a.url);
    const by = Object.fromEntries(increases.map((s) => [`${s.labels.route} ${s.labels.status}`, s.increase]));
    assert.deepEqual(by, { 'infer 200': 9, 'infer 500': 3, 'other 200': 4 });
    const count = counterIncreases([before, after], 'modeldeploy_router_request_duration_seconds_count', (l) => l.upstream === a.url && l.route === 'infer');
    assert.equal(count[0].increase, 12);
    assert.equal(value(after.samples, 'modeldeploy_router_requests_in_flight', { upstream: a.url }), 0);
  });
});
