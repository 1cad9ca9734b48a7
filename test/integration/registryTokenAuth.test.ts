import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { staticCredentials } from '../../src/core/registry/credentials';
import { RegistryClient } from '../../src/core/registry/registryClient';
import { makeProject } from '../support/projectFixture';
import { assertNoSecret, basicLogin, pushOciImage, rejection, startRegistry, type TestRegistry } from './registryFixture';
import { startTokenIssuer, type TokenIssuer } from './registryTokenIssuer';

const USER = 'alice';
const PASSWORD = `pw-${randomBytes(6).toString('hex')}`;
const login = (host: string, username = USER, password = PASSWORD) => basicLogin(host, username, password);

// The registry is the real distribution registry in `auth: token` mode; only the token service is the
// test's own (registryTokenIssuer.ts), as every deployment of token auth brings its own.
describe('registry client: Bearer tokens from a token service (a real registry in auth: token mode)', () => {
  let issuer: TokenIssuer;
  let registry: TestRegistry;
  let scratch: { dir: string; cleanup: () => void };
  const refreshToken = `refresh-${randomBytes(8).toString('hex')}`;
  before(async () => {
    scratch = makeProject({});
    issuer = await startTokenIssuer(scratch.dir, { users: { [USER]: PASSWORD }, refreshTokens: { [refreshToken]: USER }, readOnlyPrefix: 'locked/' });
    registry = await startRegistry({ token: issuer.config });
  });
  after(async () => {
    await registry?.remove();
    await issuer?.close();
    scratch?.cleanup();
  });

  it('gets a token per scope with Basic credentials, uses it, and reuses it while it lasts', async () => {
    const client = new RegistryClient(registry.host, { credentials: login(registry.host) });
    await client.ping();
    const image = await pushOciImage(client, 'team/app', 'amd64', { 'org.example.auth': 'token' });
    issuer.requests.length = 0;
    assert.equal((await client.getManifest('team/app', 'amd64-only'))?.digest, image.digest);
    assert.equal((await client.imageConfig('team/app', 'amd64-only'))?.labels['org.example.auth'], 'token');
    assert.deepEqual(await client.listTags('team/app'), ['amd64-only']);
    assert.deepEqual(issuer.requests.map((r) => [r.method, r.user, r.scopes.join(' ')]), [['GET', USER, 'repository:team/app:pull']], 'one pull token for all three reads');
  });

  it('mounts across repositories with one token for both scopes, and copies within the registry', async () => {
    const client = new RegistryClient(registry.host, { credentials: login(registry.host) });
    const image = await pushOciImage(client, 'team/source', 'amd64', {});
    issuer.requests.length = 0;
    assert.equal(await client.copyImage({ client, repository: 'team/source', reference: 'amd64-only' }, 'team/target', 'v1'), image.digest);
    assert.ok(issuer.requests.some((r) => r.scopes.join(' ') === 'repository:team/source:pull repository:team/target:pull,push'), JSON.stringify(issuer.requests));
  });

  it('an identity token is exchanged for access tokens (OAuth2 refresh_token grant)', async () => {
    const client = new RegistryClient(registry.host, { credentials: staticCredentials({ [registry.host]: { identityToken: refreshToken } }) });
    issuer.requests.length = 0;
    await client.uploadBlob('team/oauth', Buffer.from('through a refresh token'));
    assert.deepEqual(issuer.requests.map((r) => [r.method, r.grantType, r.user, r.scopes.join(' ')]), [['POST', 'refresh_token', USER, 'repository:team/oauth:pull,push']]);
  });

  it('a wrong password is refused by the token service, with the user named and the password nowhere', async () => {
    const wrong = `wrong-${randomBytes(6).toString('hex')}`;
    const error = await rejection(new RegistryClient(registry.host, { credentials: login(registry.host, USER, wrong) }).ping());
    assert.equal(error.message, `registry ${registry.host} refused the credentials of user '${USER}': incorrect username or password`);
    assertNoSecret(error, wrong);
  });

  it('an anonymous token that grants nothing: "needs a login"', async () => {
    const error = await rejection(new RegistryClient(registry.host).getManifest('team/app', 'amd64-only'));
    assert.equal(error.message, `registry ${registry.host} needs a login`);
  });

  it('a token without push for a read-only repository: access denied, naming the user and the scope', async () => {
    const error = await rejection(new RegistryClient(registry.host, { credentials: login(registry.host) }).uploadBlob('locked/app', Buffer.from('x')));
    assert.match(error.message, new RegExp(`^registry ${registry.host} denied user '${USER}' access to repository:locked/app:pull,push: unauthorized: `));
  });
});
