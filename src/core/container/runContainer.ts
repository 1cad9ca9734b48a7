import type Docker from 'dockerode';
import { CancelledError, UserError } from '../errors';
import { inspectImage } from '../engine/baseImage';
import { reasonOf } from '../engine/dockerEngine';
import { CONTAINER_PORT } from '../packaging/runtimeMetadata';
import type { ProjectConfig } from '../project/projectConfig';
import { localContainerLabels, localContainerName, removeLocalContainers } from './localContainers';
import { demuxLogs } from './logFrames';
import { probe } from './waitReady';

export interface RunOptions {
  /** Default: `<name>:<version>`. */
  image?: string;
  /** Host port on 127.0.0.1; default: one the engine picks. */
  port?: number;
  readyTimeoutMs?: number;
  signal?: AbortSignal;
}

export interface RunResult {
  container: string;
  name: string;
  image: string;
  port: number;
  url: string;
  /** From asking the engine to start the container to the first ready answer. */
  startToReadyMs: number;
}

/** Limits every local container gets: enough for a model server, not enough to take the machine down. */
export const RUN_LIMITS = { memoryBytes: 1024 * 1024 * 1024, nanoCpus: 2_000_000_000, pids: 256 };

const READY_POLL_MS = 25;
const DEFAULT_READY_TIMEOUT_MS = 60_000;

/** The hardened container settings: non-root, read-only root, no capabilities, loopback only, limited. */
export function containerSpec(project: ProjectConfig, image: string, port: number | undefined): Docker.ContainerCreateOptions {
  return {
    name: localContainerName(project),
    Image: image,
    Labels: localContainerLabels(project),
    User: '1000:1000',
    ExposedPorts: { [`${CONTAINER_PORT}/tcp`]: {} },
    HostConfig: {
      PortBindings: { [`${CONTAINER_PORT}/tcp`]: [{ HostIp: '127.0.0.1', HostPort: port ? String(port) : '' }] },
      ReadonlyRootfs: true,
      Tmpfs: { '/tmp': 'rw,noexec,nosuid,nodev,size=64m' },
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      Memory: RUN_LIMITS.memoryBytes,
      NanoCpus: RUN_LIMITS.nanoCpus,
      PidsLimit: RUN_LIMITS.pids,
      LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '2' } },
    },
  };
}

/**
 * Starts the project's image as its local container (replacing the one before) and waits until the
 * model answers ready. A container that cannot start, exits or never gets ready is removed, and the
 * error says why with its last output.
 */
export async function runContainer(docker: Docker, project: ProjectConfig, options: RunOptions = {}): Promise<RunResult> {
  const image = options.image ?? `${project.name}:${project.version}`;
  if (!(await inspectImage(docker, image))) throw new UserError(`the Docker engine has no image ${image}`, undefined, 'build it first: "modeldeploy build" or "Model Deploy: Build Image"');
  await removeLocalContainers(docker, project);
  let container: Docker.Container;
  try {
    container = await docker.createContainer(containerSpec(project, image, options.port));
  } catch (error) {
    throw new UserError(`the Docker engine cannot create the container: ${reasonOf(error)}`);
  }
  try {
    const started = performance.now();
    try {
      await container.start();
    } catch (error) {
      const reason = reasonOf(error);
      if (/port is already allocated|address already in use/i.test(reason)) {
        throw new UserError(`port ${options.port} on 127.0.0.1 is already taken`, undefined, 'choose another port (--port) or stop what listens there');
      }
      throw new UserError(`the container cannot start: ${reason}`);
    }
    const info = await container.inspect();
    const port = Number(info.NetworkSettings.Ports?.[`${CONTAINER_PORT}/tcp`]?.[0]?.HostPort);
    const url = `http://127.0.0.1:${port}`;
    await waitUntilReady(container, url, options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS, options.signal);
    return { container: info.Id, name: localContainerName(project), image, port, url, startToReadyMs: performance.now() - started };
  } catch (error) {
    await container.remove({ force: true }).catch(() => undefined);
    throw error;
  }
}

async function waitUntilReady(container: Docker.Container, url: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (signal?.aborted) throw new CancelledError();
    if ((await probe(`${url}/v2/health/ready`, 1000)) === 200) return;
    const state = (await container.inspect()).State;
    if (!state.Running) {
      throw new UserError(`the container exited at start with code ${state.ExitCode}${await lastOutput(container)}`, undefined, 'see its output above; "modeldeploy logs" shows it whole');
    }
    if (performance.now() > deadline) {
      throw new UserError(`the container was not ready within ${Math.round(timeoutMs / 1000)} s${await lastOutput(container)}`, undefined, 'a large model may need longer; see "modeldeploy logs"');
    }
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
  }
}

/** The last lines the container wrote, for an error message; the runtime's JSON lines shown by their message. */
async function lastOutput(container: Docker.Container): Promise<string> {
  try {
    const buffer = (await container.logs({ stdout: true, stderr: true, tail: 5, follow: false })) as unknown as Buffer;
    const lines = demuxLogs(buffer)
      .flatMap((f) => f.text.split('\n'))
      .filter((l) => l.trim())
      .map((l) => {
        try {
          return String((JSON.parse(l) as { message?: unknown }).message ?? l);
        } catch {
          return l;
        }
      });
    return lines.length ? `; its last output: ${lines.slice(-3).join(' | ')}` : '';
  } catch {
    return '';
  }
}
