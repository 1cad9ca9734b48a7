import type Docker from 'dockerode';
import { UserError } from '../errors';
import type { ProjectConfig } from '../project/projectConfig';
import type { MetricsDiff } from './diffTypes';
import { environmentOf } from './environments';
import { ensureLocal, environmentStatus, localImage } from './environmentState';
import { holdsProjectModel, type ImageIdentity } from './imageIdentity';
import { checkTrialRequest } from './localTrial';
import { metricsDiff } from './metricsDiff';
import type { DeployPorts } from './ports';
import { release, type ReleaseOptions, type ReleaseResult } from './release';

/**
 * The candidate: the image built from the project as it is now. A missing image, or one built from
 * another model file than the project's, is refused: what deploys is what was built and tested.
 */
export async function candidateImage(docker: Docker, project: ProjectConfig): Promise<ImageIdentity> {
  const tag = `${project.name}:${project.version}`;
  const image = await localImage(docker, tag);
  if (!image) throw new UserError(`there is no image ${tag} to deploy`, undefined, 'build it first: "modeldeploy build" or Build Image');
  if (!(await holdsProjectModel(image, project))) {
    throw new UserError(`the image ${tag} was built from another model file than ${project.modelPath}`, undefined, 'build it again so that what deploys is the model you have');
  }
  return { ...image, image: tag };
}

/** `diff --env`: the candidate against what the environment runs now, without changing anything. */
export async function diffEnvironment(docker: Docker, project: ProjectConfig, environmentName: string | undefined, ports: Pick<DeployPorts, 'credentials' | 'progress'>, signal?: AbortSignal): Promise<MetricsDiff> {
  const environment = environmentOf(project, environmentName);
  const candidate = await candidateImage(docker, project);
  const status = await environmentStatus(docker, project, environment, ports.credentials);
  return metricsDiff(docker, project, environment, candidate, status.current, { ensureLocal: ensureLocal(docker, ports.credentials, signal), signal, progress: ports.progress });
}

/**
 * `deploy --env`: the project's built image into an environment; with `canary`, beside the current
 * version with that percentage of the requests (and with `analyze`, watched and rolled back on a
 * regression); with `shadow`, beside it with a copy of each request.
 */
export async function deployProject(docker: Docker, project: ProjectConfig, environmentName: string | undefined, ports: DeployPorts, signal?: AbortSignal, options: Pick<ReleaseOptions, 'canary' | 'analyze' | 'shadow'> = {}): Promise<ReleaseResult> {
  const environment = environmentOf(project, environmentName);
  checkTrialRequest(environment, options);
  return release(docker, project, environment, await candidateImage(docker, project), ports, { action: 'deploy', signal, ...options });
}
