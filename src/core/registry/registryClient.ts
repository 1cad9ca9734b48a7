import type { Readable } from 'node:stream';
import { UserError } from '../errors';
import { repositoryScope } from './authChallenge';
import type { CredentialSource } from './credentials';
import { checkReference, digestOf, isDigest, verifyDigest } from './digest';
import { readImageConfig, type ImageConfigInfo } from './imageConfig';
import { MANIFEST_ACCEPT, parseManifest, type Manifest } from './manifestTypes';
import { RegistryAuth } from './registryAuth';
import { copyImage, type CopySource } from './registryCopy';
import { unexpectedAnswer } from './registryErrors';
import { header, type RequestBody } from './registryHttp';
import { registryBaseUrl } from './registryReference';
import { RegistryTransport } from './registryTransport';

export interface RegistryClientOptions {
  credentials?: CredentialSource;
  /** Give up on a connection that stays silent this long. */
  timeoutMs?: number;
  /** Tags per page of a tag listing (`?n=`). */
  tagPageSize?: number;
}

export interface ManifestRecord {
  digest: string;
  mediaType: string;
  bytes: Buffer;
  manifest: Manifest;
}

/** What starting an upload gave: a blob mounted from another repository, or where to send the bytes. */
export type UploadStart = { mounted: true } | { mounted: false; location: URL };

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_TAG_PAGE = 100;
/** Docker's own limit; a bigger "manifest" is not one. */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/** A client for one registry's HTTP API v2 (CNCF distribution, Docker Hub, and the like). */
export class RegistryClient {
  readonly host: string;
  private readonly transport: RegistryTransport;
  private readonly tagPageSize: number;

  constructor(host: string, options: RegistryClientOptions = {}) {
    this.host = host;
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.tagPageSize = options.tagPageSize ?? DEFAULT_TAG_PAGE;
    this.transport = new RegistryTransport(host, new URL(registryBaseUrl(host)), new RegistryAuth(host, options.credentials, timeoutMs), timeoutMs);
  }

  /** Checks that the registry answers the API and accepts the login (if it asks for one). */
  async ping(): Promise<void> {
    const reply = await this.transport.send({ method: 'GET', path: '/v2/', scopes: [] });
    if (reply.status !== 200) throw unexpectedAnswer(this.host, 'GET /v2/', reply.status, reply.body);
  }

  /** A manifest or index by tag or digest, checked against its digest; undefined when there is none. */
  async getManifest(repository: string, reference: string): Promise<ManifestRecord | undefined> {
    const path = `/v2/${repository}/manifests/${checkReference(reference)}`;
    const reply = await this.transport.open({ method: 'GET', path, scopes: [repositoryScope(repository, 'pull')], headers: { Accept: MANIFEST_ACCEPT } });
    const where = `${this.host}/${repository}${isDigest(reference) ? '@' : ':'}${reference}`;
    if (Number(header(reply.headers, 'content-length') ?? 0) > MAX_MANIFEST_BYTES) {
      reply.stream.destroy();
      throw new UserError(`the manifest of ${where} is larger than ${MAX_MANIFEST_BYTES / 1024 / 1024} MB`);
    }
    const bytes = await this.transport.read(reply.stream);
    if (reply.status === 404) return undefined;
    if (reply.status !== 200) throw unexpectedAnswer(this.host, `GET ${path}`, reply.status, bytes);
    const manifest = parseManifest(bytes, where);
    const claimed = isDigest(reference) ? reference : header(reply.headers, 'docker-content-digest');
    const digest = claimed ? verifyDigest(claimed, bytes, `the manifest of ${where}`) : digestOf(bytes);
    const mediaType = header(reply.headers, 'content-type')?.split(';')[0].trim() || manifest.mediaType || '';
    return { digest, mediaType, bytes, manifest };
  }

  /** Stores manifest bytes under a tag (or digest); the same bytes under a new tag is a retag. */
  async putManifest(repository: string, reference: string, bytes: Buffer, mediaType: string): Promise<string> {
    const path = `/v2/${repository}/manifests/${checkReference(reference)}`;
    const reply = await this.transport.send({ method: 'PUT', path, scopes: [repositoryScope(repository, 'pull', 'push')], headers: { 'Content-Type': mediaType }, body: bytes });
    if (reply.status !== 201 && reply.status !== 200) throw unexpectedAnswer(this.host, `PUT ${path}`, reply.status, reply.body);
    const digest = digestOf(bytes);
    const answered = header(reply.headers, 'docker-content-digest');
    if (answered && answered !== digest && answered.startsWith('sha256:')) {
      throw new UserError(`registry ${this.host} stored the manifest of ${repository}:${reference} under ${answered}, not its digest ${digest}`, undefined, 'the registry changed the manifest; use a registry that stores manifests as pushed');
    }
    return digest;
  }

  /** The labels (and creation time) of an image for a platform, following an index; undefined when missing. */
  imageConfig(repository: string, reference: string, platform = 'linux/amd64'): Promise<ImageConfigInfo | undefined> {
    return readImageConfig(this, repository, reference, platform);
  }

