import { UserError } from '../errors';

/** The manifest kinds the client asks for, in the order of preference Docker sends them. */
export const MEDIA_TYPE = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
} as const;

/** Without all four, a registry falls back to the old schema1 manifest, which has no config blob. */
export const MANIFEST_ACCEPT = Object.values(MEDIA_TYPE).join(', ');

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** A pointer to a blob or manifest: what it is, its digest and size. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  platform?: Platform;
  annotations?: Record<string, string>;
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
}

/** A manifest list (Docker) or image index (OCI): one manifest per platform. */
export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
}

export type Manifest = ImageManifest | ImageIndex;

export function isIndex(manifest: Manifest): manifest is ImageIndex {
  return Array.isArray((manifest as ImageIndex).manifests);
}

/** Parses manifest bytes, refusing what this client cannot copy or read (schema1, not JSON). */
export function parseManifest(bytes: Buffer, where: string): Manifest {
  let parsed: { schemaVersion?: number; manifests?: unknown; config?: unknown; layers?: unknown };
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new UserError(`the manifest of ${where} is not JSON`, undefined, 'the registry sent something other than a manifest; check its address');
  }
  if (parsed.schemaVersion !== 2) {
    throw new UserError(`the manifest of ${where} has schema version ${parsed.schemaVersion ?? 'none'}; only version 2 (Docker v2, OCI) is supported`, undefined, 'push the image again with a current Docker');
  }
  if (!Array.isArray(parsed.manifests) && !(parsed.config && Array.isArray(parsed.layers))) {
    throw new UserError(`the manifest of ${where} is neither an image manifest nor an index`);
  }
  return parsed as Manifest;
}

/** The blobs an image manifest refers to, without foreign layers that registries never hold. */
export function blobsOf(manifest: ImageManifest): Descriptor[] {
  return [manifest.config, ...manifest.layers].filter((d) => !(d.urls?.length && /foreign|nondistributable/.test(d.mediaType)));
}

export function parsePlatform(text: string): Platform {
  const [os, architecture, variant] = text.split('/');
  if (!os || !architecture) throw new UserError(`platform "${text}" is not os/architecture[/variant]`, undefined, 'write for example linux/amd64 or linux/arm64');
  return { os, architecture, variant };
}

export function formatPlatform(platform: Platform | undefined): string {
  if (!platform) return 'unknown';
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}

/** The index entry for a platform; a variant is matched only when one is asked for. */
export function manifestForPlatform(index: ImageIndex, wanted: Platform): Descriptor | undefined {
  return index.manifests.find((d) => d.platform?.os === wanted.os && d.platform.architecture === wanted.architecture && (!wanted.variant || d.platform.variant === wanted.variant));
}
