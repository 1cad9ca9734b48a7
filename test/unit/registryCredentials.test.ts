import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../../src/core/errors';
import { mergeScopes, parseChallenge } from '../../src/core/registry/authChallenge';
import { chainCredentials, dockerConfigCredentials, engineAuthConfig, removeDockerLogin, staticCredentials, storeDockerLogin } from '../../src/core/registry/credentials';
import { dockerConfigPath, helperFor } from '../../src/core/registry/dockerConfig';
import { dockerServerAddress, matchingKey, normalizeRegistryHost } from '../../src/core/registry/registryHost';
import { imageReference, isLoopbackHost, registryBaseUrl, registryScheme, registryTarget } from '../../src/core/registry/registryReference';
import { makeProject } from '../support/projectFixture';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

describe('registry hosts match as Docker matches them', () => {
  it('drops the scheme and path, ignores case, and knows Docker Hub under every name', () => {
    assert.equal(normalizeRegistryHost('https://localhost:5000/v2/'), 'localhost:5000');
    assert.equal(normalizeRegistryHost('http://Registry.Example.com'), 'registry.example.com');
    assert.equal(normalizeRegistryHost('127.0.0.1:5601'), '127.0.0.1:5601');
    for (const hub of ['docker.io', 'index.docker.io', 'registry-1.docker.io', 'https://index.docker.io/v1/']) assert.equal(normalizeRegistryHost(hub), 'docker.io', hub);
  });

  it('hands a helper Docker Hub as https://index.docker.io/v1/ and other hosts as host:port', () => {
    assert.equal(dockerServerAddress('docker.io'), 'https://index.docker.io/v1/');
    assert.equal(dockerServerAddress('localhost:5000'), 'localhost:5000');
  });

  it('prefers an exact key, then one that matches after normalizing', () => {
    assert.equal(matchingKey({ 'https://localhost:5000': 1, 'localhost:5000': 2 }, 'localhost:5000'), 'localhost:5000');
    assert.equal(matchingKey({ 'https://localhost:5000/v1/': 1 }, 'localhost:5000'), 'https://localhost:5000/v1/');
    assert.equal(matchingKey({ 'https://index.docker.io/v1/': 1 }, 'docker.io'), 'https://index.docker.io/v1/');
    assert.equal(matchingKey({ 'localhost:5001': 1 }, 'localhost:5000'), undefined);
    assert.equal(matchingKey(undefined, 'localhost:5000'), undefined);
  });
});