  /** Every tag of a repository, page by page; none when the repository does not exist. */
  async listTags(repository: string): Promise<string[]> {
    const tags: string[] = [];
    const seen = new Set<string>();
    let next: URL | undefined = this.transport.url(`/v2/${repository}/tags/list?n=${this.tagPageSize}`);
    while (next && !seen.has(next.href)) {
      seen.add(next.href);
      const reply = await this.transport.send({ method: 'GET', path: next, scopes: [repositoryScope(repository, 'pull')] });
      if (reply.status === 404 && tags.length === 0) return [];
      if (reply.status !== 200) throw unexpectedAnswer(this.host, `GET ${next.pathname}`, reply.status, reply.body);
      const page = parseJson(reply.body) as { tags?: string[] | null } | undefined;
      if (!page) throw unexpectedAnswer(this.host, `GET ${next.pathname}`, reply.status, reply.body);
      tags.push(...(page.tags ?? []));
      const link = /<([^>]+)>\s*;\s*rel="?next"?/.exec(header(reply.headers, 'link') ?? '');
      next = link ? new URL(link[1], next) : undefined;
    }
    return tags;
  }

  async blobExists(repository: string, digest: string): Promise<boolean> {
    const path = `/v2/${repository}/blobs/${digest}`;
    const reply = await this.transport.send({ method: 'HEAD', path, scopes: [repositoryScope(repository, 'pull')] });
    if (reply.status === 404) return false;
    if (reply.status >= 200 && reply.status < 400) return true;
    throw unexpectedAnswer(this.host, `HEAD ${path}`, reply.status, reply.body);
  }

  /** A blob's bytes, following redirects to a blob store, checked against the digest. */
  async getBlob(repository: string, digest: string): Promise<Buffer> {
    const { stream } = await this.openBlob(repository, digest);
    const bytes = await this.transport.read(stream);
    verifyDigest(digest, bytes, `blob ${digest} of ${this.host}/${repository}`);
    return bytes;
  }

  /** A blob as a stream (the receiving registry checks the digest of what it gets). */
  async openBlob(repository: string, digest: string): Promise<{ stream: Readable; size?: number }> {
    const path = `/v2/${repository}/blobs/${digest}`;
    const reply = await this.transport.openFollowing({ method: 'GET', path, scopes: [repositoryScope(repository, 'pull')] });
    if (reply.status !== 200) {
      const body = await this.transport.read(reply.stream);
      if (reply.status === 404) throw new UserError(`blob ${digest} is missing from ${this.host}/${repository}`, undefined, 'the image in the registry is incomplete; push it again');
      throw unexpectedAnswer(this.host, `GET ${path}`, reply.status, body);
    }
    const length = header(reply.headers, 'content-length');
    return { stream: reply.stream, size: length ? Number(length) : undefined };
  }

  /** Uploads a blob in one request (POST, then PUT); its digest. */
  async uploadBlob(repository: string, bytes: Buffer): Promise<string> {
    const digest = digestOf(bytes);
    const start = await this.startUpload(repository);
    if (start.mounted) return digest;
    await this.completeUpload(repository, start.location, digest, bytes, bytes.length);
    return digest;
  }

  /** Mounts a blob from another repository of this registry; false when the registry would not. */
  async mountBlob(repository: string, digest: string, fromRepository: string): Promise<boolean> {
    const start = await this.startUpload(repository, { digest, fromRepository });
    if (start.mounted) return true;
    // Not mounted: the registry opened an upload instead, which nobody will use.
    await this.transport.send({ method: 'DELETE', path: start.location, scopes: [repositoryScope(repository, 'pull', 'push')] }).catch(() => undefined);
    return false;
  }

  /** Starts an upload, or with `mount` asks for a cross-repository mount first (201 mounted, 202 upload). */
  async startUpload(repository: string, mount?: { digest: string; fromRepository: string }): Promise<UploadStart> {
    const query = mount ? `?mount=${encodeURIComponent(mount.digest)}&from=${encodeURIComponent(mount.fromRepository)}` : '';
    const path = `/v2/${repository}/blobs/uploads/${query}`;
    const scopes = [repositoryScope(repository, 'pull', 'push'), ...(mount ? [repositoryScope(mount.fromRepository, 'pull')] : [])];
    const reply = await this.transport.send({ method: 'POST', path, scopes });
    if (mount && reply.status === 201) return { mounted: true };
    const location = header(reply.headers, 'location');
    if (reply.status !== 202 || !location) throw unexpectedAnswer(this.host, `POST ${path}`, reply.status, reply.body);
    return { mounted: false, location: this.transport.url(location) };
  }

  /** Sends a whole blob to an upload the registry opened, and closes it with the digest. */
  async completeUpload(repository: string, location: URL, digest: string, body: RequestBody, size: number): Promise<void> {
    const url = new URL(location);
    url.searchParams.set('digest', digest);
    const reply = await this.transport.send({ method: 'PUT', path: url, scopes: [repositoryScope(repository, 'pull', 'push')], headers: { 'Content-Type': 'application/octet-stream' }, body, bodyLength: size });
    if (reply.status !== 201) throw unexpectedAnswer(this.host, `PUT ${url.pathname}`, reply.status, reply.body);
  }

  /**
   * Copies an image (an index with every platform's manifest, configs and layers) into a repository of
   * this registry under a tag; its digest, the same as at the source.
   */
  copyImage(source: CopySource, targetRepository: string, targetTag: string): Promise<string> {
    return copyImage(this, source, targetRepository, targetTag);
  }
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}
