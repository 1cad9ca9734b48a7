import type Docker from 'dockerode';
import { reasonOf } from '../engine/dockerEngine';
import { EngineStreamError, followProgress } from '../engine/progressStream';
import { UserError } from '../errors';
import { LABEL } from '../packaging/imageLabels';
import type { EnvironmentConfig, ProjectConfig } from '../project/projectConfig';
import { engineAuthConfig, type CredentialSource } from '../registry/credentials';
import { isIndex } from '../registry/manifestTypes';
import { RegistryClient } from '../registry/registryClient';
import { imageReference, registryTarget, type RegistryTarget } from '../registry/registryReference';
import type { ImageIdentity } from './imageIdentity';

/** An environment's registry: its client and where the project's images go in it. */
export interface EnvironmentRegistry {
  client: RegistryClient;
  target: RegistryTarget;
}

const PUSH_IDLE_TIMEOUT_MS = 60_000;

export function environmentRegistry(project: Pick<ProjectConfig, 'name' | 'configFile'>, environment: EnvironmentConfig, credentials: CredentialSource): EnvironmentRegistry {
  if (!environment.registry) throw new Error(`${environment.name} has no registry`);
  let target: RegistryTarget;
  try {
    target = registryTarget(environment.registry, project.name);
  } catch (error) {
    const problem = error as UserError;
    throw new UserError(problem.message, { file: project.configFile, field: `environments.${environment.name}.registry` }, problem.hint);
  }
  return { client: new RegistryClient(target.host, { credentials }), target };
}

/** The image a tag names, as environments know images; undefined when the tag does not exist. */
export async function registryImage(registry: EnvironmentRegistry, tag: string, platform: string): Promise<ImageIdentity | undefined> {
  const info = await registry.client.imageConfig(registry.target.repository, tag, platform);
  if (!info) return undefined;
  return {
    version: info.labels[LABEL.version] ?? '?',
    digest: info.digest,
    imageId: info.configDigest,
    image: `${registry.target.host}/${registry.target.repository}@${info.digest}`,
    labels: info.labels,
  };
}

/** The history tag of a change: `<environment>-<UTC yyyymmddThhmmssZ>`. */
export function historyTag(environment: string, when: Date): string {
  return `${environment}-${when.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`;
}

/** The time a history tag names, or undefined when the tag is not one of this environment's. */
export function historyTagTime(environment: string, tag: string): Date | undefined {
  const match = new RegExp(`^${environment}-(\\d{4})(\\d{2})(\\d{2})T(\\d{2})(\\d{2})(\\d{2})Z$`).exec(tag);
  return match ? new Date(`${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}Z`) : undefined;
}

/**
 * Pushes a local image as `<registry>/<name>:<version>` through the engine and verifies what the registry
 * then holds under that tag. Versions are immutable: when the tag exists with another image the push is
 * refused; when it holds this very image there is nothing to push.
 */
