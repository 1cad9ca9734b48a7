import * as assert from 'node:assert/strict';
import { judgeCanary } from '../../src/core/deploy/canaryAnalysis';
import { checkTrialRequest, trialBase } from '../../src/core/deploy/localTrial';
import type { LocalEnvironmentState } from '../../src/core/deploy/localEnvironment';
import { RouterAdmin } from '../../src/core/deploy/routerAdmin';
import { UserError } from '../../src/core/errors';
import { versionFigures } from '../../src/core/deploy/versionFigures';
import { DEFAULT_CANARY_ANALYSIS } from '../../src/core/project/projectConfig';
import type { MetricScrape } from '../../src/core/watch/metricScrape';
import { parsePrometheusText } from '../../src/core/watch/parsePrometheusText';
import { RouterMetrics } from '../../src/runtime/routerMetrics';
import { parseUpstreamUrl } from '../../src/runtime/upstreamUrl';

const current = parseUpstreamUrl('http://mnist-blue:8080');
const canary = parseUpstreamUrl('http://mnist-green:8080');

/** The router's own metrics as the deployer reads them from its admin port. */
const scrape = (metrics: RouterMetrics, at: number): MetricScrape => ({ at, samples: parsePrometheusText(metrics.text({})) });

const close = (actual: number | null, expected: number) => assert.ok(actual !== null && Math.abs(actual - expected) < 1e-9, `${actual} is not ${expected}`);

describe("a canary's figures from the router's metrics, and the verdict on them", () => {
  it('counts the window\'s inference requests of one version: server errors and unreachable attempts against it, its p95', () => {
    const metrics = new RouterMetrics();
    // Before the window: answers that must not count.
    for (let i = 0; i < 50; i++) metrics.answered(canary, true, 500, 1);
    const before = scrape(metrics, 0);
    for (let i = 0; i < 15; i++) metrics.answered(canary, true, 200, 0.02);
    for (let i = 0; i < 5; i++) metrics.answered(canary, true, 503, 0.02);
    metrics.answered(canary, true, 404, 0.02);
    metrics.answered(canary, false, 500, 0.02); // a health probe: not inference
    metrics.connectFailed(canary);
    metrics.connectFailed(canary);
    for (let i = 0; i < 80; i++) metrics.answered(current, true, 200, 0.004);
    const after = scrape(metrics, 10_000);

    const seen = versionFigures([before, after], canary.url);
    assert.equal(seen.requests, 23);
    close(seen.errorRate, 7 / 23);
    // All 21 answers in (0.01, 0.025]: linear within the bucket.
    close(seen.p95Ms, (0.01 + 0.015 * 0.95) * 1000);
    const other = versionFigures([before, after], current.url);
    assert.deepEqual({ requests: other.requests, errorRate: other.errorRate }, { requests: 80, errorRate: 0 });
    close(other.p95Ms, (0.0025 + 0.0025 * 0.95) * 1000);
    assert.deepEqual(versionFigures([before, after], 'http://elsewhere:8080'), { requests: 0, errorRate: null, p95Ms: null });
  });

  it('judges: a rise of server errors past the limit, a p95 past its ratio, within both, and no verdict on too little traffic', () => {
    const limits = { ...DEFAULT_CANARY_ANALYSIS, minRequests: 20 };
    const good = { requests: 400, errorRate: 0.01, p95Ms: 4 };
    assert.deepEqual(judgeCanary({ requests: 40, errorRate: 0.015, p95Ms: 5.9 }, good, limits), { verdict: 'pass', reasons: [] });

    const errors = judgeCanary({ requests: 40, errorRate: 0.05, p95Ms: 4 }, good, limits);
    assert.equal(errors.verdict, 'regression');
    assert.deepEqual(errors.reasons, ['server error rate 5.00 % against 1.00 %: up 4.00 points, more than the 1.00 allowed']);

    const slow = judgeCanary({ requests: 40, errorRate: 0.01, p95Ms: 8 }, good, limits);
    assert.equal(slow.verdict, 'regression');
    assert.deepEqual(slow.reasons, ['p95 latency 8.00 ms against 4.00 ms: 2.00 times, more than the 1.5 allowed']);
    assert.equal(judgeCanary({ requests: 40, errorRate: 0.5, p95Ms: 8 }, good, limits).reasons.length, 2, 'both limits are named');

    const few = judgeCanary({ requests: 19, errorRate: 1, p95Ms: 100 }, good, limits);
    assert.deepEqual(few, { verdict: 'inconclusive', reasons: ['19 inference requests reached the canary in the window; a verdict needs at least 20'] });
    const alone = judgeCanary({ requests: 40, errorRate: 0, p95Ms: 4 }, { requests: 0, errorRate: null, p95Ms: null }, limits);
    assert.equal(alone.verdict, 'inconclusive');
    assert.match(alone.reasons[0], /no inference request reached the current version/);
  });
});

