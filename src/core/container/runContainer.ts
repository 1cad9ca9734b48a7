import type Docker from 'dockerode';
import { CancelledError, UserError } from '../errors';
import { inspectImage } from '../engine/baseImage';
import { reasonOf } from '../engine/dockerEngine';
import { CONTAINER_PORT } from '../packaging/runtimeMetadata';
import type { ProjectConfig } from '../project/projectConfig';
import { listLocalContainers, localContainerLabels, localContainerName, publishedPort, removeContainers, STOP_TIMEOUT_S } from './localContainers';
import { demuxLogs } from './logFrames';
import { wakeOnOutput, type OutputWake } from './outputWake';
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

// Between probes when the container says nothing: it is probed again at once whenever it writes output.
const READY_POLL_MS = 50;
const DEFAULT_READY_TIMEOUT_MS = 60_000;

/** What differs between the containers the tool starts; everything else is the same hardening. */
export interface ContainerPlan {
  name: string;
  image: string;
  labels: Record<string, string>;
  /** Container port -> host port on 127.0.0.1 ('' or undefined: one the engine picks). */
  publish: Record<number, number | undefined>;
  /** A user-defined network to join (the environment's, where its router reaches it by name). */
  network?: string;
  cmd?: string[];
  env?: string[];
}

/** The hardened container settings: non-root, read-only root, no capabilities, loopback only, limited. */
export function hardenedSpec(plan: ContainerPlan): Docker.ContainerCreateOptions {
  const ports = Object.entries(plan.publish);
  return {
    name: plan.name,
    Image: plan.image,
    Labels: plan.labels,
    User: '1000:1000',
    ...(plan.cmd ? { Cmd: plan.cmd } : {}),
    ...(plan.env ? { Env: plan.env } : {}),
    ExposedPorts: Object.fromEntries(ports.map(([port]) => [`${port}/tcp`, {}])),
    HostConfig: {
      PortBindings: Object.fromEntries(ports.map(([port, host]) => [`${port}/tcp`, [{ HostIp: '127.0.0.1', HostPort: host ? String(host) : '' }]])),
      ...(plan.network ? { NetworkMode: plan.network } : {}),
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

export interface StartedContainer {
  id: string;
  /** The host port of the container's first published port. */
  port: number;
  url: string;
  startToReadyMs: number;
}

export interface StartOptions {
  readyTimeoutMs?: number;
  signal?: AbortSignal;
  /** Whether the server answers ready; default: the model server's /v2/health/ready says 200. */
  isReady?: (url: string) => Promise<boolean>;
  /** For the "port already taken" message. */
  port?: number;
}

/**
 * Creates and starts a container and waits until it is ready. One that cannot start, exits or never
 * gets ready is removed, and the error says why with its last output.
 */
export async function startContainer(docker: Docker, spec: Docker.ContainerCreateOptions, options: StartOptions = {}): Promise<StartedContainer> {
  let container: Docker.Container;
  try {
    container = await docker.createContainer(spec);
  } catch (error) {
    throw new UserError(`the Docker engine cannot create the container: ${reasonOf(error)}`);
  }
  const output = await wakeOnOutput(container);
  try {
    const started = performance.now();
    try {
      await container.start();
    } catch (error) {
      const reason = reasonOf(error);
      if (/port is already allocated|address already in use/i.test(reason)) {
        throw new UserError(`port ${options.port ?? '(requested)'} on 127.0.0.1 is already taken`, undefined, 'choose another port (--port, or run.port in modeldeploy.yaml) or stop what listens there');
      }
      throw new UserError(`the container cannot start: ${reason}`);
    }
    const info = await container.inspect();
    const [firstPort] = Object.keys(spec.ExposedPorts ?? {});
    const port = Number(info.NetworkSettings.Ports?.[firstPort]?.[0]?.HostPort);
    const url = `http://127.0.0.1:${port}`;
    await waitUntilReady(container, url, output, options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS, options.isReady ?? modelServerReady, options.signal);
    return { id: info.Id, port, url, startToReadyMs: performance.now() - started };
  } catch (error) {
    await container.remove({ force: true }).catch(() => undefined);
    throw error;
  } finally {
    output.close();
  }
}

const modelServerReady = async (url: string) => (await probe(`${url}/v2/health/ready`, 1000)) === 200;

/**
 * Starts the project's image as its local container and waits until the model answers ready; only then
 * are the containers before it removed, so a run that fails leaves the one that served still serving.
 * The new container starts under a temporary name and takes the project's once it is the only one.
 * A container that cannot start, exits or never gets ready is removed, and the error says why with its
 * last output.
 */
export async function runContainer(docker: Docker, project: ProjectConfig, options: RunOptions = {}): Promise<RunResult> {
  const image = options.image ?? `${project.name}:${project.version}`;
  if (!(await inspectImage(docker, image))) throw new UserError(`the Docker engine has no image ${image}`, undefined, 'build it first: "modeldeploy build" or "Model Deploy: Build Image"');
  const name = localContainerName(project);
  const previous = await listLocalContainers(docker, project);
  // A container that a run cut short left under the temporary name holds that name: it goes first.
  await removeContainers(docker, previous.filter((c) => c.Names.includes(`/${nextName(name)}`)));
  const before = previous.filter((c) => !c.Names.includes(`/${nextName(name)}`));
  // The host port cannot be bound twice: the container holding the port asked for stops for the try,
  // and starts again if the new one fails, as if the run had not happened.
  const holding = before.filter((c) => c.State === 'running' && options.port !== undefined && publishedPort(c, CONTAINER_PORT) === options.port);
  for (const c of holding) await docker.getContainer(c.Id).stop({ t: STOP_TIMEOUT_S }).catch(() => undefined);
  let started: StartedContainer;
  try {
    started = await startContainer(docker, hardenedSpec({ name: nextName(name), image, labels: localContainerLabels(project), publish: { [CONTAINER_PORT]: options.port } }), options);
  } catch (error) {
    if (holding.length === 0) throw error;
    throw await restarted(docker, holding, error, options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS);
  }
  await removeContainers(docker, before);
  const renamed = await docker
    .getContainer(started.id)
    .rename({ name })
    .then(() => true, () => false);
  return { container: started.id, name: renamed ? name : nextName(name), image, port: started.port, url: started.url, startToReadyMs: started.startToReadyMs };
}

/** The name a new local container runs under until the one before it is gone. */
function nextName(name: string): string {
  return `${name}-next`;
}

/** Starts again the containers stopped for a failed run; the run's error, saying whether they serve again. */
async function restarted(docker: Docker, stopped: Docker.ContainerInfo[], error: unknown, readyTimeoutMs: number): Promise<unknown> {
  const failed: string[] = [];
  for (const info of stopped) {
    const container = docker.getContainer(info.Id);
    const url = `http://127.0.0.1:${publishedPort(info, CONTAINER_PORT)}`;
    const output = await wakeOnOutput(container);
    const serving = await container.start().then(
      () => waitUntilReady(container, url, output, readyTimeoutMs, modelServerReady).then(() => true, () => false),
      () => false,
    );
    output.close();
    if (!serving) failed.push(info.Names[0]?.replace(/^\//, '') ?? info.Id.slice(0, 12));
  }
  if (!(error instanceof UserError)) return error;
  const state = failed.length ? `the container that ran before (${failed.join(', ')}) did not start again: run again` : 'the container that ran before serves again';
  return new UserError(error.message, error.location, error.hint ? `${error.hint}; ${state}` : state);
}

async function waitUntilReady(container: Docker.Container, url: string, output: OutputWake, timeoutMs: number, isReady: (url: string) => Promise<boolean>, signal?: AbortSignal): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (signal?.aborted) throw new CancelledError();
    if (await isReady(url)) return;
    const state = (await container.inspect()).State;
    if (!state.Running) {
      throw new UserError(`the container exited at start with code ${state.ExitCode}${await lastOutput(container)}`, undefined, 'the container is removed, so this is its last output: fix what it says, then run again');
    }
    if (performance.now() > deadline) {
      throw new UserError(`the container was not ready within ${Math.round(timeoutMs / 1000)} s${await lastOutput(container)}`, undefined, 'the container is removed; a large model may need longer to load, or its last output says what is wrong');
    }
    await output.next(READY_POLL_MS);
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
