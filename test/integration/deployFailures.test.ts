import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  buildVersion,
  deadPid,
  environmentContainers,
  historyLines,
  inferVersion,
  irisProject,
  paddedModel,
  parseJson,
  projectContainers,
  projectNetworks,
  registryClient,
  runCli,
  runOk,
  servedVersions,
  setEnvironments,
  startCli,
  tagDigest,
  tagMap,
  useVersion,
  V1,
  V2,
  type CliResult,
  type DeployProject,
  type ReleaseJson,
} from './deployFixture';
import { docker } from './engineFixture';
import { startRegistry, type TestRegistry } from './registryFixture';


function lockFile(project: DeployProject, environment: string): string {
  return path.join(project.dir, '.modeldeploy', 'locks', `${environment}.lock`);
}

/** A deploy whose smoke prediction gets a 400: the project's sample is given a wrong shape for its length. */
async function deployWithBrokenSample(project: DeployProject, environment: string): Promise<CliResult> {
  const sampleFile = path.join(project.dir, 'sample.json');
  const good = fs.readFileSync(sampleFile, 'utf8');
  const sample = parseJson<{ inputs: { shape: number[]; data: number[] }[] }>(good);
  sample.inputs[0].shape = [2, 3];
  sample.inputs[0].data = sample.inputs[0].data.slice(0, 6);
  fs.writeFileSync(sampleFile, JSON.stringify(sample));
  try {
    return await runCli(project.args('deploy', '--env', environment));
  } finally {
    fs.writeFileSync(sampleFile, good);
  }
}

describe('deploy failures: a candidate that fails its smoke prediction (local)', () => {
  let project: DeployProject;

  before(async () => {
    project = irisProject('it-deploy-smoke');
    await buildVersion(project, V2);
    await buildVersion(project, V1);
  });
  after(async () => project?.cleanup());

  it('exit 2, the old version keeps serving on the same URL, no candidate container is left', async () => {
    const first = parseJson<ReleaseJson>((await runOk(project.args('deploy', '--env', 'staging', '--json'))).stdout);
    const before = (await projectContainers(project.name)).map((c) => c.Id).sort();
    const [serving] = await environmentContainers(project.name, 'staging');

    // 2.0.0 was built with a good sample; the sample is broken afterwards, so the new container answers 400.
    useVersion(project.dir, V2);
    const run = await deployWithBrokenSample(project, 'staging');
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /smoke prediction on 2\.0\.0/);
    assert.match(run.stderr, /error: .*400/);

    assert.deepEqual(await servedVersions(first.url!, project.name), ['1.0.0']);
    assert.equal(await inferVersion(first.url!, project), '1.0.0');
    assert.deepEqual((await projectContainers(project.name)).map((c) => c.Id).sort(), before, 'the same router and version container, no candidate left');
    assert.deepEqual((await environmentContainers(project.name, 'staging')).map((c) => c.Id), [serving.Id]);
    assert.deepEqual(historyLines(project.dir).map((l) => l.version), ['1.0.0'], 'the failed deploy is not in the audit trail');
    const history = parseJson<{ version: string; current: boolean }[]>((await runOk(project.args('history', '--env', 'staging', '--json'))).stdout);
    assert.deepEqual(history.map((e) => [e.version, e.current]), [['1.0.0', true]]);
  });
});

