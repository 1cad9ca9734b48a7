import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { environmentStatus } from '../../src/core/deploy/environmentState';
import { environmentOf } from '../../src/core/deploy/environments';
import { ROUTER_METRICS } from '../../src/core/deploy/routerMetricNames';
import { loadProject } from '../../src/core/project/loadProject';
import { staticCredentials } from '../../src/core/registry/credentials';
import { DigitLoad, M1, M2, mnistDigits, mnistProject, type Digit, type LoadRecord } from './canaryFixture';
import {
  buildVersion,
  editConfig,
  environmentContainers,
  environmentState,
  historyLines,
  irisProject,
  parseJson,
  runCli,
  runOk,
  setEnvironments,
  useVersion,
  V1,
  V2,
  type DeployProject,
  type HistoryJson,
  type ReleaseJson,
} from './deployFixture';
import { docker } from './engineFixture';

interface CanaryJson extends ReleaseJson {
  canary?: { version: string; share: number; beside: string; state: string };
}

/** The name the router gives a version container in X-Model-Deploy-Upstream (host:port). */
const routerName = (container: { Names: string[] }) => `${container.Names[0].replace(/^\//, '')}:8080`;

/** The version containers of an environment by image id. */
async function containersByImage(project: DeployProject, environment: string): Promise<Map<string, { Names: string[]; State: string }>> {
  return new Map((await environmentContainers(project.name, environment)).map((c) => [c.ImageID, c]));
}

/** Answers by the container that gave them; every one must have been a 200 with a prediction. */
function byUpstream(records: LoadRecord[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of records) {
    assert.equal(r.status, 200, `a request answered ${r.status}`);
    counts.set(r.upstream, (counts.get(r.upstream) ?? 0) + 1);
  }
  return counts;
}

function accuracy(records: LoadRecord[]): number {
  return records.filter((r) => r.predicted === r.label).length / records.length;
}

