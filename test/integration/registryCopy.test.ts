import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { engineAuthConfig } from '../../src/core/registry/credentials';
import { MEDIA_TYPE } from '../../src/core/registry/manifestTypes';
import { RegistryClient } from '../../src/core/registry/registryClient';
import { docker, uniqueName } from './engineFixture';
import { basicLogin, pushOciImage, pushTestImage, rejection, removeImages, startRegistry, type TestRegistry } from './registryFixture';

const USER = 'alice';
const PASSWORD = `pw-${randomBytes(6).toString('hex')}`;
const login = (host: string) => basicLogin(host, USER, PASSWORD);

describe('registry client: copying images keeps the digest', () => {
  let first: TestRegistry;
  let second: TestRegistry;
  let source: RegistryClient;
  let target: RegistryClient;
  const repository = `team/${uniqueName('it-copy')}`;
  const engineRefs: string[] = [];
  before(async () => {
    [first, second] = await Promise.all([startRegistry({ auth: { username: USER, password: PASSWORD } }), startRegistry()]);
    source = new RegistryClient(first.host, { credentials: login(first.host) });
    target = new RegistryClient(second.host);
  });
  after(async () => {
    await removeImages(docker, engineRefs);
    await Promise.all([first?.remove(), second?.remove()]);
  });

  it('within one registry (blobs mounted): staging to production', async () => {
    const reference = `${first.host}/${repository}:2.0.0`;
    engineRefs.push(reference);
    const digest = await pushTestImage(docker, reference, { labels: { 'org.example.version': '2.0.0' }, authconfig: await engineAuthConfig(first.host, login(first.host)) });
    const promoted = `${repository}-production`;
    assert.equal(await source.copyImage({ client: source, repository, reference: '2.0.0' }, promoted, 'production'), digest);
    assert.equal((await source.imageConfig(promoted, 'production'))?.labels['org.example.version'], '2.0.0');
  });

  it('between two registries (blobs streamed) for a real-sized image, which the engine then pulls', async function () {
    this.timeout(300_000);
    const reference = `${first.host}/${repository}:3.0.0`;
    engineRefs.push(reference);
    const digest = await pushTestImage(docker, reference, { from: 'node:20-bookworm-slim', labels: { 'org.example.version': '3.0.0' }, files: { 'model.onnx': randomBytes(256 * 1024).toString('base64') }, authconfig: await engineAuthConfig(first.host, login(first.host)) });
    const copied = await target.copyImage({ client: source, repository, reference: '3.0.0' }, 'mirror/app', '3.0.0');
    assert.equal(copied, digest);
    // Again, to another tag: every blob is there already and only the manifest goes.
    const started = Date.now();
    assert.equal(await target.copyImage({ client: source, repository, reference: digest }, 'mirror/app', 'again'), digest);
    assert.ok(Date.now() - started < 5000, `the second copy took ${Date.now() - started} ms`);
    const pulled = `${second.host}/mirror/app:3.0.0`;
    engineRefs.push(pulled);
    await new Promise<void>((resolve, reject) => {
      docker.pull(pulled, (error: Error | null, stream: NodeJS.ReadableStream) => {
        if (error) return reject(error);
        docker.modem.followProgress(stream, (e: Error | null, events: { error?: string }[]) => (e ? reject(e) : events.find((x) => x.error) ? reject(new Error(events.find((x) => x.error)?.error)) : resolve()));
      });
    });
    const image = await docker.getImage(pulled).inspect();
    assert.equal(image.Config.Labels?.['org.example.version'], '3.0.0');
    assert.ok(image.RepoDigests.includes(`${second.host}/mirror/app@${digest}`), image.RepoDigests.join(', '));
  });

  it('a multi-platform index with every platform, and labels read per platform', async () => {
    const amd = await pushOciImage(source, repository, 'amd64', { 'org.example.arch': 'amd64' });
    const arm = await pushOciImage(source, repository, 'arm64', { 'org.example.arch': 'arm64' });
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA_TYPE.ociIndex,
        manifests: [
          { mediaType: MEDIA_TYPE.ociManifest, digest: amd.digest, size: amd.bytes.length, platform: { os: 'linux', architecture: 'amd64' } },
          { mediaType: MEDIA_TYPE.ociManifest, digest: arm.digest, size: arm.bytes.length, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
        ],
      }),
    );
    const indexDigest = await source.putManifest(repository, 'multi', index, MEDIA_TYPE.ociIndex);
    const arm64 = await source.imageConfig(repository, 'multi', 'linux/arm64');
    assert.deepEqual([arm64?.digest, arm64?.platformDigest, arm64?.labels['org.example.arch'], arm64?.created], [indexDigest, arm.digest, 'arm64', '2024-01-02T03:04:05Z']);
    assert.equal((await source.imageConfig(repository, 'multi'))?.labels['org.example.arch'], 'amd64');
    const missing = await rejection(source.imageConfig(repository, 'multi', 'linux/s390x'));
    assert.match(missing.message, /has no linux\/s390x image \(it has linux\/amd64, linux\/arm64\/v8\)/);

    assert.equal(await target.copyImage({ client: source, repository, reference: 'multi' }, 'mirror/multi', 'production'), indexDigest);
    assert.equal((await target.getManifest('mirror/multi', arm.digest))?.digest, arm.digest);
    assert.equal((await target.imageConfig('mirror/multi', 'production', 'linux/arm64'))?.labels['org.example.arch'], 'arm64');
  });

  it('copying what does not exist says so', async () => {
    const error = await rejection(target.copyImage({ client: source, repository, reference: 'no-such-tag' }, 'mirror/x', '1'));
    assert.match(error.message, /does not exist/);
  });
});