describe("Docker's config as a credential source", () => {
  let dir: string;
  let cleanup: () => void;
  let env: NodeJS.ProcessEnv;
  const writeConfig = (config: unknown) => fs.writeFileSync(path.join(dir, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
  const readConfig = () => JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
  beforeEach(() => {
    ({ dir, cleanup } = makeProject({}));
    env = { DOCKER_CONFIG: dir, PATH: process.env.PATH };
  });
  afterEach(() => cleanup());

  it('reads $DOCKER_CONFIG/config.json, else ~/.docker/config.json', () => {
    assert.equal(dockerConfigPath({ DOCKER_CONFIG: '/x/y' }), '/x/y/config.json');
    assert.equal(dockerConfigPath({ HOME: '/home/u' }), '/home/u/.docker/config.json');
  });

  it('has no login when there is no config, or an empty one', async () => {
    assert.equal(await dockerConfigCredentials(env).get('localhost:5000'), undefined);
    writeConfig('');
    assert.equal(await dockerConfigCredentials(env).get('localhost:5000'), undefined);
  });

  it('decodes auths[host].auth, with a colon in the password, under a key with a scheme', async () => {
    writeConfig({ auths: { 'https://localhost:5000': { auth: b64('alice:pa:ss') }, 'other:1': { auth: b64('bob:x') } } });
    assert.deepEqual(await dockerConfigCredentials(env).get('localhost:5000'), { username: 'alice', password: 'pa:ss' });
    assert.equal(await dockerConfigCredentials(env).get('localhost:5001'), undefined);
  });

  it('reads an identity token, and finds Docker Hub under https://index.docker.io/v1/', async () => {
    writeConfig({ auths: { 'https://index.docker.io/v1/': { auth: b64('alice:x'), identitytoken: 'refresh-123' } } });
    assert.deepEqual(await dockerConfigCredentials(env).get('docker.io'), { identityToken: 'refresh-123' });
    assert.deepEqual(await dockerConfigCredentials(env).get('registry-1.docker.io'), { identityToken: 'refresh-123' });
  });

  it('says which file is not JSON, and never echoes a login that is not user:password', async () => {
    writeConfig('{ "auths": ');
    await assert.rejects(dockerConfigCredentials(env).get('localhost:5000'), (e: unknown) => e instanceof UserError && e.message.includes(path.join(dir, 'config.json')) && /not a JSON object/.test(e.message));
    writeConfig({ auths: { 'localhost:5000': { auth: b64('no-colon-secret') } } });
    await assert.rejects(dockerConfigCredentials(env).get('localhost:5000'), (e: unknown) => e instanceof UserError && !e.message.includes('no-colon-secret') && /not base64 of user:password/.test(e.message));
  });

  it('picks credHelpers[host] before credsStore, and nothing when neither is set', () => {
    const config = { credsStore: 'desktop', credHelpers: { 'https://gcr.io': 'gcloud' } };
    assert.deepEqual(helperFor(config, 'gcr.io'), { name: 'gcloud', whence: 'credHelpers["https://gcr.io"]' });
    assert.deepEqual(helperFor(config, 'localhost:5000'), { name: 'desktop', whence: 'credsStore' });
    assert.equal(helperFor({}, 'localhost:5000'), undefined);
  });

  it('names a helper that is not installed, with the key that chose it', async () => {
    writeConfig({ credHelpers: { 'localhost:5000': 'surely-missing-helper' } });
    await assert.rejects(dockerConfigCredentials(env).get('localhost:5000'), (e: unknown) => e instanceof UserError && e.message.includes('docker-credential-surely-missing-helper') && e.message.includes('credHelpers["localhost:5000"]') && /not installed/.test(e.message));
  });

  it('stores a login as docker login does: 0600, other keys kept, an existing key replaced, atomically', async () => {
    writeConfig({ auths: { 'https://localhost:5000': { auth: b64('old:old') } }, psFormat: 'table {{.ID}}', proxies: { default: { httpProxy: 'http://p:3128' } } });
    await storeDockerLogin('localhost:5000', { username: 'alice', password: 'n3w' }, env);
    await storeDockerLogin('127.0.0.1:5601', { identityToken: 'tok' }, env);
    const config = readConfig();
    assert.deepEqual(config.auths, { 'https://localhost:5000': { auth: b64('alice:n3w') }, '127.0.0.1:5601': { identitytoken: 'tok' } });
    assert.equal(config.psFormat, 'table {{.ID}}');
    assert.deepEqual(config.proxies, { default: { httpProxy: 'http://p:3128' } });
    assert.equal(fs.statSync(path.join(dir, 'config.json')).mode & 0o777, 0o600);
    assert.deepEqual(fs.readdirSync(dir), ['config.json'], 'no temporary file left');
    assert.deepEqual(await dockerConfigCredentials(env).get('localhost:5000'), { username: 'alice', password: 'n3w' });
  });

  it('creates the config folder and file when there is none', async () => {
    const nested = path.join(dir, 'new', '.docker');
    await storeDockerLogin('docker.io', { username: 'u', password: 'p' }, { DOCKER_CONFIG: nested });
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(nested, 'config.json'), 'utf8')), { auths: { 'https://index.docker.io/v1/': { auth: b64('u:p') } } });
  });

  it('forgets a login under every matching key, and says when there was none', async () => {
    writeConfig({ auths: { 'localhost:5000': { auth: b64('a:b') }, 'https://localhost:5000': { auth: b64('a:b') }, keep: { auth: b64('c:d') } }, credHelpers: {} });
    assert.equal(await removeDockerLogin('localhost:5000', env), true);
    assert.deepEqual(readConfig(), { auths: { keep: { auth: b64('c:d') } }, credHelpers: {} });
    assert.equal(await removeDockerLogin('localhost:5000', env), false);
  });
});