describe('deploy failures: a first deploy that fails takes its network away (local)', () => {
  let project: DeployProject;

  before(async () => {
    project = irisProject('it-deploy-first');
    setEnvironments(project.dir, { staging: {}, qa: {} });
    await buildVersion(project, V1);
  });
  after(async () => project?.cleanup());

  it('a first deploy whose candidate fails its smoke prediction leaves no container and no network', async () => {
    const run = await deployWithBrokenSample(project, 'staging');
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /smoke prediction on 1\.0\.0/);
    assert.deepEqual(await projectContainers(project.name), []);
    assert.deepEqual(await projectNetworks(project.name), [], 'the network made for the failed deploy is gone');
    assert.deepEqual(historyLines(project.dir), []);

    // The same deploy with the good sample makes the network again and serves.
    const release = parseJson<ReleaseJson>((await runOk(project.args('deploy', '--env', 'staging', '--json'))).stdout);
    assert.equal(release.version, '1.0.0');
    assert.equal((await projectNetworks(project.name)).length, 1);
  });

  it('an engine with no address range left for the network: exit 2 saying so and what to do; nothing is deployed; with ranges freed the deploy succeeds', async () => {
    // The real engine's refusal: networks are made until its address pools are spent.
    const fillers: string[] = [];
    let refusal = '';
    try {
      for (let i = 0; i < 1024 && !refusal; i++) {
        try {
          const network = await docker.createNetwork({ Name: `${project.name}-filler-${i}`, Driver: 'bridge' });
          fillers.push(network.id);
        } catch (error) {
          refusal = String((error as Error).message);
        }
      }
      assert.match(refusal, /address pool/, 'the engine refused a network for want of address ranges');

      const run = await runCli(project.args('deploy', '--env', 'qa'));
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /cannot create the network modeldeploy-.*-qa-net/);
      assert.match(run.stderr, /no address range left for another network .*`docker network prune`.*default-address-pools/);
      assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
      assert.deepEqual((await environmentContainers(project.name, 'qa')).concat(await environmentContainers(project.name, 'qa', 'router')), []);
      assert.ok(!(await projectNetworks(project.name)).some((n) => n.endsWith('-qa-net')));
      assert.ok(!historyLines(project.dir).some((l) => l.environment === 'qa'), 'nothing recorded for qa');
    } finally {
      for (const id of fillers) await docker.getNetwork(id).remove().catch(() => undefined);
    }
    const release = parseJson<ReleaseJson>((await runOk(project.args('deploy', '--env', 'qa', '--json'))).stdout);
    assert.equal(release.version, '1.0.0');
    assert.equal(await inferVersion(release.url!, project), '1.0.0');
  });
});

describe('deploy failures: one change per environment at a time (local)', () => {
  let project: DeployProject;
  let url: string;

  before(async () => {
    project = irisProject('it-deploy-lock');
    await buildVersion(project, V2);
    await buildVersion(project, V1);
  });
  after(async () => project?.cleanup());

  it('two deploys started together: exactly one succeeds, the other exits 2 saying staging is busy; staging serves one version', async () => {
    const runs = await Promise.all([startCli(project.args('deploy', '--env', 'staging', '--json')).done, startCli(project.args('deploy', '--env', 'staging', '--json')).done]);
    const codes = runs.map((r) => r.code).sort();
    assert.deepEqual(codes, [0, 2], runs.map((r) => r.stderr).join('\n---\n'));
    const winner = runs.find((r) => r.code === 0)!;
    const loser = runs.find((r) => r.code === 2)!;
    assert.match(loser.stderr, /staging is busy: process \d+ on .* is changing it/);
    assert.match(parseJson<{ error: { message: string } }>(loser.stdout).error.message, /staging is busy/);
    url = parseJson<ReleaseJson>(winner.stdout).url!;
    assert.equal(await inferVersion(url, project), '1.0.0');
    assert.equal((await environmentContainers(project.name, 'staging')).length, 1, 'one version container');
    assert.equal((await environmentContainers(project.name, 'staging', 'router')).length, 1, 'one router');
    assert.deepEqual(historyLines(project.dir).map((l) => l.version), ['1.0.0']);
    assert.ok(!fs.existsSync(lockFile(project, 'staging')), 'the lock is released');
  });

  it('a lock file left by a dead process does not block the next deploy', async () => {
    const pid = await deadPid();
    fs.mkdirSync(path.dirname(lockFile(project, 'staging')), { recursive: true });
    fs.writeFileSync(lockFile(project, 'staging'), JSON.stringify({ pid, host: os.hostname(), action: 'deploy', since: new Date().toISOString() }));
    useVersion(project.dir, V2);
    const result = parseJson<ReleaseJson>((await runOk(project.args('deploy', '--env', 'staging', '--json'))).stdout);
    assert.equal(result.version, '2.0.0');
    assert.equal(await inferVersion(url, project), '2.0.0');
    assert.ok(!fs.existsSync(lockFile(project, 'staging')), 'the lock is released');
  });

  it('a deploy killed (SIGKILL) in the middle leaves a lock that the next deploy takes over; its candidate is cleaned up', async () => {
    useVersion(project.dir, V1);
    const killed = startCli(project.args('deploy', '--env', 'staging'));
    await killed.waitForStderr(/smoke prediction on 1\.0\.0/);
    killed.child.kill('SIGKILL');
    const result = await killed.done;
    assert.equal(result.code, null, 'killed');
    const lock = parseJson<{ pid: number }>(fs.readFileSync(lockFile(project, 'staging'), 'utf8'));
    assert.equal(lock.pid, killed.child.pid, 'the killed process left its lock');
    assert.equal(await inferVersion(url, project), '2.0.0', 'staging still serves 2.0.0');

    const next = parseJson<ReleaseJson>((await runOk(project.args('deploy', '--env', 'staging', '--json'))).stdout);
    assert.equal(next.version, '1.0.0');
    assert.equal(await inferVersion(url, project), '1.0.0');
    assert.equal((await environmentContainers(project.name, 'staging')).length, 1, 'the killed deploy\'s candidate container was removed');
    assert.ok(!fs.existsSync(lockFile(project, 'staging')));
  });
});

