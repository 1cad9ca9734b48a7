import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { connectEngine } from '../../src/core/engine/dockerEngine';
import { loadProject } from '../../src/core/project/loadProject';
import { environmentServiceUrl } from '../../src/core/watch/environmentServiceUrl';
import { liveFigures, type LiveFigures } from '../../src/core/watch/liveFigures';
import { scrapeMetrics } from '../../src/core/watch/scrapeMetrics';
import {
  buildVersion,
  editConfig,
  environmentContainers,
  InferencePoller,
  irisProject,
  parseJson,
  request,
  runCli,
  runOk,
  startCli,
  useVersion,
  V1,
  V2,
  type CliResult,
  type DeployProject,
  type ReleaseJson,
} from './deployFixture';
import { docker } from './engineFixture';

/** What `watch --json` prints per report. */
type WatchJson = LiveFigures & { environment: string; url: string };

/** The runtime's latency bucket bounds, in ms. */
const BOUNDS_MS = [0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500];
const IRIS_FEATURES = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];
const BAD_INPUT = JSON.stringify({ inputs: [{ name: 'no_such_input', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }] });

const close = (actual: number | null, expected: number) => assert.ok(actual !== null && Math.abs(actual - expected) < 1e-9, `${actual} is not ${expected}`);

/** Sends `good` inference requests with the project's sample and `bad` ones that are 400s; the slowest answer in ms. */
async function sendInferences(url: string, project: DeployProject, good: number, bad: number): Promise<number> {
  const sample = fs.readFileSync(path.join(project.dir, 'sample.json'), 'utf8');
  let slowest = 0;
  for (const [body, status, times] of [[sample, 200, good], [BAD_INPUT, 400, bad]] as const) {
    for (let i = 0; i < times; i++) {
      const started = performance.now();
      const answer = await request(`${url}/v2/models/${project.name}/infer`, { method: 'POST', body });
      slowest = Math.max(slowest, performance.now() - started);
      assert.equal(answer.status, status, answer.body);
    }
  }
  return slowest;
}

/** The inference requests a scrape says the service has answered. */
const inferCount = (scrape: Awaited<ReturnType<typeof scrapeMetrics>>) => scrape.samples.filter((s) => s.name === 'modeldeploy_requests_total' && s.labels.route === 'infer').reduce((sum, s) => sum + s.value, 0);

const watchLines = (stdout: string) => stdout.trim().split('\n').map((line) => parseJson<WatchJson>(line));

