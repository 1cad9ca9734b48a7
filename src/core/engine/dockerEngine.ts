import type Docker from 'dockerode';
import { UserError } from '../errors';

/** Where the engine is expected, for messages: DOCKER_HOST or the default socket. */
export function engineAddress(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_HOST || 'unix:///var/run/docker.sock';
}

const PING_TIMEOUT_MS = 5_000;

/**
 * A client for the Docker engine that DOCKER_HOST (or the default socket) names, checked with a ping
 * so that an engine that is down is reported once, clearly, before any work starts.
 */
export async function connectEngine(env: NodeJS.ProcessEnv = process.env): Promise<Docker> {
  // Loaded on first use: the client and its transports take a fifth of a second to load, which
  // neither the extension's activation nor a CLI command without the engine should pay.
  const { default: DockerClient } = await import('dockerode');
  let docker: Docker;
  try {
    docker = new DockerClient();
  } catch (error) {
    throw new UserError(`DOCKER_HOST=${env.DOCKER_HOST} is not an engine address: ${(error as Error).message}`, undefined, 'set DOCKER_HOST to unix:///path/docker.sock or tcp://host:port, or unset it');
  }
  try {
    await ping(docker, PING_TIMEOUT_MS);
  } catch (error) {
    throw new UserError(`the Docker engine at ${engineAddress(env)} does not answer (${reasonOf(error)})`, undefined, START_HINT);
  }
  return docker;
}

const START_HINT = 'start Docker (Docker Desktop, "sudo systemctl start docker", or scripts/provision/docker.sh here), or point DOCKER_HOST at a running engine';
const GONE_PING_TIMEOUT_MS = 2_000;

/**
 * After a stream from the engine broke off (a build, a pull): when the engine itself no longer answers,
 * that is the reason to report, not what the broken stream said ("aborted", a step's exit code).
 */
export async function engineStoppedDuring(docker: Docker, work: string, error: unknown): Promise<UserError | undefined> {
  try {
    await ping(docker, GONE_PING_TIMEOUT_MS);
    return undefined;
  } catch (pingError) {
    return new UserError(`the Docker engine at ${engineAddress()} stopped answering during ${work} (the stream ended with "${reasonOf(error)}"; the engine now: ${reasonOf(pingError)})`, undefined, `${START_HINT}, then try again`);
  }
}

function ping(docker: Docker, timeoutMs: number): Promise<unknown> {
  return Promise.race([
    docker.ping(),
    new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs).unref()),
  ]);
}

/** The engine's own words for a failure: its JSON `message`, else the error's first line. */
export function reasonOf(error: unknown): string {
  const e = error as { json?: { message?: string }; reason?: string; message?: string; code?: string };
  const text = e?.json?.message ?? (typeof e?.message === 'string' ? e.message : String(error));
  return text.replace(/^\(HTTP code \d+\)\s*[\w ]+-\s*/, '').split('\n')[0].trim();
}

/** The HTTP status of an engine error, when it has one (404 no such image, 409 conflict, ...). */
export function statusOf(error: unknown): number | undefined {
  return (error as { statusCode?: number })?.statusCode;
}
