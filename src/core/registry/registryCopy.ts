import { PassThrough, type Readable } from 'node:stream';
import { UserError } from '../errors';
import { blobsOf, isIndex, type Descriptor, type ImageManifest } from './manifestTypes';
import type { ManifestRecord, RegistryClient } from './registryClient';
import { normalizeRegistryHost } from './registryHost';

/** The image to copy: a registry client, a repository on it and a tag or digest. */
export interface CopySource {
  client: RegistryClient;
  repository: string;
  reference: string;
}

/** Blobs sent at the same time: a few streams keep a link busy without flooding either registry. */
const PARALLEL_BLOBS = 3;

/**
 * Copies an image between repositories, on one registry or between two, byte for byte so that its
 * digest stays: every blob first (mounted within one registry, streamed between two, skipped where it
 * already is), then each platform's manifest by digest, then the top manifest under the tag.
 */
export async function copyImage(target: RegistryClient, source: CopySource, targetRepository: string, targetTag: string): Promise<string> {
  const top = await source.client.getManifest(source.repository, source.reference);
  if (!top) {
    throw new UserError(`image ${source.client.host}/${source.repository}:${source.reference} does not exist`, undefined, 'check the name and tag (modeldeploy history lists what a registry holds)');
  }
  const copier = new BlobCopier(target, source, targetRepository);
  await copyManifestContent(copier, top);
  const digest = await target.putManifest(targetRepository, targetTag, top.bytes, top.mediaType);
  if (digest !== top.digest) {
    throw new UserError(`the copy of ${source.client.host}/${source.repository}:${source.reference} has digest ${digest} at ${target.host}/${targetRepository}:${targetTag}, not ${top.digest}`);
  }
  return digest;
}

/** What a manifest refers to, so that the registry accepts the manifest: blobs, or child manifests. */
async function copyManifestContent(copier: BlobCopier, record: ManifestRecord): Promise<void> {
  if (!isIndex(record.manifest)) {
    await copier.copyAll(blobsOf(record.manifest as ImageManifest));
    return;
  }
  for (const entry of record.manifest.manifests) {
    const child = await copier.source.client.getManifest(copier.source.repository, entry.digest);
    if (!child) throw new UserError(`${copier.source.client.host}/${copier.source.repository}:${copier.source.reference} lists manifest ${entry.digest}, which the registry does not hold`, undefined, 'the source image is incomplete; push it again');
    await copyManifestContent(copier, child);
    await copier.target.putManifest(copier.targetRepository, child.digest, child.bytes, child.mediaType);
  }
}

class BlobCopier {
  private readonly sameRegistry: boolean;
  private readonly done = new Set<string>();

  constructor(
    readonly target: RegistryClient,
    readonly source: CopySource,
    readonly targetRepository: string,
  ) {
    this.sameRegistry = normalizeRegistryHost(target.host) === normalizeRegistryHost(source.client.host);
  }

  async copyAll(blobs: Descriptor[]): Promise<void> {
    const queue = blobs.filter((b) => !this.done.has(b.digest));
    const worker = async () => {
      for (let blob = queue.shift(); blob; blob = queue.shift()) await this.copy(blob);
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_BLOBS, queue.length) }, worker));
  }

  private async copy(blob: Descriptor): Promise<void> {
    if (this.done.has(blob.digest)) return;
    this.done.add(blob.digest);
    if (await this.target.blobExists(this.targetRepository, blob.digest)) return;
    const start = await this.target.startUpload(this.targetRepository, this.sameRegistry ? { digest: blob.digest, fromRepository: this.source.repository } : undefined);
    if (start.mounted) return;
    await this.target.completeUpload(this.targetRepository, start.location, blob.digest, () => this.openSource(blob), blob.size);
  }

  /** The source blob as a stream whose failures say they are the source's. */
  private async openSource(blob: Descriptor): Promise<Readable> {
    const { stream } = await this.source.client.openBlob(this.source.repository, blob.digest);
    const from = `${this.source.client.host}/${this.source.repository}`;
    const relabel = (error: Error) => (error instanceof UserError ? error : new UserError(`reading blob ${blob.digest} from ${from} failed: ${(error as NodeJS.ErrnoException).code ?? error.message}`, undefined, 'try the copy again; blobs already copied are skipped'));
    const relayed = new PassThrough();
    stream.on('error', (error) => relayed.destroy(relabel(error)));
    // The upload may end early (a refusal): then the source connection closes too.
    relayed.on('close', () => stream.destroy());
    return stream.pipe(relayed);
  }
}
