import type Docker from 'dockerode';
import { CancelledError } from '../errors';
import { followProgress } from '../engine/progressStream';
import type { Platform } from '../project/projectConfig';
import { packBuildContext, type ContextEntry } from './buildContext';

export interface EngineBuildOptions {
  tag: string;
  platform: Platform;
  buildargs?: Record<string, string>;
  onOutput: (line: string) => void;
  signal?: AbortSignal;
  idleTimeoutMs: number;
}

/**
 * One build through the engine's API from an in-memory context; the built image's id. Every progress
 * event is checked for errors (they come inside a 200 response), the stream has an idle timeout, and
 * intermediate containers are removed even when a step fails.
 */
export async function runEngineBuild(docker: Docker, entries: ContextEntry[], options: EngineBuildOptions): Promise<string | undefined> {
  if (options.signal?.aborted) throw new CancelledError();
  let imageId: string | undefined;
  const stream = (await docker.buildImage(packBuildContext(entries), {
    t: options.tag,
    platform: options.platform,
    buildargs: options.buildargs,
    rm: true,
    forcerm: true,
    abortSignal: options.signal,
  } as Docker.ImageBuildOptions)) as unknown as NodeJS.ReadableStream & { destroy(): void };
  await followProgress(stream, {
    what: `the build of ${options.tag}`,
    idleTimeoutMs: options.idleTimeoutMs,
    signal: options.signal,
    onEvent: (event) => {
      if (event.aux?.ID) imageId = event.aux.ID;
      const text = (event.stream ?? event.status ?? '').replace(/\s+$/, '');
      if (text) options.onOutput(text);
    },
  });
  return imageId;
}
