import { UserError } from '../errors';
import { formatPlatform, isIndex, manifestForPlatform, parsePlatform, type ImageManifest } from './manifestTypes';
import type { RegistryClient } from './registryClient';

export interface ImageConfigInfo {
  /** The digest the reference names (an index's own digest for a multi-platform image). */
  digest: string;
  /** The digest of the platform's image manifest (the same as `digest` for a single-platform image). */
  platformDigest: string;
  configDigest: string;
  labels: Record<string, string>;
  created?: string;
}

/**
 * Reads an image's config blob through the registry API, without pulling it: for an index, the manifest
 * of the platform first. Undefined when the reference does not exist.
 */
export async function readImageConfig(client: RegistryClient, repository: string, reference: string, platform: string): Promise<ImageConfigInfo | undefined> {
  const top = await client.getManifest(repository, reference);
  if (!top) return undefined;
  let image = top;
  if (isIndex(top.manifest)) {
    const entry = manifestForPlatform(top.manifest, parsePlatform(platform));
    const where = `${client.host}/${repository}:${reference}`;
    if (!entry) {
      const has = top.manifest.manifests.map((d) => formatPlatform(d.platform)).filter((p) => p !== 'unknown/unknown');
      throw new UserError(`${where} has no ${platform} image (it has ${has.join(', ') || 'none'})`, undefined, `build the image for ${platform}`);
    }
    const child = await client.getManifest(repository, entry.digest);
    if (!child || isIndex(child.manifest)) throw new UserError(`${where} lists a ${platform} image ${entry.digest} that the registry does not hold`, undefined, 'the image in the registry is incomplete; push it again');
    image = child;
  }
  const configDigest = (image.manifest as ImageManifest).config.digest;
  let config: { created?: string; config?: { Labels?: Record<string, string> | null } };
  try {
    config = JSON.parse((await client.getBlob(repository, configDigest)).toString('utf8'));
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`the config ${configDigest} of ${client.host}/${repository}:${reference} is not JSON`, undefined, 'the image is not a container image; check the reference');
  }
  return { digest: top.digest, platformDigest: image.digest, configDigest, labels: config.config?.Labels ?? {}, created: config.created };
}
