import * as assert from 'node:assert/strict';
import type { MetricsDiff } from '../../src/core/deploy/diffTypes';
import {
  answers,
  buildVersion,
  environmentContainers,
  historyLines,
  inferVersion,
  InferencePoller,
  irisProject,
  parseJson,
  request,
  runCli,
  runOk,
  servedVersions,
  setEnvironments,
  setGates,
  useVersion,
  V1,
  V2,
  type DeployProject,
  type ReleaseJson,
  type HistoryJson,
} from './deployFixture';



const close = (actual: number | undefined, expected: number) => assert.ok(actual !== undefined && Math.abs(actual - expected) < 5e-5, `${actual} is not ${expected}`);

/** The image id of the one version container an environment runs (the old ones are removed after a swap). */
async function runningImage(project: DeployProject, environment: string): Promise<string> {
  const containers = await environmentContainers(project.name, environment);
  assert.equal(containers.length, 1, `${environment} runs one version container: ${containers.map((c) => c.Names[0]).join(', ')}`);
  assert.equal(containers[0].State, 'running');
  return containers[0].ImageID;
}

describe('local environments: deploy, diff, blue-green swap, promote and rollback (iris 1.0.0 -> 2.0.0)', () => {
  let project: DeployProject;
  let v1Id: string;
  let v2Id: string;
  let stagingUrl: string;

  before(async () => {
    project = irisProject('it-deploy-local');
    v2Id = await buildVersion(project, V2);
    v1Id = await buildVersion(project, V1);
  });
  after(async () => project?.cleanup());

  it('a first deploy of 1.0.0 to staging prints environment, version, digest and URL; the URL serves 1.0.0; history and the audit trail have it', async () => {
    const run = await runOk(project.args('deploy', '--env', 'staging', '--json'));
    const result = parseJson<ReleaseJson>(run.stdout);
    assert.equal(result.environment, 'staging');
    assert.equal(result.version, '1.0.0');
    assert.equal(result.digest, v1Id, 'a local environment knows an image by its engine id');
    assert.equal(result.changed, true);
    assert.match(result.url ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
    stagingUrl = result.url!;

    const ready = await request(`${stagingUrl}/v2/health/ready`);
    assert.equal(ready.status, 200, ready.body);
    assert.deepEqual(await servedVersions(stagingUrl, project.name), ['1.0.0']);
    assert.equal(await inferVersion(stagingUrl, project), '1.0.0');
    assert.equal(await runningImage(project, 'staging'), v1Id);

    const history = parseJson<HistoryJson[]>((await runOk(project.args('history', '--env', 'staging', '--json'))).stdout);
    assert.equal(history.length, 1);
    const [entry] = history;
    assert.equal(entry.action, 'deploy');
    assert.equal(entry.environment, 'staging');
    assert.equal(entry.version, '1.0.0');
    assert.equal(entry.digest, v1Id);
    assert.ok(!Number.isNaN(Date.parse(entry.time)), entry.time);
    assert.ok(entry.who && entry.who.length > 0, 'who deployed');
    close(entry.metrics?.accuracy, V1.accuracy);
    assert.equal(entry.current, true);

    const lines = historyLines(project.dir);
    assert.equal(lines.length, 1);
    assert.deepEqual({ action: lines[0].action, environment: lines[0].environment, version: lines[0].version, digest: lines[0].digest, time: lines[0].time, who: lines[0].who }, { action: 'deploy', environment: 'staging', version: '1.0.0', digest: v1Id, time: entry.time, who: entry.who });
  });

  it('diff of 2.0.0 against staging: accuracy 0.7778 -> 0.9333 with change, interval and verdict, changed predictions with McNemar p; the same JSON on a second run', async () => {
    useVersion(project.dir, V2);
    const first = await runOk(project.args('diff', '--env', 'staging', '--json'));
    const diff = parseJson<MetricsDiff>(first.stdout);
    assert.equal(diff.environment, 'staging');
    assert.equal(diff.deployed?.version, '1.0.0');
    assert.equal(diff.deployed?.digest, v1Id);
    assert.equal(diff.candidate.version, '2.0.0');
    const accuracy = diff.rows.find((r) => r.name === 'accuracy');
    assert.ok(accuracy, 'an accuracy row');
    close(accuracy.deployed, V1.accuracy);
    close(accuracy.candidate, V2.accuracy);
    close(accuracy.change, accuracy.candidate! - accuracy.deployed!);
    assert.ok(accuracy.interval && accuracy.interval.length === 2, 'a bootstrap interval');
    assert.ok(accuracy.interval[0] <= accuracy.change! && accuracy.change! <= accuracy.interval[1], `the change ${accuracy.change} lies in its interval ${accuracy.interval}`);
    assert.equal(accuracy.verdict, 'pass', 'the example gates pass an improvement');
    assert.ok(diff.rows.every((r) => ['pass', 'fail', 'none'].includes(r.verdict)));
    assert.deepEqual(diff.rows.map((r) => r.name), ['accuracy', 'f1_macro', 'roc_auc', 'log_loss']);
    const predictions = diff.predictions!;
    assert.equal(predictions.rows, 45);
    assert.equal(predictions.onlyCandidateRight + predictions.onlyDeployedRight + predictions.bothRight + predictions.bothWrong, 45);
    assert.ok(predictions.changed >= predictions.onlyCandidateRight + predictions.onlyDeployedRight);
    assert.ok(predictions.mcnemarP > 0 && predictions.mcnemarP <= 1, `McNemar p ${predictions.mcnemarP}`);
    assert.equal(diff.gates.passed, true);
    assert.equal(diff.gates.blocking, false, 'staging only warns');

    const second = await runOk(project.args('diff', '--env', 'staging', '--json'));
    assert.equal(second.stdout, first.stdout, 'the same seed gives the same diff');
    assert.equal(await inferVersion(stagingUrl, project), '1.0.0', 'a diff changes nothing');
  });

  it('clients polling staging through the swap to 2.0.0 see no failed request: 1.0.0 answers before, 2.0.0 after, on the same URL', async () => {
    useVersion(project.dir, V2);
    const poller = new InferencePoller(stagingUrl, project, 6);
    poller.start();
    let result: ReleaseJson;
    try {
      await poller.next(3);
      const run = await runOk(project.args('deploy', '--env', 'staging', '--json'));
      result = parseJson<ReleaseJson>(run.stdout);
      await poller.next(3);
    } finally {
      await poller.stop();
    }
    assert.deepEqual(poller.failures(), [], 'no client saw a failed request');
    assert.equal(result.version, '2.0.0');
    assert.equal(result.digest, v2Id);
    assert.equal(result.url, stagingUrl, 'the environment URL stays the same');
    for (const [i, loop] of poller.loops.entries()) {
      const versions = loop.records.map((r) => r.version);
      assert.equal(versions[0], '1.0.0', `loop ${i} first talked to 1.0.0`);
      assert.equal(versions.at(-1), '2.0.0', `loop ${i} ends on 2.0.0`);
      const switched = versions.indexOf('2.0.0');
      assert.ok(versions.slice(0, switched).every((v) => v === '1.0.0') && versions.slice(switched).every((v) => v === '2.0.0'), `loop ${i} went from 1.0.0 to 2.0.0 once, never back: ${versions.join(' ')}`);
    }
    assert.deepEqual(await servedVersions(stagingUrl, project.name), ['2.0.0']);
    assert.equal(await runningImage(project, 'staging'), v2Id, 'the old version was removed after the swap');
  });

  it('promote staging -> production ships the same image; rollback of production returns to the previous one; rollback --to 1.0.0', async () => {
    // production first gets 1.0.0, so that it has a version to go back to.
    useVersion(project.dir, V1);
    const first = parseJson<ReleaseJson>((await runOk(project.args('deploy', '--env', 'production', '--json'))).stdout);
    assert.equal(first.version, '1.0.0');
    const productionUrl = first.url!;
    assert.notEqual(productionUrl, stagingUrl, 'each environment has its own URL');
    assert.equal(await inferVersion(productionUrl, project), '1.0.0');

    useVersion(project.dir, V2);
    const promoted = parseJson<ReleaseJson>((await runOk(project.args('promote', '--from', 'staging', '--to', 'production', '--json'))).stdout);
    assert.equal(promoted.environment, 'production');
    assert.equal(promoted.version, '2.0.0');
    assert.equal(promoted.digest, v2Id);
    assert.equal(promoted.url, productionUrl);
    assert.equal(await runningImage(project, 'production'), await runningImage(project, 'staging'), 'production runs the very image staging runs');
    assert.equal(await inferVersion(productionUrl, project), '2.0.0');

    const back = parseJson<ReleaseJson>((await runOk(project.args('rollback', '--env', 'production', '--json'))).stdout);
    assert.equal(back.version, '1.0.0');
    assert.equal(back.digest, v1Id);
    assert.equal(back.url, productionUrl);
    assert.equal(await runningImage(project, 'production'), v1Id);
    assert.equal(await inferVersion(productionUrl, project), '1.0.0');
    assert.deepEqual(await servedVersions(productionUrl, project.name), ['1.0.0']);

    const history = parseJson<HistoryJson[]>((await runOk(project.args('history', '--env', 'production', '--json'))).stdout);
    assert.deepEqual(history.map((e) => [e.action, e.version, e.current]), [['rollback', '1.0.0', true], ['promote', '2.0.0', false], ['deploy', '1.0.0', false]]);

    const staging = parseJson<ReleaseJson>((await runOk(project.args('rollback', '--env', 'staging', '--to', '1.0.0', '--json'))).stdout);
    assert.equal(staging.version, '1.0.0');
    assert.equal(staging.url, stagingUrl);
    assert.equal(await inferVersion(stagingUrl, project), '1.0.0');
    assert.equal(await runningImage(project, 'staging'), v1Id);
    assert.equal(await inferVersion(productionUrl, project), '1.0.0', 'production is untouched');

    const trail = historyLines(project.dir).map((l) => `${l.environment} ${l.action} ${l.version}`);
    assert.deepEqual(trail, ['staging deploy 1.0.0', 'staging deploy 2.0.0', 'production deploy 1.0.0', 'production promote 2.0.0', 'production rollback 1.0.0', 'staging rollback 1.0.0']);
  });
});

describe('local environments: quality gates (accuracy min 0.9)', () => {
  let project: DeployProject;
  let v2Id: string;

  before(async () => {
    project = irisProject('it-deploy-gates');
    setGates(project.dir, { accuracy: { min: 0.9 } });
    await buildVersion(project, V1);
  });
  after(async () => project?.cleanup());

  it('production blocks 1.0.0 with exit 3 and the diff printed; nothing is deployed', async () => {
    const text = await runCli(project.args('deploy', '--env', 'production'));
    assert.equal(text.code, 3, text.stderr);
    assert.match(text.stdout, /Metrics diff for production/);
    assert.match(text.stdout, /\| accuracy \| - \| 0\.7778 \|/);
    assert.match(text.stderr, /production is blocked by its quality gates: .*accuracy/);

    const json = await runCli(project.args('deploy', '--env', 'production', '--json'));
    assert.equal(json.code, 3, json.stderr);
    const blocked = parseJson<{ error: { message: string }; diff: MetricsDiff }>(json.stdout);
    assert.match(blocked.error.message, /blocked by its quality gates/);
    assert.equal(blocked.diff.gates.passed, false);
    assert.equal(blocked.diff.gates.blocking, true);
    assert.equal(blocked.diff.rows.find((r) => r.name === 'accuracy')?.verdict, 'fail');

    assert.deepEqual(await environmentContainers(project.name, 'production'), [], 'no version container');
    assert.deepEqual(await environmentContainers(project.name, 'production', 'router'), [], 'no router');
    assert.deepEqual(parseJson((await runOk(project.args('history', '--env', 'production', '--json'))).stdout), []);
    assert.deepEqual(historyLines(project.dir), []);
  });

  it('staging with the same gate warns and deploys (exit 0)', async () => {
    const run = await runCli(project.args('deploy', '--env', 'staging'));
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /warning: gates fail \(.*accuracy.*\)/);
    const url = parseJson<{ url: string }[]>((await runOk(project.args('history', '--env', 'staging', '--json'))).stdout)[0].url;
    assert.equal(await inferVersion(url, project), '1.0.0');
  });

  it('production keeps serving 2.0.0 when a deploy of 1.0.0 is blocked', async () => {
    v2Id = await buildVersion(project, V2);
    const ok = parseJson<ReleaseJson>((await runOk(project.args('deploy', '--env', 'production', '--json'))).stdout);
    assert.equal(ok.version, '2.0.0');
    useVersion(project.dir, V1);
    const blocked = await runCli(project.args('deploy', '--env', 'production', '--json'));
    assert.equal(blocked.code, 3, blocked.stderr);
    const diff = parseJson<{ diff: MetricsDiff }>(blocked.stdout).diff;
    assert.equal(diff.deployed?.version, '2.0.0');
    assert.equal(diff.candidate.version, '1.0.0');
    assert.equal(await inferVersion(ok.url!, project), '2.0.0');
    const containers = await environmentContainers(project.name, 'production');
    assert.deepEqual(containers.map((c) => c.ImageID), [v2Id], 'the one container of production still runs 2.0.0');
    const history = parseJson<HistoryJson[]>((await runOk(project.args('history', '--env', 'production', '--json'))).stdout);
    assert.deepEqual(history.map((e) => [e.version, e.current]), [['2.0.0', true]]);
  });
});

