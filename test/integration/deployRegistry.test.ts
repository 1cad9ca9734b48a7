import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { MetricsDiff } from '../../src/core/deploy/diffTypes';
import type { RegistryClient } from '../../src/core/registry/registryClient';
import {
  buildVersion,
  dockerConfigDir,
  environmentContainers,
  filesUnder,
  historyLines,
  historyTags,
  irisProject,
  parseJson,
  registryClient,
  runCli,
  runOk,
  setEnvironments,
  setGates,
  tagDigest,
  tagMap,
  useVersion,
  V1,
  V2,
  type CliResult,
  type DeployProject,
  type ReleaseJson,
  type HistoryJson,
} from './deployFixture';
import { startRegistry, type TestRegistry } from './registryFixture';



const USER = 'deployer';
const close = (actual: number | undefined, expected: number) => assert.ok(actual !== undefined && Math.abs(actual - expected) < 5e-5, `${actual} is not ${expected}`);

describe('registry environments: deploy, diff, gates, promote, rollback, history (staging: open registry, production: Basic auth)', () => {
  const password = `pw-${randomBytes(8).toString('hex')}`;
  let open: TestRegistry;
  let locked: TestRegistry;
  let project: DeployProject;
  let dockerConfig: ReturnType<typeof dockerConfigDir>;
  let env: NodeJS.ProcessEnv;
  let a: RegistryClient;
  let b: RegistryClient;
  let stagingRepo: string;
  let productionRepo: string;
  const digests: Record<string, string> = {};
  let v1Id: string;
  const cli = (...args: string[]) => runCli(project.args(...args), { env });
  const ok = (...args: string[]) => runOk(project.args(...args), { env });

  before(async () => {
    [open, locked] = await Promise.all([startRegistry(), startRegistry({ auth: { username: USER, password } })]);
    dockerConfig = dockerConfigDir({ [locked.host]: { username: USER, password } });
    env = { DOCKER_CONFIG: dockerConfig.dir };
    a = registryClient(open.host);
    b = registryClient(locked.host, { username: USER, password });
    project = irisProject('it-deploy-registry');
    stagingRepo = project.name;
    productionRepo = `team/${project.name}`;
    setEnvironments(project.dir, { staging: { registry: open.host }, production: { registry: `${locked.host}/team` } });
    await buildVersion(project, V2);
    v1Id = await buildVersion(project, V1);
  });
  after(async () => {
    await project?.cleanup();
    dockerConfig?.cleanup();
    await Promise.all([open?.remove(), locked?.remove()]);
  });

  it('a first deploy pushes <version>, moves <env> to its digest and adds one <env>-<yyyymmddThhmmssZ> tag', async () => {
    const result = parseJson<ReleaseJson>((await ok('deploy', '--env', 'staging', '--json')).stdout);
    assert.equal(result.environment, 'staging');
    assert.equal(result.version, '1.0.0');
    assert.equal(result.image, `${open.host}/${stagingRepo}:1.0.0`);
    assert.match(result.digest, /^sha256:[0-9a-f]{64}$/);
    const tags = await tagMap(a, stagingRepo);
    const stamps = historyTags(Object.keys(tags), 'staging');
    assert.equal(stamps.length, 1, `one history tag: ${Object.keys(tags).join(', ')}`);
    assert.deepEqual(Object.keys(tags).sort(), ['1.0.0', 'staging', stamps[0]].sort());
    assert.equal(tags['1.0.0'], result.digest, 'the version tag is what the deploy reports');
    assert.equal(tags.staging, tags['1.0.0'], 'the channel tag names the version digest');
    assert.equal(tags[stamps[0]], tags['1.0.0'], 'the history tag too');
    assert.equal((await a.imageConfig(stagingRepo, 'staging'))?.configDigest, v1Id, 'the registry holds the image that was built');
    digests.a1 = result.digest;

    const history = parseJson<HistoryJson[]>((await ok('history', '--env', 'staging', '--json')).stdout);
    assert.deepEqual(history.map((e) => [e.version, e.digest, e.current]), [['1.0.0', digests.a1, true]]);
    assert.deepEqual(historyLines(project.dir).map((l) => [l.environment, l.action, l.version, l.digest]), [['staging', 'deploy', '1.0.0', digests.a1]]);
  });

  it('production deploys 1.0.0 through the Basic-auth registry with the login of a DOCKER_CONFIG auths entry', async () => {
    const result = parseJson<ReleaseJson>((await ok('deploy', '--env', 'production', '--json')).stdout);
    assert.equal(result.image, `${locked.host}/${productionRepo}:1.0.0`);
    const tags = await tagMap(b, productionRepo);
    assert.equal(tags['1.0.0'], result.digest);
    assert.equal(tags.production, result.digest);
    assert.equal(historyTags(Object.keys(tags), 'production').length, 1);
    digests.b1 = result.digest;
  });

  it('2.0.0 to staging: the diff reads 1.0.0 from the registry and compares it on the same rows; the channel moves to 2.0.0', async () => {
    useVersion(project.dir, V2);
    const diff = parseJson<MetricsDiff>((await ok('diff', '--env', 'staging', '--json')).stdout);
    assert.equal(diff.deployed?.version, '1.0.0');
    assert.equal(diff.deployed?.digest, digests.a1);
    assert.equal(diff.candidate.version, '2.0.0');
    const accuracy = diff.rows.find((r) => r.name === 'accuracy')!;
    close(accuracy.deployed, V1.accuracy);
    close(accuracy.candidate, V2.accuracy);
    assert.ok(accuracy.interval && accuracy.interval[0] <= accuracy.change! && accuracy.change! <= accuracy.interval[1]);
    assert.equal(diff.predictions?.rows, 45);
    assert.ok(diff.predictions!.mcnemarP > 0 && diff.predictions!.mcnemarP <= 1);

    const result = parseJson<ReleaseJson>((await ok('deploy', '--env', 'staging', '--json')).stdout);
    assert.equal(result.version, '2.0.0');
    assert.notEqual(result.digest, digests.a1);
    const tags = await tagMap(a, stagingRepo);
    assert.equal(tags['2.0.0'], result.digest);
    assert.equal(tags.staging, result.digest);
    assert.equal(tags['1.0.0'], digests.a1, 'the old version stays');
    assert.equal(historyTags(Object.keys(tags), 'staging').length, 2);
    digests.a2 = result.digest;
  });

  it('promote staging (open registry) -> production (auth registry) copies the very digest', async () => {
    const result = parseJson<ReleaseJson>((await ok('promote', '--from', 'staging', '--to', 'production', '--json')).stdout);
    assert.equal(result.environment, 'production');
    assert.equal(result.version, '2.0.0');
    assert.equal(result.digest, digests.a2, 'what was tested in staging is what ships');
    assert.equal(await tagDigest(b, productionRepo, '2.0.0'), digests.a2);
    assert.equal(await tagDigest(b, productionRepo, 'production'), digests.a2);
    assert.equal(await tagDigest(a, stagingRepo, 'staging'), digests.a2, 'staging is untouched');
    assert.equal(historyTags(await b.listTags(productionRepo), 'production').length, 2);
  });

  it('a production gate (accuracy min 0.9) blocks 1.0.0 with exit 3, and production keeps its tags', async () => {
    setGates(project.dir, { accuracy: { min: 0.9 } });
    useVersion(project.dir, V1);
    try {
      const before = await tagMap(b, productionRepo);
      const run = await cli('deploy', '--env', 'production');
      assert.equal(run.code, 3, run.stderr);
      assert.match(run.stdout, /Metrics diff for production: deployed 2\.0\.0, candidate 1\.0\.0/);
      assert.match(run.stderr, /production is blocked by its quality gates/);
      assert.deepEqual(await tagMap(b, productionRepo), before, 'no tag of production moved');
      assert.equal(before.production, digests.a2);
    } finally {
      setGates(project.dir, { accuracy: { min: 0.75, max_drop: 0.01, significance: 0.05 } });
    }
  });

  it('rollback of production puts the channel tag back on the previous digest; --to 2.0.0 moves it forward again', async () => {
    const back = parseJson<ReleaseJson>((await ok('rollback', '--env', 'production', '--json')).stdout);
    assert.equal(back.version, '1.0.0');
    assert.equal(back.digest, digests.b1);
    assert.equal(await tagDigest(b, productionRepo, 'production'), digests.b1, 'the channel tag moved back (registry API)');
    const forward = parseJson<ReleaseJson>((await ok('rollback', '--env', 'production', '--to', '2.0.0', '--json')).stdout);
    assert.equal(forward.digest, digests.a2);
    assert.equal(await tagDigest(b, productionRepo, 'production'), digests.a2);
    const history = parseJson<HistoryJson[]>((await ok('history', '--env', 'production', '--json')).stdout);
    assert.deepEqual(history.map((e) => [e.version, e.digest]), [['2.0.0', digests.a2], ['1.0.0', digests.b1], ['2.0.0', digests.a2], ['1.0.0', digests.b1]]);
    assert.deepEqual(history.map((e) => e.current), [true, false, false, false]);
  });

  it('history from a fresh clone (no .modeldeploy): the same versions and digests, newest first; rollback works from there', async () => {
    const original = parseJson<HistoryJson[]>((await ok('history', '--env', 'staging', '--json')).stdout);
    const clone = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldeploy-clone-'));
    try {
      fs.cpSync(project.dir, clone, { recursive: true, filter: (source) => !source.includes(`${path.sep}.modeldeploy`) });
      assert.ok(!fs.existsSync(path.join(clone, '.modeldeploy')));
      const fromClone = parseJson<HistoryJson[]>((await runOk(['history', '--env', 'staging', '--json', '--project', clone], { env })).stdout);
      assert.deepEqual(fromClone.map((e) => [e.version, e.digest, e.current]), original.map((e) => [e.version, e.digest, e.current]));
      assert.deepEqual(fromClone.map((e) => [e.version, e.digest]), [['2.0.0', digests.a2], ['1.0.0', digests.a1]]);
      const times = fromClone.map((e) => Date.parse(e.time));
      assert.ok(times[0] > times[1], `newest first: ${fromClone.map((e) => e.time).join(', ')}`);

      const back = parseJson<ReleaseJson>((await runOk(['rollback', '--env', 'staging', '--json', '--project', clone], { env })).stdout);
      assert.equal(back.version, '1.0.0');
      assert.equal(back.digest, digests.a1);
      assert.equal(await tagDigest(a, stagingRepo, 'staging'), digests.a1, 'the channel tag moved back');
      const after = parseJson<HistoryJson[]>((await ok('history', '--env', 'staging', '--json')).stdout);
      assert.deepEqual(after.map((e) => [e.version, e.current]), [['1.0.0', true], ['2.0.0', false], ['1.0.0', false]], 'the original folder sees the clone\'s rollback');
    } finally {
      fs.rmSync(clone, { recursive: true, force: true });
    }
  });

  it('immutability: 2.0.0 rebuilt from another model is refused with exit 2 "already exists with another image"; no tag changes', async () => {
    const before = await tagMap(a, stagingRepo);
    await buildVersion(project, { version: '2.0.0', model: V1.model });
    const run = await cli('deploy', '--env', 'staging');
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, new RegExp(`${open.host.replace(/\./g, '\\.')}/${stagingRepo}:2\\.0\\.0 already exists with another image`));
    assert.deepEqual(await tagMap(a, stagingRepo), before);
    assert.deepEqual(await environmentContainers(project.name, 'staging', 'smoke'), [], 'no smoke container left');
  });
});

