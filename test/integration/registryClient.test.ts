import * as assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import { engineAuthConfig } from '../../src/core/registry/credentials';
import { MEDIA_TYPE } from '../../src/core/registry/manifestTypes';
import { RegistryClient } from '../../src/core/registry/registryClient';
import { docker, uniqueName } from './engineFixture';
import { assertNoSecret, basicLogin, freePort, pushTestImage, rejection, removeImages, startRegistry, type TestRegistry } from './registryFixture';

const USER = 'alice';
const PASSWORD = `pw-${randomBytes(6).toString('hex')}`;
const login = (host: string, username = USER, password = PASSWORD) => basicLogin(host, username, password);

describe('registry client: reaching a real registry and logging in', () => {
  let open: TestRegistry;
  let locked: TestRegistry;
  before(async () => {
    [open, locked] = await Promise.all([startRegistry(), startRegistry({ auth: { username: USER, password: PASSWORD } })]);
  });
  after(async () => {
    await Promise.all([open?.remove(), locked?.remove()]);
  });

  it('pings a registry without auth', async () => {
    await new RegistryClient(open.host).ping();
  });

  it('pings a registry with Basic auth with the right password', async () => {
    await new RegistryClient(locked.host, { credentials: login(locked.host) }).ping();
  });

  it('a wrong password is refused with the user named, at once, and the password nowhere', async () => {
    const wrong = `wrong-${randomBytes(6).toString('hex')}`;
    const error = await rejection(new RegistryClient(locked.host, { credentials: login(locked.host, USER, wrong) }).ping());
    assert.equal(error.message, `registry ${locked.host} refused the credentials of user '${USER}': unauthorized: authentication required`);
    assert.match(error.hint ?? '', /modeldeploy login --registry/);
    assertNoSecret(error, wrong);
  });

  it('no credentials where the registry asks for some: "needs a login" with what to run', async () => {
    const error = await rejection(new RegistryClient(locked.host).getManifest('team/app', 'latest'));
    assert.equal(error.message, `registry ${locked.host} needs a login`);
    assert.equal(error.hint, `run "modeldeploy login --registry ${locked.host}" or "docker login ${locked.host}"`);
  });

  it('a registry that is down is "not reachable: connection refused" at once, and fine once it is back', async () => {
    const client = new RegistryClient(open.host);
    await open.stop();
    const started = Date.now();
    const error = await rejection(client.ping());
    assert.equal(error.message, `registry ${open.host} is not reachable: connection refused`);
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
    await open.start();
    await client.ping();
  });

  it('a port that accepts and never answers ends in a timeout, not a hang', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket));
    const port = await freePort();
    await new Promise<void>((resolve) => silent.listen(port, '127.0.0.1', resolve));
    try {
      const started = Date.now();
      const error = await rejection(new RegistryClient(`127.0.0.1:${port}`, { timeoutMs: 1000 }).ping());
      assert.equal(error.message, `registry 127.0.0.1:${port} is not reachable: no answer within 1 s`);
      assert.ok(Date.now() - started < 3000);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  it('https to a server that speaks plain http says so', async function () {
    // Only loopback registries get plain http; this needs a plain http server on another address.
    const address = Object.values(os.networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
    if (!address) this.skip();
    const plain = http.createServer((_req, res) => res.end('{}'));
    await new Promise<void>((resolve) => plain.listen(0, address, resolve));
    try {
      const host = `${address}:${(plain.address() as net.AddressInfo).port}`;
      const error = await rejection(new RegistryClient(host, { timeoutMs: 3000 }).ping());
      assert.equal(error.message, `registry ${host} is not reachable: it does not speak HTTPS`);
      assert.match(error.hint ?? '', /HTTPS/);
    } finally {
      plain.close();
    }
  });
});

describe('registry client: manifests, tags, labels and blobs of images pushed through the engine', () => {
  let registry: TestRegistry;
  let client: RegistryClient;
  const repository = `team/${uniqueName('it-registry')}`;
  const pushed: string[] = [];
  let digest: string;
  const labels = { 'org.example.model': 'iris', 'org.example.metrics': JSON.stringify({ accuracy: 0.97 }), 'org.example.note': 'größe ✓ "quoted"' };
  before(async () => {
    registry = await startRegistry({ auth: { username: USER, password: PASSWORD } });
    client = new RegistryClient(registry.host, { credentials: login(registry.host), tagPageSize: 2 });
    const reference = `${registry.host}/${repository}:1.0.0`;
    pushed.push(reference);
    digest = await pushTestImage(docker, reference, { labels, authconfig: await engineAuthConfig(registry.host, login(registry.host)) });
  });
  after(async () => {
    await removeImages(docker, pushed);
    await registry?.remove();
  });

  it('reads the manifest the engine pushed, with the digest the engine reported', async () => {
    const record = await client.getManifest(repository, '1.0.0');
    assert.ok(record);
    assert.equal(record.digest, digest);
    assert.ok([MEDIA_TYPE.dockerManifest, MEDIA_TYPE.ociManifest, MEDIA_TYPE.ociIndex, MEDIA_TYPE.dockerList].includes(record.mediaType as never), record.mediaType);
    assert.equal(`sha256:${createHash('sha256').update(record.bytes).digest('hex')}`, digest);
    assert.deepEqual(await client.getManifest(repository, digest).then((r) => r?.digest), digest);
  });

  it('a tag or repository that does not exist is undefined, not an error', async () => {
    assert.equal(await client.getManifest(repository, 'no-such-tag'), undefined);
    assert.equal(await client.getManifest('team/no-such-repo', 'latest'), undefined);
  });

  it('retags by putting the same bytes under a new tag: the digest stays', async () => {
    const record = await client.getManifest(repository, '1.0.0');
    assert.ok(record);
    assert.equal(await client.putManifest(repository, 'staging', record.bytes, record.mediaType), digest);
    assert.equal((await client.getManifest(repository, 'staging'))?.digest, digest);
  });

  it("reads the image's labels from its config blob, without pulling it", async () => {
    const config = await client.imageConfig(repository, '1.0.0');
    assert.ok(config);
    assert.equal(config.digest, digest);
    for (const [key, value] of Object.entries(labels)) assert.equal(config.labels[key], value, key);
    assert.equal(config.configDigest, (await docker.getImage(pushed[0]).inspect()).Id);
    assert.ok(config.created && !Number.isNaN(Date.parse(config.created)));
    assert.equal(await client.imageConfig(repository, 'no-such-tag'), undefined);
  });

  it('lists every tag, whether or not the registry pages them', async () => {
    const record = await client.getManifest(repository, '1.0.0');
    assert.ok(record);
    for (const tag of ['production', 'staging-20240101T000000Z', 'staging-20240102T000000Z']) await client.putManifest(repository, tag, record.bytes, record.mediaType);
    // Distribution 2.8 answers the whole list whatever `n` says (tag paging came with distribution 3);
    // the client asks for pages of two and must still see every tag.
    assert.deepEqual((await client.listTags(repository)).sort(), ['1.0.0', 'production', 'staging', 'staging-20240101T000000Z', 'staging-20240102T000000Z']);
    assert.deepEqual(await client.listTags('team/no-such-repo'), []);
  });

  it('follows Link: rel="next" page by page (paging emulated: distribution 2.8 does not page tags)', async () => {
    // A registry that pages as distribution 3, Docker Hub and GHCR do: `n` per page, `last` to go on,
    // and a relative Link to the next page.
    const all = ['a', 'b', 'c', 'd', 'e'];
    const asked: string[] = [];
    const pager = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://pager');
      asked.push(url.search);
      const n = Number(url.searchParams.get('n'));
      const from = url.searchParams.has('last') ? all.indexOf(url.searchParams.get('last') ?? '') + 1 : 0;
      const page = all.slice(from, from + n);
      const more = from + n < all.length;
      res.writeHead(200, { 'Content-Type': 'application/json', ...(more ? { Link: `</v2/team/app/tags/list?last=${page[page.length - 1]}&n=${n}>; rel="next"` } : {}) });
      res.end(JSON.stringify({ name: 'team/app', tags: page }));
    });
    await new Promise<void>((resolve) => pager.listen(0, '127.0.0.1', resolve));
    try {
      const paged = new RegistryClient(`127.0.0.1:${(pager.address() as net.AddressInfo).port}`, { tagPageSize: 2 });
      assert.deepEqual(await paged.listTags('team/app'), all);
      assert.deepEqual(asked, ['?n=2', '?last=b&n=2', '?last=d&n=2']);
    } finally {
      pager.close();
    }
  });

  it('gets, checks and uploads blobs; mounts one from another repository (201), and says when it cannot (202)', async () => {
    const record = await client.getManifest(repository, '1.0.0');
    const layer = (record?.manifest as { layers: { digest: string }[] }).layers[0].digest;
    assert.equal(await client.blobExists(repository, layer), true);
    const bytes = await client.getBlob(repository, layer);
    assert.equal(`sha256:${createHash('sha256').update(bytes).digest('hex')}`, layer);
    const other = `team/${uniqueName('it-mount')}`;
    assert.equal(await client.blobExists(other, layer), false);
    assert.equal(await client.mountBlob(other, layer, repository), true);
    assert.equal(await client.blobExists(other, layer), true);
    const fresh = Buffer.from(`fresh ${randomBytes(8).toString('hex')}`);
    const freshDigest = `sha256:${createHash('sha256').update(fresh).digest('hex')}`;
    assert.equal(await client.mountBlob(other, freshDigest, repository), false, 'a blob the source does not hold is not mounted');
    assert.equal(await client.uploadBlob(other, fresh), freshDigest);
    assert.deepEqual(await client.getBlob(other, freshDigest), fresh);
  });
});
