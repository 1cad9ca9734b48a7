import { createHash } from 'node:crypto';
import type Docker from 'dockerode';
import { UserError } from '../errors';
import { LABEL } from '../packaging/imageLabels';
import type { ProjectConfig } from '../project/projectConfig';

/** The role of a container the tool starts for trying a project on this machine. */
export const LOCAL_ROLE = 'local';

/** One name per project folder, so two projects with the same name never take each other's container. */
export function localContainerName(project: Pick<ProjectConfig, 'name' | 'dir'>): string {
  return `modeldeploy-${project.name}-${createHash('sha256').update(project.dir).digest('hex').slice(0, 8)}`;
}

export function localContainerLabels(project: Pick<ProjectConfig, 'name' | 'dir' | 'version'>): Record<string, string> {
  return { [LABEL.managed]: 'true', [LABEL.project]: project.name, [LABEL.projectDir]: project.dir, [LABEL.version]: project.version, [LABEL.role]: LOCAL_ROLE };
}

/** The project's local containers, running or not. */
export async function listLocalContainers(docker: Docker, project: Pick<ProjectConfig, 'dir'>): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: [`${LABEL.managed}=true`, `${LABEL.projectDir}=${project.dir}`, `${LABEL.role}=${LOCAL_ROLE}`] } });
}

/** The host port that the container's server port is published on, if it is. */
export function publishedPort(info: Pick<Docker.ContainerInfo, 'Ports'>, containerPort: number): number | undefined {
  return info.Ports.find((p) => p.PrivatePort === containerPort && p.PublicPort)?.PublicPort;
}

/** How long a stopped server may take to finish the requests in flight before the engine kills it. */
export const STOP_TIMEOUT_S = 10;

/** Stops and removes the project's local containers; the names of those it removed. */
export async function removeLocalContainers(docker: Docker, project: Pick<ProjectConfig, 'dir'>, stopTimeoutS = STOP_TIMEOUT_S): Promise<string[]> {
  const containers = await listLocalContainers(docker, project);
  await removeContainers(docker, containers, stopTimeoutS);
  return containers.map((info) => info.Names[0]?.replace(/^\//, '') ?? info.Id.slice(0, 12));
}

/** Stops and removes containers, the running ones given `stopTimeoutS` to finish. */
export async function removeContainers(docker: Docker, containers: Docker.ContainerInfo[], stopTimeoutS = STOP_TIMEOUT_S): Promise<void> {
  for (const info of containers) {
    const container = docker.getContainer(info.Id);
    // SIGTERM first, so the server finishes the requests in flight; the engine kills it after the timeout.
    if (info.State === 'running') await container.stop({ t: stopTimeoutS }).catch(() => undefined);
    await container.remove({ force: true }).catch(() => undefined);
  }
}

/** The URL of the project's running local container, or a UserError saying how to start one. */
export async function localServerUrl(docker: Docker, project: Pick<ProjectConfig, 'dir' | 'name'>, containerPort: number): Promise<string> {
  const running = (await listLocalContainers(docker, project)).find((c) => c.State === 'running');
  const port = running && publishedPort(running, containerPort);
  if (!port) throw new UserError(`no local container of ${project.name} is running`, undefined, 'start one with "modeldeploy run" or Run Locally, or give --url');
  return `http://127.0.0.1:${port}`;
}