describe('local environments: approval required', () => {
  let project: DeployProject;

  before(async () => {
    project = irisProject('it-deploy-approval');
    setEnvironments(project.dir, { staging: {}, production: { approval: 'required' } });
    await buildVersion(project, V1);
  });
  after(async () => project?.cleanup());

  it('refuses without --yes (exit 2, nothing changed) and deploys with --yes', async () => {
    const refused = await runCli(project.args('deploy', '--env', 'production'));
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /production requires approval to deploy 1\.0\.0/);
    assert.match(refused.stderr, /--yes/);
    assert.deepEqual(await environmentContainers(project.name, 'production'), []);
    assert.deepEqual(await environmentContainers(project.name, 'production', 'router'), []);
    assert.deepEqual(historyLines(project.dir), []);

    const staging = await runCli(project.args('deploy', '--env', 'staging', '--json'));
    assert.equal(staging.code, 0, `staging asks for no approval: ${staging.stderr}`);

    const approved = parseJson<ReleaseJson>((await runOk(project.args('deploy', '--env', 'production', '--yes', '--json'))).stdout);
    assert.equal(approved.version, '1.0.0');
    assert.equal(await inferVersion(approved.url!, project), '1.0.0');
    assert.ok(await answers(approved.url!));
    assert.deepEqual(historyLines(project.dir).map((l) => `${l.environment} ${l.version}`), ['staging 1.0.0', 'production 1.0.0']);
  });
});
