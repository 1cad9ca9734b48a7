import * as assert from 'node:assert/strict';
import { buildVersion, environmentContainers, environmentState, irisProject, parseJson, pollUntil, request, runOk, useVersion, V1, V2, type DeployProject, type ReleaseJson } from './deployFixture';
import { ROUTER_METRICS } from '../../src/core/deploy/routerMetricNames';
import { docker } from './engineFixture';

const SAMPLE = '{"inputs":[{"name":"float_input","shape":[1,4],"datatype":"FP32","data":[5.1,3.5,1.4,0.2]}]}';

/** The environment's router container (there is one per environment). */
async function routerOf(project: DeployProject, environment: string): Promise<{ Id: string }> {
  const routers = await environmentContainers(project.name, environment, 'router');
  assert.equal(routers.length, 1, `${environment} has ${routers.length} routers`);
  return routers[0];
}

/** Restarts the router as the engine does after a crash or a reboot (stop, start), and waits until it answers inference again. */
async function restartRouter(project: DeployProject, environment: string, url: string): Promise<void> {
  await docker.getContainer((await routerOf(project, environment)).Id).restart({ t: 10 });
  await pollUntil(async () => (await request(`${url}/v2/health/ready`, { timeoutMs: 2000 })).status === 200, `${environment}'s router to answer after its restart`);
}

/** The version an inference request on the URL is answered by, and the container the router says answered it. */
async function answeredBy(url: string, project: DeployProject): Promise<string> {
  const answer = await request(`${url}/v2/models/${project.name}/infer`, { method: 'POST', body: SAMPLE });
  assert.equal(answer.status, 200, `infer through the restarted router: ${answer.status} ${answer.body}`);
  return parseJson<{ model_version: string }>(answer.body).model_version;
}

/** What the router's own log said when it started last. */
async function lastStart(project: DeployProject, environment: string): Promise<{ upstream: string; restored: boolean }> {
  const logs = (await docker.getContainer((await routerOf(project, environment)).Id).logs({ stdout: true, stderr: true })).toString('utf8');
  const starts = logs.split('\n').filter((line) => line.includes('"message":"listening"'));
  assert.ok(starts.length, `the router logged no start:\n${logs}`);
  return JSON.parse(starts.at(-1)!.slice(starts.at(-1)!.indexOf('{'))) as { upstream: string; restored: boolean };
}

/** Staging serves `version`, and still does after its router restarts, which starts from its saved routes. */
async function assertServedAcrossRestart(project: DeployProject, url: string, version: string): Promise<void> {
  assert.equal(await answeredBy(url, project), version);
  await restartRouter(project, 'staging', url);
  assert.equal(await answeredBy(url, project), version);
  const start = await lastStart(project, 'staging');
  assert.equal(start.restored, true);
  assert.match(start.upstream, new RegExp(`-staging-${version.replace(/\./g, '\\.')}-`));
}

describe('a local environment whose router or version the engine restarts (after a crash, a reboot, a daemon restart)', () => {
  let project: DeployProject;
  let url: string;

  before(async () => {
    project = irisProject('it-router-restart');
    await buildVersion(project, V1);
    await runOk(project.args('deploy', '--env', 'staging', '--json'));
    await buildVersion(project, V2);
    url = parseJson<ReleaseJson>((await runOk(project.args('deploy', '--env', 'staging', '--json'))).stdout).url!;
  });
  after(async () => project?.cleanup());

  it('routes to the version deployed last, not to the one the router was created with (removed since)', async () => {
    await assertServedAcrossRestart(project, url, '2.0.0');
    assert.equal((await environmentState(project, 'staging')).active?.version, '2.0.0');
  });

  it('a version whose process dies (a crash, an out-of-memory kill) is started again by the engine, and the environment serves it again', async () => {
    const [version] = await environmentContainers(project.name, 'staging');
    const container = docker.getContainer(version.Id);
    const before = await container.inspect();
    assert.equal(before.HostConfig.RestartPolicy?.Name, 'unless-stopped');
    // Killed from outside, as the kernel's out-of-memory killer would: not a stop the engine was asked for.
    process.kill(before.State.Pid, 'SIGKILL');
    await pollUntil(async () => (await container.inspect()).RestartCount > before.RestartCount, 'the engine to start the version again');
    await pollUntil(async () => (await request(`${url}/v2/models/${project.name}/infer`, { method: 'POST', body: SAMPLE, timeoutMs: 2000 })).status === 200, 'staging to answer again');
    assert.equal(await answeredBy(url, project), '2.0.0');
  });

  it('keeps a canary with its share across a restart, and a later rollback still ends it', async () => {
    useVersion(project.dir, V1);
    await runOk(project.args('deploy', '--env', 'staging', '--canary', '25', '--yes', '--json'));
    const before = await environmentState(project, 'staging');
    assert.equal(before.canary?.version, '1.0.0');
    await restartRouter(project, 'staging', url);
    const after = await environmentState(project, 'staging');
    assert.equal(after.active?.version, '2.0.0');
    assert.deepEqual({ version: after.canary?.version, weight: after.canary?.weight, since: after.canary?.since }, { version: '1.0.0', weight: 25, since: before.canary?.since });
    // 25 of 100 requests go to the canary, as before the restart (the split is exact).
    const versions = [];
    for (let i = 0; i < 100; i++) versions.push(await answeredBy(url, project));
    assert.equal(versions.filter((v) => v === '1.0.0').length, 25);
    await runOk(project.args('rollback', '--env', 'staging', '--yes'));
    await restartRouter(project, 'staging', url);
    const ended = await environmentState(project, 'staging');
    assert.equal(ended.canary, undefined);
    assert.equal(await answeredBy(url, project), '2.0.0');
  });

  it('a router made anew (its container removed) starts from the version it is created with, not the old router\'s saved routes', async () => {
    await docker.getContainer((await routerOf(project, 'staging')).Id).remove({ force: true });
    useVersion(project.dir, V1);
    await runOk(project.args('deploy', '--env', 'staging', '--yes', '--json'));
    await assertServedAcrossRestart(project, url, '1.0.0');
  });

  it('the engine\'s health check asks the router itself (its admin API, with its token), not a version through the traffic port: the router is healthy, and a check adds no request to its traffic or a canary\'s share', async () => {
    const container = docker.getContainer((await routerOf(project, 'staging')).Id);
    const test = (await container.inspect()).Config.Healthcheck?.Test?.join(' ') ?? '';
    assert.match(test, /MODELDEPLOY_ROUTER_ADMIN_PORT.*\/healthz.*MODELDEPLOY_ROUTER_TOKEN/);
    const admin = (await environmentState(project, 'staging')).router!.admin!;
    const traffic = async () => (await admin.metrics()).samples.filter((s) => s.name === ROUTER_METRICS.requests).reduce((sum, s) => sum + s.value, 0);
    const before = await traffic();
    const since = Date.now();
    // A check every 10 s: wait for one that starts from now.
    await pollUntil(async () => ((await container.inspect()).State.Health?.Log ?? []).some((check) => Date.parse(check.Start) > since), 'a health check of the router', 30_000);
    const state = (await container.inspect()).State.Health!;
    assert.equal(state.Status, 'healthy', JSON.stringify(state.Log.at(-1)));
    assert.equal(state.Log.at(-1)!.ExitCode, 0);
    assert.equal(await traffic(), before, 'the router answered no request on its traffic port meanwhile');
  });
});