describe('explicit and chained credential sources', () => {
  it('static logins match host keys as Docker does; the first source that answers wins', async () => {
    const first = staticCredentials({ 'https://localhost:5000': { username: 'a', password: '1' } });
    const second = staticCredentials(new Map([['localhost:5000', { username: 'b', password: '2' }], ['docker.io', { identityToken: 't' }]]));
    const chain = chainCredentials(first, second);
    assert.deepEqual(await chain.get('localhost:5000'), { username: 'a', password: '1' });
    assert.deepEqual(await chain.get('index.docker.io'), { identityToken: 't' });
    assert.equal(await chain.get('elsewhere:1'), undefined);
  });

  it("gives the engine's authconfig for a user, a token, or nothing", async () => {
    const source = staticCredentials({ 'localhost:5000': { username: 'a', password: '1' }, 'docker.io': { identityToken: 't' } });
    assert.deepEqual(await engineAuthConfig('localhost:5000', source), { username: 'a', password: '1', serveraddress: 'localhost:5000' });
    assert.deepEqual(await engineAuthConfig('docker.io', source), { identitytoken: 't', serveraddress: 'https://index.docker.io/v1/' });
    assert.equal(await engineAuthConfig('other:1', source), undefined);
  });
});

describe('registry references', () => {
  it('splits the registry string into host and repository, with the project name last', () => {
    assert.deepEqual(registryTarget('localhost:5000', 'iris-classifier'), { host: 'localhost:5000', repository: 'iris-classifier' });
    assert.deepEqual(registryTarget('127.0.0.1:5601/team', 'iris-classifier'), { host: '127.0.0.1:5601', repository: 'team/iris-classifier' });
    assert.deepEqual(registryTarget('registry.example.com/team/sub/', 'iris'), { host: 'registry.example.com', repository: 'team/sub/iris' });
    assert.deepEqual(registryTarget('[::1]:5000', 'iris'), { host: '[::1]:5000', repository: 'iris' });
    assert.deepEqual(registryTarget('acme', 'iris'), { host: 'docker.io', repository: 'acme/iris' });
    assert.equal(imageReference(registryTarget('127.0.0.1:5601/team', 'iris'), '1.2.0'), '127.0.0.1:5601/team/iris:1.2.0');
  });

  it('refuses a scheme and names that no registry accepts, saying what to write', () => {
    assert.throws(() => registryTarget('https://registry.example.com/team', 'iris'), (e: unknown) => e instanceof UserError && e.hint?.includes('"registry.example.com/team"') === true);
    assert.throws(() => registryTarget('localhost:5000/Team', 'iris'), (e: unknown) => e instanceof UserError && e.message.includes('"Team"'));
    assert.throws(() => registryTarget('localhost:5000', 'Iris_'), UserError);
  });

  it('uses plain http for loopback hosts only, as Docker does', () => {
    for (const host of ['localhost', 'localhost:5000', '127.0.0.1:5601', '127.9.8.7', '[::1]:5000']) assert.equal(registryScheme(host), 'http', host);
    for (const host of ['registry.example.com', '10.0.0.5:5000', 'localhost.example.com', '128.0.0.1']) assert.equal(registryScheme(host), 'https', host);
    assert.equal(isLoopbackHost('LOCALHOST:1'), true);
    assert.equal(registryBaseUrl('docker.io'), 'https://registry-1.docker.io');
  });
});

describe('WWW-Authenticate challenges and token scopes', () => {
  it('reads a Bearer challenge with quoted commas, and prefers it to Basic', () => {
    const challenge = parseChallenge('Basic realm="r", Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:a/b:pull,push",error="insufficient_scope"');
    assert.deepEqual(challenge, { scheme: 'bearer', params: { realm: 'https://auth.example.com/token', service: 'registry.example.com', scope: 'repository:a/b:pull,push', error: 'insufficient_scope' } });
    assert.deepEqual(parseChallenge('Basic realm="Registry Realm"'), { scheme: 'basic', params: { realm: 'Registry Realm' } });
    assert.deepEqual(parseChallenge('bearer realm=http://x/t, service=s'), { scheme: 'bearer', params: { realm: 'http://x/t', service: 's' } });
    assert.equal(parseChallenge('Negotiate'), undefined);
    assert.equal(parseChallenge(undefined), undefined);
  });

  it('merges the actions of one resource and keeps a stable order', () => {
    assert.deepEqual(mergeScopes(['repository:b:pull', 'repository:a:push'], ['repository:a:pull', 'repository:b:pull']), ['repository:a:pull,push', 'repository:b:pull']);
    assert.deepEqual(mergeScopes([]), []);
  });
});
