import * as assert from 'node:assert/strict';
import { historyTag, moveChannel, registryHistory } from '../../src/core/deploy/registryEnvironment';
import { RegistryClient } from '../../src/core/registry/registryClient';
import { pushOciImage, startRegistry, type TestRegistry } from './registryFixture';

describe('history tags on a real registry', function () {
  this.timeout(120_000);
  let registry: TestRegistry;
  before(async () => (registry = await startRegistry()));
  after(async () => registry?.remove());

  it('two changes in the same second keep both entries: the second takes the next free second', async () => {
    const client = new RegistryClient(registry.host);
    const repository = 'history/iris';
    const v1 = await pushOciImage(client, repository, 'amd64', { 'modeldeploy.version': '1.0.0' });
    const v2 = await pushOciImage(client, repository, 'amd64', { 'modeldeploy.version': '2.0.0' });
    const target = { client, target: { host: registry.host, repository } };
    const when = new Date('2026-12-01T10:00:00.400Z');
    await moveChannel(target, 'staging', v1.digest, when);
    await moveChannel(target, 'staging', v2.digest, when);
    const tags = await client.listTags(repository);
    assert.ok(tags.includes(historyTag('staging', when)) && tags.includes('staging-20261201T100001Z'), tags.join(', '));
    assert.equal((await client.getManifest(repository, 'staging'))?.digest, v2.digest, 'the channel tag names the last change');
    const history = await registryHistory(target, 'staging', 'linux/amd64');
    assert.deepEqual(history.map((e) => e.version), ['2.0.0', '1.0.0']);
  });
});