describe('canary releases of a local environment (MNIST 8.0.0 -> 8.1.0, real digits)', () => {
  let project: DeployProject;
  let v1Id: string;
  let v2Id: string;
  let productionUrl: string;
  let digits: Digit[];

  before(async () => {
    digits = mnistDigits(500);
    project = mnistProject('it-canary');
    v2Id = await buildVersion(project, M2);
    v1Id = await buildVersion(project, M1);
  });
  after(async () => project?.cleanup());

  it('refuses a canary where nothing is deployed, and bad shares, with exit 2 and nothing started', async () => {
    useVersion(project.dir, M2);
    const nothing = await runCli(project.args('deploy', '--env', 'production', '--canary', '10'));
    assert.equal(nothing.code, 2, nothing.stderr);
    assert.match(nothing.stderr, /nothing is deployed to production, so a canary has nothing to run beside/);
    assert.match(nothing.stderr, /deploy a version first: modeldeploy deploy --env production/);
    for (const [share, message] of [
      ['0', /a canary's share is a whole number from 1 to 99 \(percent of the requests\), not 0/],
      ['100', /a canary's share is a whole number from 1 to 99 \(percent of the requests\), not 100/],
      ['abc', /--canary abc is not a percentage/],
      ['12.5', /--canary 12\.5 is not a percentage/],
    ] as const) {
      const run = await runCli(project.args('deploy', '--env', 'production', '--canary', share, '--json'));
      assert.equal(run.code, 2, `--canary ${share}: ${run.stderr}`);
      assert.match(parseJson<{ error: { message: string } }>(run.stdout).error.message, message);
    }
    const bare = await runCli([...project.args('deploy', '--env', 'production'), '--canary']);
    assert.equal(bare.code, 2, bare.stderr);
    assert.match(bare.stderr, /--canary needs a percentage/);
    const analyzeAlone = await runCli(project.args('deploy', '--env', 'production', '--analyze'));
    assert.equal(analyzeAlone.code, 2, analyzeAlone.stderr);
    assert.match(analyzeAlone.stderr, /the analysis is of a canary, and this deploy starts none/);
    const promoteValue = await runCli(project.args('promote', '--canary', '10', '--env', 'production'));
    assert.equal(promoteValue.code, 2, promoteValue.stderr);
    assert.match(promoteValue.stderr, /promote --canary takes no value \(it was given "10"\)/);
    const promoteNone = await runCli(project.args('promote', '--canary', '--env', 'production'));
    assert.equal(promoteNone.code, 2, promoteNone.stderr);
    assert.match(promoteNone.stderr, /no canary runs in production, so there is none to promote/);
    assert.deepEqual(await environmentContainers(project.name, 'production'), [], 'no version container');
    assert.deepEqual(await environmentContainers(project.name, 'production', 'router'), [], 'no router');
    assert.deepEqual(historyLines(project.dir), []);
  });

  it('a canary that fails its smoke prediction: exit 2, 8.0.0 keeps every request, no canary container or history entry is left', async () => {
    useVersion(project.dir, M1);
    productionUrl = parseJson<ReleaseJson>((await runOk(project.args('deploy', '--env', 'production', '--json'))).stdout).url!;
    const [serving] = await environmentContainers(project.name, 'production');
    // 8.1.0 was built without a sample; one of the wrong shape makes its smoke prediction answer 400.
    useVersion(project.dir, M2);
    fs.writeFileSync(path.join(project.dir, 'sample.json'), JSON.stringify({ inputs: [{ name: 'Input3', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] }] }));
    editConfig(project.dir, (doc) => doc.set('sample', 'sample.json'));
    let run;
    try {
      run = await runCli(project.args('deploy', '--env', 'production', '--canary', '10'));
    } finally {
      editConfig(project.dir, (doc) => doc.delete('sample'));
    }
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /smoke prediction on 8\.1\.0/);
    assert.match(run.stderr, /error: .*400/);
    assert.deepEqual((await environmentContainers(project.name, 'production')).map((c) => c.Id), [serving.Id], 'no canary container is left');
    const loaded = loadProject(project.dir);
    assert.equal((await environmentStatus(docker, loaded, environmentOf(loaded, 'production'), staticCredentials({}))).canary, undefined);
    assert.deepEqual(historyLines(project.dir).map((l) => l.version), ['8.0.0']);
  });

  it('starts 8.1.0 as a canary at 10 % beside 8.0.0: the --json result, the history and the environment\'s status say so', async () => {
    useVersion(project.dir, M2);
    const result = parseJson<CanaryJson>((await runOk(project.args('deploy', '--env', 'production', '--canary', '10', '--json'))).stdout);
    assert.equal(result.version, '8.1.0');
    assert.equal(result.digest, v2Id);
    assert.equal(result.url, productionUrl, 'the environment URL stays the same');
    assert.deepEqual(result.canary, { version: '8.1.0', share: 10, beside: '8.0.0', state: 'running' });

    const containers = await containersByImage(project, 'production');
    assert.deepEqual([...containers.keys()].sort(), [v1Id, v2Id].sort(), 'both versions run');
    assert.ok([...containers.values()].every((c) => c.State === 'running'));

    const history = parseJson<(HistoryJson & { canary?: number })[]>((await runOk(project.args('history', '--env', 'production', '--json'))).stdout);
    assert.deepEqual(history.map((e) => [e.action, e.version, e.canary, e.current]), [['deploy', '8.1.0', 10, false], ['deploy', '8.0.0', undefined, true]]);
    const text = (await runOk(project.args('history', '--env', 'production'))).stdout;
    assert.match(text, /deploy \(canary 10 %\)\s+8\.1\.0/);

    // What the editor's tree reads.
    const loaded = loadProject(project.dir);
    const status = await environmentStatus(docker, loaded, environmentOf(loaded, 'production'), staticCredentials({}));
    assert.equal(status.current?.version, '8.0.0');
    assert.deepEqual({ version: status.canary?.version, digest: status.canary?.digest, share: status.canary?.share }, { version: '8.1.0', digest: v2Id, share: 10 });
    assert.ok(!Number.isNaN(Date.parse(status.canary!.since)));
  });

  it('sends exactly 10 % of 500 real digits to the canary (the split is deterministic: 50, within half a request), both answering correctly', async () => {
    const containers = await containersByImage(project, 'production');
    const canary = routerName(containers.get(v2Id)!);
    const current = routerName(containers.get(v1Id)!);
    // What the router counted: connections to the canary that never opened, and every answer it gave.
    const routerCounts = async () => {
      const admin = (await environmentState(project, 'production')).router!.admin!;
      const { samples } = await admin.metrics();
      const unreached = samples.find((s) => s.name === ROUTER_METRICS.connectFailures && s.labels.upstream === `http://${canary}`)?.value ?? 0;
      return { unreached, answered: samples.filter((s) => s.name === ROUTER_METRICS.requests).reduce((sum, s) => sum + s.value, 0) };
    };
    const before = await routerCounts();
    const load = new DigitLoad(productionUrl, project, digits, 4);
    let records: LoadRecord[];
    try {
      records = await load.send(digits.length);
    } finally {
      await load.stop();
    }
    const counts = byUpstream(records);
    const n = records.length;
    const expected = (n * 10) / 100;
    // A request the split gave the canary whose connection to it never opened was sent to 8.0.0 instead
    // (as the router does, by design): it is the canary's share all the same, counted by the router.
    const after = await routerCounts();
    const retried = after.unreached - before.unreached;
    // The split is exact only over the requests the router split: another client's (a health check
    // through the traffic port) would take a turn.
    assert.equal(after.answered - before.answered, records.length, 'the router answered only these requests meanwhile');
    const split = (counts.get(canary) ?? 0) + retried;
    // The router's smooth weighted split gives the canary n x 10 / 100 rounded to the nearest request:
    // the tolerance that follows from the count is half a request (a random split would need about
    // 4 x sqrt(n x 0.1 x 0.9), 27 requests at n = 500).
    assert.ok(Math.abs(split - expected) <= 0.5, `${counts.get(canary)} of ${n} answered by the canary and ${retried} sent to 8.0.0 after its connection failed, expected ${expected}`);
    assert.ok(retried <= 4, `${retried} connections to the canary failed: more than one per client`);
    assert.equal((counts.get(canary) ?? 0) + (counts.get(current) ?? 0), n, `only the two versions answered: ${[...counts.keys()]}`);
    assert.ok(records.every((r) => r.version === (r.upstream === canary ? '8.1.0' : '8.0.0')), 'each container answered with its own version');
    assert.ok(accuracy(records) > 0.97, `accuracy ${accuracy(records)}`);
  });

  it('refuses a deploy, another canary and a rollback --to while the canary runs: exit 2, the canary keeps running', async () => {
    const expected = /a canary of 8\.1\.0 runs in production with 10 % of the requests/;
    useVersion(project.dir, M1);
    for (const args of [['deploy', '--env', 'production'], ['deploy', '--env', 'production', '--canary', '20']]) {
      const run = await runCli(project.args(...args));
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, expected);
      assert.match(run.stderr, /promote it \(modeldeploy promote --canary --env production\) or roll it back \(modeldeploy rollback --env production\) first/);
    }
    const to = await runCli(project.args('rollback', '--env', 'production', '--to', '8.0.0'));
    assert.equal(to.code, 2, to.stderr);
    assert.match(to.stderr, /a canary of 8\.1\.0 runs in production, so it is rolled back first/);
    assert.deepEqual([...(await containersByImage(project, 'production')).keys()].sort(), [v1Id, v2Id].sort());
    assert.equal(historyLines(project.dir).length, 2, 'nothing recorded');
  });

  it('promote --canary gives 8.1.0 every request; 8.0.0 drains and is removed; history records the promotion', async () => {
    const result = parseJson<CanaryJson>((await runOk(project.args('promote', '--canary', '--env', 'production', '--json'))).stdout);
    assert.equal(result.version, '8.1.0');
    assert.equal(result.digest, v2Id);
    assert.deepEqual(result.canary, { version: '8.1.0', share: 10, beside: '8.0.0', state: 'promoted' });
    const containers = await containersByImage(project, 'production');
    assert.deepEqual([...containers.keys()], [v2Id], 'the old version\'s container is gone');
    const load = new DigitLoad(productionUrl, project, digits, 2);
    try {
      const counts = byUpstream(await load.send(100));
      assert.deepEqual([...counts], [[routerName(containers.get(v2Id)!), 100]]);
    } finally {
      await load.stop();
    }
    const history = parseJson<(HistoryJson & { canary?: number })[]>((await runOk(project.args('history', '--env', 'production', '--json'))).stdout);
    assert.deepEqual(history.map((e) => [e.action, e.version, e.canary, e.current]), [['promote', '8.1.0', 10, true], ['deploy', '8.1.0', 10, false], ['deploy', '8.0.0', undefined, false]]);
    const again = await runCli(project.args('promote', '--canary', '--env', 'production'));
    assert.equal(again.code, 2, again.stderr);
    assert.match(again.stderr, /no canary runs in production/);
    useVersion(project.dir, M2);
    const itself = await runCli(project.args('deploy', '--env', 'production', '--canary', '10'));
    assert.equal(itself.code, 2, itself.stderr);
    assert.match(itself.stderr, /production runs 8\.1\.0 already, so a canary of it would be compared with itself/);
  });

  it('a canary rolled back: every request on 8.0.0 again, the canary\'s container gone, the rollback recorded; its start is no rollback target', async () => {
    useVersion(project.dir, M1);
    const stagingUrl = parseJson<ReleaseJson>((await runOk(project.args('deploy', '--env', 'staging', '--json'))).stdout).url!;
    useVersion(project.dir, M2);
    const started = parseJson<CanaryJson>((await runOk(project.args('deploy', '--env', 'staging', '--canary', '30', '--json'))).stdout);
    assert.deepEqual(started.canary, { version: '8.1.0', share: 30, beside: '8.0.0', state: 'running' });
    const text = await runOk(project.args('rollback', '--env', 'staging'));
    assert.match(text.stdout, /staging runs 8\.0\.0 alone again: the canary 8\.1\.0 \(30 %\) was rolled back and removed/);

    const containers = await containersByImage(project, 'staging');
    assert.deepEqual([...containers.keys()], [v1Id], 'the canary\'s container is gone');
    const load = new DigitLoad(stagingUrl, project, digits, 2);
    try {
      assert.deepEqual([...byUpstream(await load.send(100))], [[routerName(containers.get(v1Id)!), 100]]);
    } finally {
      await load.stop();
    }
    const history = parseJson<(HistoryJson & { canary?: number })[]>((await runOk(project.args('history', '--env', 'staging', '--json'))).stdout);
    assert.deepEqual(history.map((e) => [e.action, e.version, e.canary, e.current]), [['rollback', '8.0.0', 30, true], ['deploy', '8.1.0', 30, false], ['deploy', '8.0.0', undefined, false]]);
    const trail = historyLines(project.dir).filter((l) => l.environment === 'staging');
    assert.equal(trail.at(-1)?.from, v2Id, 'the rollback names the canary it removed');
    // 8.1.0 only ever had a share of staging: a plain rollback has nowhere to go.
    const nowhere = await runCli(project.args('rollback', '--env', 'staging'));
    assert.equal(nowhere.code, 2, nowhere.stderr);
    assert.match(nowhere.stderr, /staging has no earlier version to roll back to/);
  });
});