describe('what a canary needs of its environment', () => {
  const admin = new RouterAdmin('http://127.0.0.1:1', 'token');
  const active = { container: 'mnist-blue', image: 'sha256:1', version: '8.0.0', labels: {} };
  const serving: LocalEnvironmentState = { url: 'http://127.0.0.1:2000', router: { id: 'a'.repeat(64), running: true, admin }, active, canaries: true };
  const refusal = (state: LocalEnvironmentState) => {
    try {
      trialBase(state, 'production', 'canary');
    } catch (error) {
      assert.ok(error instanceof UserError);
      return `${error.message} | ${error.hint}`;
    }
    assert.fail('no refusal');
  };

  it('is a version served by a running router that has canaries, and no canary yet', () => {
    assert.deepEqual(trialBase(serving, 'production', 'canary'), { admin, active, url: serving.url });
    assert.match(refusal({ url: serving.url }), /^nothing is deployed to production, so a canary has nothing to run beside \| deploy a version first/);
    assert.match(refusal({ ...serving, router: { ...serving.router!, admin: undefined } }), /^nothing is deployed to production/);
    assert.match(refusal({ ...serving, active: undefined }), /^nothing is deployed to production/);
    // A router started by an earlier release does not report a canary at all.
    assert.match(refusal({ ...serving, canaries: false }), /^the router of production predates canary releases \| remove it \(docker rm -f aaaaaaaaaaaa\) and deploy again/);
    assert.match(refusal({ ...serving, canary: { ...active, container: 'mnist-green', version: '8.1.0', weight: 10, since: '' } }), /^a canary of 8\.1\.0 runs in production with 10 % of the requests \| promote it/);
  });

  it('is asked with a share from 1 to 99, of a local environment, and an analysis only with a canary', () => {
    const local = { name: 'production', approval: 'none' as const };
    assert.doesNotThrow(() => checkTrialRequest(local, { canary: 1, analyze: true }));
    assert.doesNotThrow(() => checkTrialRequest(local, { canary: 99 }));
    assert.doesNotThrow(() => checkTrialRequest(local, {}));
    for (const share of [0, 100, -1, 2.5, Number.NaN]) assert.throws(() => checkTrialRequest(local, { canary: share }), /a canary's share is a whole number from 1 to 99/);
    assert.throws(() => checkTrialRequest(local, { analyze: true }), /the analysis is of a canary, and this deploy starts none/);
    assert.throws(() => checkTrialRequest({ ...local, registry: 'localhost:5000', run: {} }, { canary: 10 }), /production deploys to the registry localhost:5000, so it cannot run a canary/);
  });
});

describe('what a shadow needs of its environment', () => {
  const admin = new RouterAdmin('http://127.0.0.1:1', 'token');
  const active = { container: 'mnist-blue', image: 'sha256:1', version: '8.0.0', labels: {} };
  const serving: LocalEnvironmentState = { url: 'http://127.0.0.1:2000', router: { id: 'b'.repeat(64), running: true, admin }, active, canaries: true, shadows: true };
  const candidate = { ...active, container: 'mnist-green', version: '8.1.0', since: '' };
  const refusal = (state: LocalEnvironmentState, kind: 'canary' | 'shadow') => {
    try {
      trialBase(state, 'production', kind);
    } catch (error) {
      assert.ok(error instanceof UserError);
      return `${error.message} | ${error.hint}`;
    }
    assert.fail('no refusal');
  };

  it('is a version served by a router that has shadows, with no canary or shadow beside it yet', () => {
    assert.deepEqual(trialBase(serving, 'production', 'shadow'), { admin, active, url: serving.url });
    assert.match(refusal({ url: serving.url }, 'shadow'), /^nothing is deployed to production, so a shadow has nothing to run beside/);
    assert.match(refusal({ ...serving, shadows: false }, 'shadow'), /^the router of production predates shadow releases \| remove it \(docker rm -f bbbbbbbbbbbb\)/);
    // A router without shadows can still run a canary.
    assert.doesNotThrow(() => trialBase({ ...serving, shadows: false }, 'production', 'canary'));
    const shadowing = { ...serving, shadow: { ...candidate, compare: {} } };
    assert.match(refusal(shadowing, 'shadow'), /^a shadow of 8\.1\.0 runs in production, receiving a copy of every request \| promote it \(modeldeploy promote --shadow --env production\) or roll it back/);
    assert.match(refusal(shadowing, 'canary'), /^a shadow of 8\.1\.0 runs in production/);
    assert.match(refusal({ ...serving, canary: { ...candidate, weight: 5 } }, 'shadow'), /^a canary of 8\.1\.0 runs in production with 5 % of the requests \| promote it \(modeldeploy promote --canary/);
  });

  it('is asked alone (not with a canary or an analysis), of a local environment', () => {
    const local = { name: 'production', approval: 'none' as const };
    assert.doesNotThrow(() => checkTrialRequest(local, { shadow: true }));
    assert.throws(() => checkTrialRequest(local, { shadow: true, canary: 10 }), /a deploy starts a canary or a shadow, not both/);
    assert.throws(() => checkTrialRequest(local, { shadow: true, analyze: true }), /the analysis is of a canary, and this deploy starts none/);
    assert.throws(
      () => checkTrialRequest({ ...local, registry: 'localhost:5000' }, { shadow: true }),
      (error: UserError) => /production deploys to the registry localhost:5000, so it cannot run a shadow/.test(error.message) && /a shadow needs a local environment, whose router mirrors the requests/.test(error.hint ?? ''),
    );
  });
});
