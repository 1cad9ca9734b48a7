import type Docker from 'dockerode';
import { UserError } from '../errors';
import type { Platform, ProjectConfig } from '../project/projectConfig';
import { reasonOf, statusOf } from './dockerEngine';
import { followProgress, type ProgressEvent } from './progressStream';

const PULL_IDLE_TIMEOUT_MS = 60_000;

export interface BaseImageOptions {
  onEvent?: (event: ProgressEvent) => void;
  signal?: AbortSignal;
}

/**
 * Makes sure the project's base image is in the engine for the target platform, pulling it when it is
 * not: the build itself never downloads anything, so it works offline once the base is there.
 */
export async function ensureBaseImage(docker: Docker, project: Pick<ProjectConfig, 'configFile' | 'image'>, options: BaseImageOptions = {}): Promise<Docker.ImageInspectInfo> {
  const { base, platform } = project.image;
  const where = { file: project.configFile, field: 'image.base' };
  let info = await inspectImage(docker, base);
  if (!info) {
    try {
      const stream = (await docker.pull(base, { platform, abortSignal: options.signal })) as NodeJS.ReadableStream & { destroy(): void };
      await followProgress(stream, { what: `pulling ${base}`, onEvent: options.onEvent, idleTimeoutMs: PULL_IDLE_TIMEOUT_MS, signal: options.signal });
    } catch (error) {
      if ((error as Error).name === 'CancelledError') throw error;
      throw new UserError(`the base image ${base} is not in the local Docker engine and cannot be pulled: ${reasonOf(error)}`, where, `pull or load it ("docker pull ${base}", "docker load"), or set image.base to an image the engine has`);
    }
    info = await inspectImage(docker, base);
    if (!info) throw new UserError(`the base image ${base} was pulled but the engine does not list it`, where);
  }
  const actual = `${info.Os}/${info.Architecture}`;
  if (actual !== platform) {
    throw new UserError(`the base image ${base} is ${actual}, but image.platform is ${platform}`, { file: project.configFile, field: 'image.platform' }, `get the ${platform} variant ("docker pull --platform ${platform} ${base}") or set image.platform to ${actual as Platform}`);
  }
  return info;
}

/** The image's inspect data, or undefined when the engine has no such image. */
export async function inspectImage(docker: Docker, reference: string): Promise<Docker.ImageInspectInfo | undefined> {
  try {
    return await docker.getImage(reference).inspect();
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw new UserError(`the Docker engine cannot inspect ${reference}: ${reasonOf(error)}`);
  }
}
