import type Docker from 'dockerode';
import { LABEL } from '../packaging/imageLabels';
import { CONTAINER_PORT } from '../packaging/runtimeMetadata';
import type { ProjectConfig } from '../project/projectConfig';
import { listLocalContainers, publishedPort } from './localContainers';

export interface ProjectImage {
  id: string;
  /** `name:version` tags of this project (an image can carry several). */
  tags: string[];
  sizeBytes: number;
  created: Date;
  /** Validation metrics from the image's labels, when it carries them. */
  metrics?: Record<string, number>;
}

export interface ProjectContainer {
  id: string;
  name: string;
  image: string;
  /** The engine's state: running, exited, created, ... */
  state: string;
  /** The engine's status text ("Up 3 minutes (healthy)"). */
  status: string;
  health?: 'starting' | 'healthy' | 'unhealthy';
  port?: number;
  url?: string;
}

/** The images built for a project, newest first. */
export async function listProjectImages(docker: Docker, project: Pick<ProjectConfig, 'name'>): Promise<ProjectImage[]> {
  const images = await docker.listImages({ filters: { label: [`${LABEL.managed}=true`, `${LABEL.project}=${project.name}`] } });
  return images
    .map((image) => {
      const metrics = image.Labels?.[LABEL.metrics];
      return {
        id: image.Id,
        tags: (image.RepoTags ?? []).filter((t) => t.startsWith(`${project.name}:`)),
        sizeBytes: image.Size,
        created: new Date(image.Created * 1000),
        ...(metrics ? { metrics: JSON.parse(metrics) as Record<string, number> } : {}),
      };
    })
    .sort((a, b) => b.created.getTime() - a.created.getTime());
}

/** The project's local containers with their port and health. */
export async function listProjectContainers(docker: Docker, project: Pick<ProjectConfig, 'dir'>): Promise<ProjectContainer[]> {
  return (await listLocalContainers(docker, project)).map((info) => {
    const port = publishedPort(info, CONTAINER_PORT);
    const health = /\((healthy|unhealthy|health: starting)\)/.exec(info.Status)?.[1];
    return {
      id: info.Id,
      name: info.Names[0]?.replace(/^\//, '') ?? info.Id.slice(0, 12),
      image: info.Image,
      state: info.State,
      status: info.Status,
      ...(health ? { health: health === 'health: starting' ? 'starting' : (health as 'healthy' | 'unhealthy') } : {}),
      ...(port && info.State === 'running' ? { port, url: `http://127.0.0.1:${port}` } : {}),
    };
  });
}