describe('deploy failures: the registry is down', () => {
  let registry: TestRegistry;
  let project: DeployProject;
  let v1Digest: string;
  const repo = () => project.name;

  before(async () => {
    registry = await startRegistry();
    project = irisProject('it-deploy-down');
    setEnvironments(project.dir, { staging: { registry: registry.host } });
    // 2.0.0 carries a model padded to tens of MB, so that its push takes a while (see below).
    paddedModel(path.join(project.dir, V2.model), path.join(project.dir, 'model', 'iris-v2-big.onnx'), 48 * 1024 * 1024);
    await buildVersion(project, V1);
    v1Digest = parseJson<ReleaseJson>((await runOk(project.args('deploy', '--env', 'staging', '--json'))).stdout).digest;
    await buildVersion(project, { version: '2.0.0', model: 'model/iris-v2-big.onnx' });
  });
  after(async () => {
    await project?.cleanup();
    await registry?.remove();
  });

  it('a registry that is down: exit 2 at once with "not reachable"; once it is back, the environment is unchanged', async () => {
    const client = registryClient(registry.host);
    const before = await tagMap(client, repo());
    await registry.stop();
    let run;
    const started = Date.now();
    try {
      run = await runCli(project.args('deploy', '--env', 'staging'));
    } finally {
      await registry.start();
    }
    const took = Date.now() - started;
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, new RegExp(`registry ${registry.host.replace(/\./g, '\\.')} is not reachable`));
    // Generous: a refused connection is immediate, while an engine or client timeout would take 25-60 s.
    assert.ok(took < 20_000, `took ${took} ms`);
    assert.deepEqual(await tagMap(client, repo()), before);
    assert.equal(before.staging, v1Digest);
  });

  it('the registry going down in the middle of the push: exit 2; back up, the channel tag still names 1.0.0; the next deploy succeeds', async () => {
    const client = registryClient(registry.host);
    const before = await tagMap(client, repo());
    const deploy = startCli(project.args('deploy', '--env', 'staging'));
    let result;
    try {
      await deploy.waitForStderr(/pushing /);
      await registry.stop();
      result = await deploy.done;
    } finally {
      await registry.start();
    }
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /pushing .* failed|not reachable/);
    assert.equal(await tagDigest(client, repo(), 'staging'), v1Digest, 'the channel tag did not move');
    const after = await tagMap(client, repo());
    assert.deepEqual(Object.keys(after).filter((t) => t.startsWith('staging')), Object.keys(before).filter((t) => t.startsWith('staging')), 'no history tag was added');
    assert.deepEqual(historyLines(project.dir).map((l) => l.version), ['1.0.0']);
    assert.deepEqual(await environmentContainers(project.name, 'staging', 'smoke'), [], 'no smoke container left');

    const next = parseJson<ReleaseJson>((await runOk(project.args('deploy', '--env', 'staging', '--json'))).stdout);
    assert.equal(next.version, '2.0.0');
    assert.equal(await tagDigest(client, repo(), 'staging'), next.digest);
    assert.equal(await tagDigest(client, repo(), '2.0.0'), next.digest);
  });
});
