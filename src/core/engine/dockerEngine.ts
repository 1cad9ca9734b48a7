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
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${PING_TIMEOUT_MS / 1000} s`)), PING_TIMEOUT_MS).unref()),
    ]);
  } catch (error) {
    throw new UserError(`the Docker engine at ${engineAddress(env)} does not answer (${reasonOf(error)})`, undefined, 'start Docker (Docker Desktop, "sudo systemctl start docker", or scripts/provision/docker.sh here), or point DOCKER_HOST at a running engine');
  }
  return docker;
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