export async function pushVersion(docker: Docker, registry: EnvironmentRegistry, candidate: ImageIdentity & { localRef: string }, credentials: CredentialSource, options: { signal?: AbortSignal; progress?: (message: string) => void; platform: string }): Promise<{ digest: string; pushed: boolean }> {
  const { client, target } = registry;
  const reference = imageReference(target, candidate.version);
  const existing = await client.imageConfig(target.repository, candidate.version, options.platform);
  if (existing && existing.configDigest !== candidate.imageId) {
    throw new UserError(`${reference} already exists with another image (${existing.digest.slice(0, 19)}): versions are immutable`, undefined, 'give the new model a new version in modeldeploy.yaml, validate and build it, then deploy');
  }
  if (existing) return { digest: existing.digest, pushed: false };
  options.progress?.(`pushing ${reference}`);
  await docker.getImage(candidate.localRef).tag({ repo: `${target.host}/${target.repository}`, tag: candidate.version });
  let pushedDigest: string | undefined;
  try {
    const authconfig = await engineAuthConfig(target.host, credentials);
    const stream = (await docker.getImage(reference).push({ tag: candidate.version, ...(authconfig ? { authconfig } : {}), abortSignal: options.signal } as Docker.ImagePushOptions)) as unknown as NodeJS.ReadableStream & { destroy(): void };
    await followProgress(stream, {
      what: `pushing ${reference}`,
      idleTimeoutMs: PUSH_IDLE_TIMEOUT_MS,
      signal: options.signal,
      onEvent: (event) => {
        if (typeof event.aux === 'object' && event.aux?.Digest) pushedDigest = event.aux.Digest;
      },
    });
  } catch (error) {
    if ((error as Error).name === 'CancelledError') throw error;
    // The push may have failed on the login: ask the registry itself for a clear message first.
    await client.ping();
    throw new UserError(`pushing ${reference} failed: ${error instanceof EngineStreamError ? error.message : reasonOf(error)}`, undefined, 'the environment keeps its previous version; check the registry and deploy again');
  } finally {
    await docker.getImage(reference).remove({ noprune: true }).catch(() => undefined);
  }
  const held = await client.getManifest(target.repository, candidate.version);
  const config = held && !isIndex(held.manifest) ? held.manifest.config.digest : undefined;
  if (!held || (pushedDigest && held.digest !== pushedDigest) || config !== candidate.imageId) {
    throw new UserError(`the registry does not hold what was pushed under ${reference} (pushed ${pushedDigest ?? 'unknown'}, found ${held?.digest ?? 'nothing'})`, undefined, 'the environment keeps its previous version; push again');
  }
  return { digest: held.digest, pushed: true };
}

/**
 * Points the environment's channel tag at a digest the registry holds, then records the change under a
 * history tag. The channel moves only after the digest is verified in the registry.
 */
export async function moveChannel(registry: EnvironmentRegistry, environment: string, digest: string, when: Date): Promise<void> {
  const { client, target } = registry;
  const record = await client.getManifest(target.repository, digest);
  if (!record) throw new UserError(`${target.host}/${target.repository} holds no image ${digest}`, undefined, 'the environment keeps its previous version');
  await client.putManifest(target.repository, environment, record.bytes, record.mediaType);
  // Tags name whole seconds: a change from another clone in the same second takes the next free one.
  let tagTime = when;
  while (await client.getManifest(target.repository, historyTag(environment, tagTime))) tagTime = new Date(tagTime.getTime() + 1000);
  await client.putManifest(target.repository, historyTag(environment, tagTime), record.bytes, record.mediaType);
}

/** The environment's history from its history tags, newest first (the registry is the source of truth). */
export async function registryHistory(registry: EnvironmentRegistry, environment: string, platform: string, limit = 50): Promise<(ImageIdentity & { time: string })[]> {
  const tags = (await registry.client.listTags(registry.target.repository))
    .map((tag) => ({ tag, time: historyTagTime(environment, tag) }))
    .filter((t): t is { tag: string; time: Date } => t.time !== undefined)
    .sort((a, b) => b.time.getTime() - a.time.getTime())
    .slice(0, limit);
  const entries = await Promise.all(tags.map(async ({ tag, time }) => {
    const image = await registryImage(registry, tag, platform);
    return image && { ...image, time: time.toISOString() };
  }));
  return entries.filter((e): e is ImageIdentity & { time: string } => e !== undefined);
}

/** Makes a registry image available in the local engine (a pull by digest) and gives its reference. */
export async function pullImage(docker: Docker, image: string, credentials: CredentialSource, signal?: AbortSignal): Promise<string> {
  const host = image.split('/')[0];
  try {
    await docker.getImage(image).inspect();
    return image;
  } catch {
    // Not here yet: pull it.
  }
  const authconfig = await engineAuthConfig(host, credentials);
  try {
    const stream = (await docker.pull(image, { ...(authconfig ? { authconfig } : {}), abortSignal: signal })) as NodeJS.ReadableStream & { destroy(): void };
    await followProgress(stream, { what: `pulling ${image}`, idleTimeoutMs: PUSH_IDLE_TIMEOUT_MS, signal });
  } catch (error) {
    if ((error as Error).name === 'CancelledError') throw error;
    throw new UserError(`cannot pull ${image}: ${error instanceof EngineStreamError ? error.message : reasonOf(error)}`);
  }
  return image;
}
