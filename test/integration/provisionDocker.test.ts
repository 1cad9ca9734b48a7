import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/projectFixture';
import { docker, uniqueName } from './engineFixture';

/** The names of the host's bridge interfaces. */
function bridges(): string[] {
  return execFileSync('ip', ['-o', 'link', 'show', 'type', 'bridge'], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.split(': ')[1]?.split('@')[0])
    .filter((name): name is string => Boolean(name));
}

function addBridge(name: string, address: string): void {
  execFileSync('ip', ['link', 'add', 'name', name, 'type', 'bridge']);
  execFileSync('ip', ['addr', 'add', address, 'dev', name]);
}

describe('scripts/provision/docker.sh: the bridges a killed engine left behind', () => {
  // What a killed dockerd leaves: a bridge named after a network the running engine does not know, whose
  // route still claims an address range. The test makes one by hand, as only killing the engine every
  // other test runs on would make one for real.
  const stale = `br-${randomBytes(6).toString('hex')}`;
  // A bridge that is not the engine's (a VM's, another daemon's) must be kept, whatever its address.
  const foreign = `mdx${randomBytes(3).toString('hex')}`;
  let networkId = '';

  before(async () => {
    networkId = (await docker.createNetwork({ Name: uniqueName('it-provision'), Driver: 'bridge' })).id;
    addBridge(stale, '10.254.198.1/24');
    addBridge(foreign, '10.254.197.1/24');
  });
  after(async () => {
    for (const name of [stale, foreign]) if (bridges().includes(name)) execFileSync('ip', ['link', 'del', name]);
    await docker.getNetwork(networkId).remove().catch(() => undefined);
  });

  it('deletes the bridge of a network the engine does not know, keeps the bridges of its networks and the bridges that are not its own', async () => {
    const own = `br-${networkId.slice(0, 12)}`;
    assert.ok(bridges().includes(own), `the engine's network has its bridge ${own}`);
    const output = execFileSync('bash', [path.join(REPO_ROOT, 'scripts', 'provision', 'docker.sh')], { encoding: 'utf8' });
    assert.match(output, /deleted [1-9]\d* bridges of networks the engine no longer knows/);
    const after = bridges();
    assert.ok(!after.includes(stale), `${stale} is deleted`);
    assert.ok(after.includes(own), `${own} is kept`);
    assert.ok(after.includes(foreign), `${foreign} is kept`);
    assert.ok(after.includes('docker0'));
    assert.equal((await docker.getNetwork(networkId).inspect()).Id, networkId, 'the network itself is untouched');
  });
});