describe('registry logins: Docker config, a wrong password, login and logout', () => {
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const wrong = `wrong-${randomBytes(8).toString('hex')}`;
  let registry: TestRegistry;
  let project: DeployProject;
  let client: RegistryClient;
  const configs: { cleanup: () => void }[] = [];
  const seen: CliResult[] = [];
  const record = (result: CliResult) => (seen.push(result), result);

  before(async () => {
    registry = await startRegistry({ auth: { username: USER, password } });
    client = registryClient(registry.host, { username: USER, password });
    project = irisProject('it-deploy-login');
    setEnvironments(project.dir, { staging: { registry: registry.host } });
    await buildVersion(project, V1);
  });
  after(async () => {
    await project?.cleanup();
    for (const c of configs) c.cleanup();
    await registry?.remove();
  });

  function config(auths: Record<string, { username: string; password: string }> = {}) {
    const made = dockerConfigDir(auths);
    configs.push(made);
    return made;
  }

  it('deploys with the credentials of a DOCKER_CONFIG auths entry (base64 user:password)', async () => {
    const good = config({ [registry.host]: { username: USER, password } });
    const result = parseJson<ReleaseJson>(record(await runOk(project.args('deploy', '--env', 'staging', '--json'), { env: { DOCKER_CONFIG: good.dir } })).stdout);
    assert.equal(await tagDigest(client, project.name, 'staging'), result.digest);
    assert.equal(await tagDigest(client, project.name, '1.0.0'), result.digest);
  });

  it('a wrong password: exit 2 with a message naming the registry; the password is nowhere (output, --json, .modeldeploy)', async () => {
    const bad = config({ [registry.host]: { username: USER, password: wrong } });
    const before = await tagMap(client, project.name);
    await buildVersion(project, V2);
    for (const args of [['deploy', '--env', 'staging'], ['deploy', '--env', 'staging', '--json'], ['history', '--env', 'staging'], ['diff', '--env', 'staging', '--json']]) {
      const run = record(await runCli(project.args(...args), { env: { DOCKER_CONFIG: bad.dir } }));
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.ok(run.stderr.includes(`registry ${registry.host} refused the credentials of user '${USER}'`), run.stderr);
      if (args.includes('--json')) assert.ok(parseJson<{ error: { message: string } }>(run.stdout).error.message.includes(registry.host), run.stdout);
    }
    assert.deepEqual(await tagMap(client, project.name), before, 'nothing changed in the registry');
    assert.deepEqual(historyLines(project.dir).map((l) => l.version), ['1.0.0']);
    assertNowhere([wrong, password], project.dir);
  });

  it('login --registry HOST --username u with the password on stdin verifies and stores it; a wrong password stores nothing; logout forgets it', async () => {
    const store = config();
    const loginArgs = ['login', '--registry', registry.host, '--username', USER];
    const refused = record(await runCli(loginArgs, { env: { DOCKER_CONFIG: store.dir }, input: `${wrong}\n` }));
    assert.equal(refused.code, 2, refused.stderr);
    assert.ok(refused.stderr.includes(`registry ${registry.host} refused the credentials of user '${USER}'`), refused.stderr);
    assert.ok(!fs.existsSync(store.file) || !fs.readFileSync(store.file, 'utf8').includes(registry.host), 'no login stored');

    const accepted = record(await runCli([...loginArgs, '--json'], { env: { DOCKER_CONFIG: store.dir }, input: `${password}\n` }));
    assert.equal(accepted.code, 0, accepted.stderr);
    assert.deepEqual(parseJson(accepted.stdout), { registry: registry.host, username: USER });
    const stored = parseJson<{ auths: Record<string, { auth: string }> }>(fs.readFileSync(store.file, 'utf8'));
    assert.equal(Buffer.from(stored.auths[registry.host].auth, 'base64').toString('utf8'), `${USER}:${password}`);

    useVersion(project.dir, V2);
    const deployed = parseJson<ReleaseJson>(record(await runOk(project.args('deploy', '--env', 'staging', '--json'), { env: { DOCKER_CONFIG: store.dir } })).stdout);
    assert.equal(deployed.version, '2.0.0');
    assert.equal(await tagDigest(client, project.name, 'staging'), deployed.digest, 'the stored login deploys');

    const logout = record(await runOk(['logout', '--registry', registry.host], { env: { DOCKER_CONFIG: store.dir } }));
    assert.match(logout.stdout, /logged out/);
    assert.ok(!fs.readFileSync(store.file, 'utf8').includes(registry.host), 'the login is gone');
    const anonymous = record(await runCli(project.args('history', '--env', 'staging'), { env: { DOCKER_CONFIG: store.dir } }));
    assert.equal(anonymous.code, 2);
    assert.match(anonymous.stderr, /needs a login/);
    assertNowhere([wrong, password], project.dir);
  });

  /** Neither secret (nor its base64 with the user) in any output of these tests, nor in any file of .modeldeploy. */
  function assertNowhere(secrets: string[], dir: string): void {
    const forms = secrets.flatMap((s) => [s, Buffer.from(`${USER}:${s}`).toString('base64')]);
    for (const run of seen) {
      for (const form of forms) {
        assert.ok(!run.stdout.includes(form), `a secret in stdout: ${run.stdout}`);
        assert.ok(!run.stderr.includes(form), `a secret in stderr: ${run.stderr}`);
      }
    }
    const files = filesUnder(path.join(dir, '.modeldeploy'));
    assert.ok(files.some((f) => f.endsWith('history.jsonl')), 'the audit trail was checked');
    for (const file of files) {
      const text = fs.readFileSync(file, 'latin1');
      for (const form of forms) assert.ok(!text.includes(form), `a secret in ${file}`);
    }
  }
});
