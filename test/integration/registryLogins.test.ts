import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { dockerConfigCredentials, removeDockerLogin, storeDockerLogin } from '../../src/core/registry/credentials';
import { RegistryClient } from '../../src/core/registry/registryClient';
import { makeProject } from '../support/projectFixture';
import { assertNoSecret, rejection, startRegistry, type TestRegistry } from './registryFixture';

const USER = 'alice';
const PASSWORD = `pw-${randomBytes(6).toString('hex')}`;

describe("registry client: logins from Docker's config through a real credential helper", () => {
  let registry: TestRegistry;
  let scratch: { dir: string; cleanup: () => void };
  let env: NodeJS.ProcessEnv;
  let configDir: string;
  const writeConfig = (config: unknown) => fs.writeFileSync(path.join(configDir, 'config.json'), JSON.stringify(config));
  const helperStore = () => JSON.parse(fs.readFileSync(path.join(scratch.dir, 'bin', 'mdtest-store.json'), 'utf8'));

  before(async () => {
    registry = await startRegistry({ auth: { username: USER, password: PASSWORD } });
    // A credential helper as Docker runs them: `docker-credential-mdtest get|store|erase|list` on PATH,
    // the server URL or JSON on stdin, JSON on stdout, "credentials not found" and exit 1 for a miss.
    scratch = makeProject({
      'bin/docker-credential-mdtest': `#!/usr/bin/env node
const fs = require('fs');
const file = require('path').join(__dirname, 'mdtest-store.json');
let input = '';
process.stdin.on('data', (c) => (input += c));
process.stdin.on('end', () => {
  if (process.env.MDTEST_FAIL) { process.stderr.write('the keychain is locked\\n'); process.exit(3); }
  const db = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
  const server = input.trim();
  const miss = () => { process.stdout.write('credentials not found in native keychain\\n'); process.exit(1); };
  switch (process.argv[2]) {
    case 'get': if (!db[server]) miss(); process.stdout.write(JSON.stringify({ ServerURL: server, ...db[server] })); break;
    case 'store': { const e = JSON.parse(input); db[e.ServerURL] = { Username: e.Username, Secret: e.Secret }; fs.writeFileSync(file, JSON.stringify(db)); break; }
    case 'erase': if (!db[server]) miss(); delete db[server]; fs.writeFileSync(file, JSON.stringify(db)); break;
    case 'list': process.stdout.write(JSON.stringify(Object.fromEntries(Object.entries(db).map(([k, v]) => [k, v.Username])))); break;
    default: process.exit(2);
  }
});
`,
    });
    fs.chmodSync(path.join(scratch.dir, 'bin', 'docker-credential-mdtest'), 0o755);
    configDir = path.join(scratch.dir, 'docker-config');
    fs.mkdirSync(configDir);
    env = { ...process.env, PATH: `${path.join(scratch.dir, 'bin')}:${process.env.PATH}`, DOCKER_CONFIG: configDir };
  });
  after(async () => {
    await registry?.remove();
    scratch?.cleanup();
  });
  beforeEach(() => fs.rmSync(path.join(scratch.dir, 'bin', 'mdtest-store.json'), { force: true }));

  it('credHelpers[host]: a login stored through the helper is read back and accepted, then erased', async () => {
    writeConfig({ credHelpers: { [registry.host]: 'mdtest' }, auths: {} });
    await storeDockerLogin(registry.host, { username: USER, password: PASSWORD }, env);
    assert.deepEqual(helperStore(), { [registry.host]: { Username: USER, Secret: PASSWORD } });
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(configDir, 'config.json'), 'utf8')).auths, {}, 'no secret in config.json');
    await new RegistryClient(registry.host, { credentials: dockerConfigCredentials(env) }).ping();
    assert.equal(await removeDockerLogin(registry.host, env), true);
    const error = await rejection(new RegistryClient(registry.host, { credentials: dockerConfigCredentials(env) }).ping());
    assert.equal(error.message, `registry ${registry.host} needs a login`);
  });

  it('credsStore: the real docker CLI logs in through our helper, and the client uses that login', async () => {
    writeConfig({ credsStore: 'mdtest' });
    execFileSync('docker', ['--config', configDir, 'login', '--username', USER, '--password-stdin', registry.host], { env, input: PASSWORD, stdio: ['pipe', 'ignore', 'pipe'] });
    assert.equal(helperStore()[registry.host]?.Username, USER);
    await new RegistryClient(registry.host, { credentials: dockerConfigCredentials(env) }).ping();
  });

  it('auths: what storeDockerLogin writes, the real docker CLI accepts (docker logout finds it)', async () => {
    writeConfig({ detachKeys: 'ctrl-e,e' });
    await storeDockerLogin(registry.host, { username: USER, password: PASSWORD }, env);
    await new RegistryClient(registry.host, { credentials: dockerConfigCredentials(env) }).ping();
    const out = execFileSync('docker', ['--config', configDir, 'logout', registry.host], { env, encoding: 'utf8' });
    assert.match(out, /Removing login credentials/);
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(configDir, 'config.json'), 'utf8')), { auths: {}, detachKeys: 'ctrl-e,e' });
  });

  it('a helper that fails is named with its own words, and the login it holds is not printed', async () => {
    writeConfig({ credHelpers: { [registry.host]: 'mdtest' } });
    await storeDockerLogin(registry.host, { username: USER, password: PASSWORD }, env);
    const error = await rejection(dockerConfigCredentials({ ...env, MDTEST_FAIL: '1' }).get(registry.host));
    assert.match(error.message, /^the credential helper docker-credential-mdtest \(credHelpers\["127\.0\.0\.1:\d+"\] in .*config\.json\) failed on "get": the keychain is locked$/);
    assertNoSecret(error, PASSWORD);
  });

  it('a helper that holds nothing for the host falls back to auths, and then to no login', async () => {
    writeConfig({ credsStore: 'mdtest', auths: { [`https://${registry.host}`]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64') } } });
    assert.deepEqual(await dockerConfigCredentials(env).get(registry.host), { username: USER, password: PASSWORD });
    writeConfig({ credsStore: 'mdtest' });
    assert.equal(await dockerConfigCredentials(env).get(registry.host), undefined);
  });
});
