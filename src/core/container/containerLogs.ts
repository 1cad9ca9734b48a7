import type Docker from 'dockerode';
import { CancelledError, UserError } from '../errors';
import type { ProjectConfig } from '../project/projectConfig';
import { listLocalContainers } from './localContainers';
import { demuxLogs, LogDemuxer, type LogFrame } from './logFrames';

/** The project's local container (the running one first), or a UserError saying there is none. */
export async function findLocalContainer(docker: Docker, project: Pick<ProjectConfig, 'dir' | 'name'>): Promise<Docker.ContainerInfo> {
  const containers = await listLocalContainers(docker, project);
  const found = containers.find((c) => c.State === 'running') ?? containers[0];
  if (!found) throw new UserError(`${project.name} has no local container`, undefined, 'start one with "modeldeploy run" or Run Locally');
  return found;
}

/** The container's output so far (the last `tail` lines of each stream). */
export async function readLogs(docker: Docker, containerId: string, tail = 1000): Promise<LogFrame[]> {
  const buffer = (await docker.getContainer(containerId).logs({ stdout: true, stderr: true, tail, follow: false })) as unknown as Buffer;
  return demuxLogs(buffer);
}

/** Streams the container's output as it is written, until the container stops or `signal` aborts. */
export async function followLogs(docker: Docker, containerId: string, onFrame: (frame: LogFrame) => void, signal?: AbortSignal, tail = 100): Promise<void> {
  const stream = (await docker.getContainer(containerId).logs({ stdout: true, stderr: true, tail, follow: true, abortSignal: signal } as Docker.ContainerLogsOptions & { follow: true })) as NodeJS.ReadableStream & { destroy(): void };
  const demuxer = new LogDemuxer();
  await new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      stream.destroy();
      reject(new CancelledError());
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    stream.on('data', (chunk: Buffer) => demuxer.push(chunk).forEach(onFrame));
    stream.on('end', () => resolve());
    stream.on('error', (error) => reject(signal?.aborted ? new CancelledError() : error));
  });
}
