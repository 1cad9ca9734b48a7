import * as assert from 'node:assert/strict';
import { RegistryClient } from '../../src/core/registry/registryClient';
import { buildVersion, editConfig, inferVersion, irisProject, parseJson, runOk, tagDigest, V1, V2, type DeployProject, type HistoryJson, type ReleaseJson } from './deployFixture';
import { freePort, startRegistry, type TestRegistry } from './registryFixture';

describe('a registry environment that also runs here (run: { port })', function () {
  this.timeout(600_000);
  let registry: TestRegistry;
  let project: DeployProject;
  let port: number;

  before(async () => {
    registry = await startRegistry();
    project = irisProject('it-run');
    port = await freePort();
    editConfig(project.dir, (doc) => doc.set('environments', { staging: { registry: registry.host, run: { port } } }));
  });
  after(async () => {
    await project?.cleanup();
    await registry?.remove();
  });

  it('pushes and tags like any registry environment, and serves the deployed version on the configured port', async () => {
    await buildVersion(project, V1);
    const v1 = parseJson<ReleaseJson>((await runOk(project.args('deploy', '--env', 'staging', '--json'))).stdout);
    assert.equal(v1.url, `http://127.0.0.1:${port}`);
    const client = new RegistryClient(registry.host);
    assert.equal(await tagDigest(client, project.name, 'staging'), v1.digest);
    assert.equal(await inferVersion(v1.url!, project), '1.0.0');

    await buildVersion(project, V2);
    const v2 = parseJson<ReleaseJson>((await runOk(project.args('deploy', '--env', 'staging', '--json'))).stdout);
    assert.equal(v2.url, v1.url, 'the URL stays');
    assert.equal(await tagDigest(client, project.name, 'staging'), v2.digest);
    assert.equal(await inferVersion(v2.url!, project), '2.0.0');
  });

  it('rolls back both: the channel tag and the version served here', async () => {
    const back = parseJson<ReleaseJson>((await runOk(project.args('rollback', '--env', 'staging', '--json'))).stdout);
    assert.equal(back.version, '1.0.0');
    assert.equal(await tagDigest(new RegistryClient(registry.host), project.name, 'staging'), back.digest);
    assert.equal(await inferVersion(`http://127.0.0.1:${port}`, project), '1.0.0');
    const history = parseJson<HistoryJson[]>((await runOk(project.args('history', '--env', 'staging', '--json'))).stdout);
    assert.deepEqual(history.map((e) => [e.action, e.version, e.current]), [['rollback', '1.0.0', true], ['deploy', '2.0.0', false], ['deploy', '1.0.0', false]]);
  });
});