describe('watch: live metrics of a local environment (iris in staging)', () => {
  let project: DeployProject;
  let stagingUrl: string;

  before(async () => {
    project = irisProject('it-watch');
    await buildVersion(project, V2);
    await buildVersion(project, V1);
    stagingUrl = parseJson<ReleaseJson>((await runOk(project.args('deploy', '--env', 'staging', '--json'))).stdout).url!;
  });
  after(async () => project?.cleanup());

  it("resolves staging to its router's URL and counts the inference requests sent between two scrapes: total, 4xx share, none in flight", async () => {
    assert.equal(await environmentServiceUrl(loadProject(project.dir), 'staging', () => connectEngine()), stagingUrl);
    const first = await scrapeMetrics(stagingUrl);
    const slowestMs = await sendInferences(stagingUrl, project, 12, 3);
    // Health probes, metadata and scrapes are not inference traffic.
    for (const route of ['/v2/health/ready', '/v2/health/live', `/v2/models/${project.name}`, '/metrics']) assert.equal((await request(`${stagingUrl}${route}`)).status, 200);
    const last = await scrapeMetrics(stagingUrl);
    const figures = liveFigures([first, last]);
    assert.equal(figures.requests, 15);
    close(figures.requestsPerSecond, 15 / ((last.at - first.at) / 1000));
    assert.equal(figures.errorRate, 0);
    close(figures.clientErrorRate, 3 / 15);
    assert.equal(figures.inFlight, 0);
    assert.ok(figures.p50Ms !== null && figures.p95Ms !== null && figures.p50Ms > 0 && figures.p50Ms <= figures.p95Ms, JSON.stringify(figures));
    // The service measured less than the client's round trip: no estimate beyond the bucket that holds it.
    assert.ok(figures.p95Ms <= BOUNDS_MS.find((b) => b >= slowestMs)!, `p95 ${figures.p95Ms} ms, slowest round trip ${slowestMs} ms`);
  });

  it('counts across a deploy that switches staging to a new version, whose counters start again from 0', async () => {
    const before = await scrapeMetrics(stagingUrl);
    await sendInferences(stagingUrl, project, 5, 0);
    const beforeDeploy = await scrapeMetrics(stagingUrl);
    useVersion(project.dir, V2);
    await runOk(project.args('deploy', '--env', 'staging', '--json'));
    const afterDeploy = await scrapeMetrics(stagingUrl);
    // The new version's own count: the deploy's smoke prediction.
    const smoke = inferCount(afterDeploy);
    assert.ok(smoke < inferCount(beforeDeploy), 'the new version counts from 0');
    await sendInferences(stagingUrl, project, 4, 0);
    const figures = liveFigures([before, beforeDeploy, afterDeploy, await scrapeMetrics(stagingUrl)]);
    assert.equal(figures.requests, 5 + smoke + 4);
    assert.equal(figures.errorRate, 0);
  });

  it('watch --json --count 2 prints one JSON object per report, of the traffic meanwhile', async () => {
    const poller = new InferencePoller(stagingUrl, project, 2);
    poller.start();
    let run: CliResult;
    try {
      run = await runCli(project.args('watch', '--env', 'staging', '--json', '--count', '2'));
    } finally {
      await poller.stop();
    }
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '', 'with --json, nothing but the reports');
    assert.deepEqual(poller.failures(), []);
    const reports = watchLines(run.stdout);
    assert.equal(reports.length, 2);
    const sent = poller.loops.reduce((sum, loop) => sum + loop.records.length, 0);
    for (const report of reports) {
      assert.equal(report.environment, 'staging');
      assert.equal(report.url, stagingUrl);
      assert.ok(report.requests! > 0 && report.requests! <= sent, `${report.requests} of ${sent} sent`);
      close(report.requestsPerSecond, report.requests! / report.windowSeconds);
      assert.equal(report.errorRate, 0);
      assert.equal(report.clientErrorRate, 0);
      assert.ok(report.p50Ms! > 0 && report.p50Ms! <= report.p95Ms!);
      assert.ok(report.inFlight! >= 0 && report.inFlight! <= 2, 'at most the two clients');
      // The image was built after validate: its input profile is served, and the rows sent are counted into it.
      assert.deepEqual(report.drift.map((f) => f.feature), IRIS_FEATURES);
      for (const feature of report.drift) {
        assert.ok(feature.rows >= report.requests!, `${feature.feature}: ${feature.rows} rows counted since the start, ${report.requests} requests in the window`);
        close(feature.expected.reduce((a, b) => a + b, 0), 1);
        assert.ok(feature.psi !== undefined && feature.psi >= 0);
      }
    }
    assert.ok(reports[1].windowSeconds > reports[0].windowSeconds, 'the window grows until it is a minute long');
  });

  it('watch --count 1 prints a line of figures; its own scrapes are not requests', async () => {
    const run = await runOk(project.args('watch', '--env', 'staging', '--count', '1'));
    assert.equal(run.stderr, `watching staging at ${stagingUrl}/metrics\n`);
    assert.match(run.stdout, /^\d\d:\d\d:\d\d {2}0\.00 req\/s {2}p50 - {2}p95 - {2}errors - 5xx, - 4xx {2}in flight 0 {2}\(0 requests in the last 5 s\) {2}drift sepal_length \d+\.\d\d( DRIFTING)?, sepal_width \d+\.\d\d( DRIFTING)?, petal_length \d+\.\d\d( DRIFTING)?, petal_width \d+\.\d\d( DRIFTING)?\n$/);
  });

  it('watch without --count runs until Ctrl+C, then exits 0', async () => {
    const watch = startCli(project.args('watch', '--env', 'staging'));
    await watch.waitForStderr(/watching staging/);
    const started = Date.now();
    watch.child.kill('SIGINT');
    const run = await watch.done;
    assert.equal(run.code, 0, run.stderr);
    assert.ok(Date.now() - started < 4_000, 'without waiting for the next scrape');
  });

  describe('a registry environment', () => {
    let other: DeployProject;
    const setProduction = (production: Record<string, string>) => editConfig(other.dir, (doc) => doc.set('environments', { production: { registry: '127.0.0.1:5999/team', ...production } }));
    before(() => {
      other = irisProject('it-watch-cfg');
    });
    after(async () => other?.cleanup());

    it('is watched at the url: its config gives', async () => {
      setProduction({ url: stagingUrl });
      const run = await runOk(other.args('watch', '--env', 'production', '--json', '--count', '1'));
      const [report] = watchLines(run.stdout);
      assert.equal(report.environment, 'production');
      assert.equal(report.url, stagingUrl);
      assert.equal(report.requests, 0);
      assert.equal(report.inFlight, 0);
    });

    it('without url: exits 2 and says to add one, pointing at the environment in modeldeploy.yaml', async () => {
      setProduction({});
      const run = await runCli(other.args('watch', '--env', 'production'));
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /^error: .*modeldeploy\.yaml:\d+:\d+: production deploys to the registry 127\.0\.0\.1:5999\/team, which does not say where its service answers\. add url: under environments\.production in modeldeploy\.yaml/);
      assert.equal(run.stdout, '');
    });

    it('at a url where nothing answers: exits 2 naming the address, and with --json says so on stdout', async () => {
      const port = await closedPort();
      setProduction({ url: `http://127.0.0.1:${port}` });
      const run = await runCli(other.args('watch', '--env', 'production', '--json'));
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, new RegExp(`^error: cannot read http://127\\.0\\.0\\.1:${port}/metrics: connection refused\\.`));
      assert.equal(parseJson<{ error: { message: string } }>(run.stdout).error.message, `cannot read http://127.0.0.1:${port}/metrics: connection refused`);
    });
  });

  it('an environment the project does not have: exits 2 naming it', async () => {
    const run = await runCli(project.args('watch', '--env', 'canary'));
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /the project has no environment "canary".*choose one of staging, production/);
  });

  it('a local environment with nothing deployed: exits 2 and says to deploy', async () => {
    const run = await runCli(project.args('watch', '--env', 'production'));
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /^error: nothing is deployed to production in the local Docker engine\. deploy a version first: modeldeploy deploy --env production\n$/);
  });

  it('a --count that is not a number of reports: exits 2 before anything else', async () => {
    const run = await runCli(project.args('watch', '--env', 'staging', '--count', '0'));
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /^error: --count 0 is not a number of reports from 1 up\n$/);
  });

  // Last: it leaves staging without its router.
  describe('a stopped router', () => {
    it('exits 2 naming the router container and how to start it', async () => {
      const [router] = await environmentContainers(project.name, 'staging', 'router');
      await docker.getContainer(router.Id).stop({ t: 0 });
      const run = await runCli(project.args('watch', '--env', 'staging'));
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, new RegExp(`^error: the router of staging \\(container ${router.Id.slice(0, 12)}\\) is stopped, so nothing answers at ${stagingUrl}\\. start it with "docker start ${router.Id.slice(0, 12)}"`));
    });
  });
});

/** A loopback port that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
