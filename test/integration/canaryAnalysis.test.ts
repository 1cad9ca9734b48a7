import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { DigitLoad, M1, M2, mnistDigits, mnistProject, writeDegradedMnist, type Digit } from './canaryFixture';
import { buildVersion, editConfig, environmentContainers, historyLines, parseJson, runCli, runOk, useVersion, type DeployProject, type ReleaseJson } from './deployFixture';

/** The degraded version: the MNIST model with a fault on raw 0-255 pixels (see writeDegradedMnist). */
const M3 = { version: '8.2.0', model: 'model/mnist-degraded.onnx' };

interface Figures {
  version: string;
  requests: number;
  errorRate: number | null;
  p95Ms: number | null;
}

interface AnalysisJson extends ReleaseJson {
  canary: { version: string; share: number; beside: string; state: string; analysis: { windowSeconds: number; canary: Figures; current: Figures; verdict: string; reasons: string[] } };
}

describe('canary analysis: live error rate and p95 against the current version (MNIST, real digits)', () => {
  let project: DeployProject;
  let v1Id: string;
  let url: string;
  let digits: Digit[];

  before(async () => {
    digits = mnistDigits(200);
    project = mnistProject('it-canary-analysis');
    writeDegradedMnist(path.join(project.dir, M1.model), path.join(project.dir, M3.model));
    editConfig(project.dir, (doc) => {
      // Pixels scaled to 0-1 for validation, as the degraded model needs to pass it (clients send 0-255).
      doc.setIn(['validation', 'input', 'scale'], 1 / 255);
      doc.set('canary', { analysis: { window_s: 6, min_requests: 10, max_error_rate_increase: 0.01, max_p95_ratio: 5 } });
    });
    await buildVersion(project, M3);
    await buildVersion(project, M2);
    v1Id = await buildVersion(project, M1);
    url = parseJson<ReleaseJson>((await runOk(project.args('deploy', '--env', 'production', '--json'))).stdout).url!;
  });
  after(async () => project?.cleanup());

  /** Runs the command while clients send real digits to the environment; the command's result and the answers. */
  async function underLoad(args: string[]) {
    const load = new DigitLoad(url, project, digits, 2);
    load.start();
    try {
      return { run: await runCli(project.args(...args)), records: load.records };
    } finally {
      await load.stop();
    }
  }

  it('without traffic it gives no verdict and leaves the canary running (exit 0)', async () => {
    useVersion(project.dir, M2);
    const run = await runOk(project.args('deploy', '--env', 'production', '--canary', '10', '--analyze', '--json'));
    const { canary } = parseJson<AnalysisJson>(run.stdout);
    assert.equal(canary.state, 'running');
    assert.equal(canary.analysis.verdict, 'inconclusive');
    assert.match(canary.analysis.reasons[0], /^0 inference requests reached the canary in the window; a verdict needs at least 10$/);
    assert.equal((await environmentContainers(project.name, 'production')).length, 2);
    await runOk(project.args('rollback', '--env', 'production'));
  });

  it('a good canary under real traffic passes, and keeps running with its share (exit 0)', async () => {
    useVersion(project.dir, M2);
    const { run, records } = await underLoad(['deploy', '--env', 'production', '--canary', '20', '--analyze']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /canary analysis over \d+\.\d s of live traffic/);
    assert.match(run.stdout, /verdict: pass/);
    assert.match(run.stdout, /production runs 8\.0\.0 with 80 % of the requests and the canary 8\.1\.0 .* with 20 %/);
    assert.deepEqual(records.filter((r) => r.status !== 200), [], 'no client saw a failure');
    assert.equal((await environmentContainers(project.name, 'production')).length, 2, 'the canary runs on');
    await runOk(project.args('rollback', '--env', 'production'));
  });

  it('a canary that fails on real digits is rolled back by its analysis: exit 3 with the figures; 8.0.0 serves every request again', async () => {
    useVersion(project.dir, M3);
    const { run, records } = await underLoad(['deploy', '--env', 'production', '--canary', '30', '--analyze', '--json']);
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /error: the canary 8\.2\.0 regressed and was rolled back: server error rate 100\.00 % against 0\.00 %/);
    const { canary } = parseJson<AnalysisJson>(run.stdout);
    assert.equal(canary.state, 'aborted');
    assert.equal(canary.analysis.verdict, 'regression');
    assert.ok(canary.analysis.windowSeconds >= 6, `window ${canary.analysis.windowSeconds} s`);
    assert.equal(canary.analysis.canary.version, '8.2.0');
    assert.ok(canary.analysis.canary.requests >= 10, `${canary.analysis.canary.requests} canary requests`);
    assert.equal(canary.analysis.canary.errorRate, 1, 'every real digit failed on the canary');
    assert.equal(canary.analysis.current.errorRate, 0);

    // The clients saw the canary's 500s (about its share of the requests while it ran), and only from it.
    const failed = records.filter((r) => r.status !== 200);
    assert.ok(failed.length > 0, 'the canary failed requests while it ran');
    assert.ok(failed.every((r) => r.status === 500), `statuses ${[...new Set(failed.map((r) => r.status))]}`);
    const [serving] = await environmentContainers(project.name, 'production');
    assert.deepEqual((await environmentContainers(project.name, 'production')).map((c) => c.ImageID), [v1Id], 'the canary\'s container is gone');
    assert.ok(!failed.some((r) => r.upstream === `${serving.Names[0].slice(1)}:8080`), 'none of the failures came from 8.0.0');

    const after = new DigitLoad(url, project, digits, 2);
    try {
      const answers = await after.send(50);
      assert.ok(answers.every((r) => r.status === 200 && r.version === '8.0.0'), 'every request is on 8.0.0 again');
    } finally {
      await after.stop();
    }
    const trail = historyLines(project.dir).map((l) => `${l.action} ${l.version} ${l.canary ?? ''}`);
    assert.deepEqual(trail.slice(-2), ['deploy 8.2.0 30', 'rollback 8.0.0 30']);
  });
});