describe('canary releases: approval required (iris 1.0.0 -> 2.0.0)', () => {
  let project: DeployProject;

  before(async () => {
    project = irisProject('it-canary-approval');
    setEnvironments(project.dir, { staging: {}, production: { approval: 'required' } });
    await buildVersion(project, V2);
    await buildVersion(project, V1);
  });
  after(async () => project?.cleanup());

  it('asks for approval to start, promote and roll back a canary; refused, nothing changes', async () => {
    await runOk(project.args('deploy', '--env', 'production', '--yes'));
    useVersion(project.dir, V2);
    const start = await runCli(project.args('deploy', '--env', 'production', '--canary', '25'));
    assert.equal(start.code, 2, start.stderr);
    assert.match(start.stderr, /production requires approval to deploy 2\.0\.0/);
    assert.equal((await environmentContainers(project.name, 'production')).length, 1, 'no canary started');

    const started = parseJson<CanaryJson>((await runOk(project.args('deploy', '--env', 'production', '--canary', '25', '--yes', '--json'))).stdout);
    assert.deepEqual(started.canary, { version: '2.0.0', share: 25, beside: '1.0.0', state: 'running' });
    const promote = await runCli(project.args('promote', '--canary', '--env', 'production'));
    assert.equal(promote.code, 2, promote.stderr);
    assert.match(promote.stderr, /production requires approval to promote 2\.0\.0/);
    const rollback = await runCli(project.args('rollback', '--env', 'production'));
    assert.equal(rollback.code, 2, rollback.stderr);
    assert.match(rollback.stderr, /production requires approval to rollback 1\.0\.0/);
    assert.equal((await environmentContainers(project.name, 'production')).length, 2, 'the canary still runs beside 1.0.0');
    assert.deepEqual(historyLines(project.dir).map((l) => `${l.action} ${l.version} ${l.canary ?? ''}`), ['deploy 1.0.0 ', 'deploy 2.0.0 25']);

    const aborted = parseJson<CanaryJson>((await runOk(project.args('rollback', '--env', 'production', '--yes', '--json'))).stdout);
    assert.equal(aborted.version, '1.0.0');
    assert.deepEqual(aborted.canary, { version: '2.0.0', share: 25, beside: '1.0.0', state: 'aborted' });
    assert.equal((await environmentContainers(project.name, 'production')).length, 1);
  });
});

describe('canary releases refused by the configuration', () => {
  let project: DeployProject;

  before(() => {
    project = irisProject('it-canary-registry');
    setEnvironments(project.dir, { staging: {}, production: { registry: 'localhost:5999' } });
  });
  after(async () => project?.cleanup());

  it('cannot run a canary: exit 2 before anything is asked of the engine or the registry', async () => {
    const run = await runCli(project.args('deploy', '--env', 'production', '--canary', '10'));
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /production deploys to the registry localhost:5999, so it cannot run a canary/);
    const promote = await runCli(project.args('promote', '--canary', '--env', 'production'));
    assert.equal(promote.code, 2, promote.stderr);
    assert.match(promote.stderr, /cannot run a canary/);
  });

  it('an analysis limit out of range is a config error that names it', async () => {
    editConfig(project.dir, (doc) => doc.set('canary', { analysis: { window_s: 0, max_p95_ratio: 0.5 } }));
    const run = await runCli(project.args('deploy', '--env', 'staging', '--canary', '10', '--analyze'));
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /canary\.analysis\.window_s/);
    assert.match(run.stderr, /canary\.analysis\.max_p95_ratio/);
  });
});
