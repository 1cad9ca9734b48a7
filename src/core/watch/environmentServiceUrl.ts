import type Docker from 'dockerode';
import { environmentOf } from '../deploy/environments';
import { localEnvironmentState } from '../deploy/localEnvironment';
import { UserError } from '../errors';
import type { EnvironmentConfig, ProjectConfig } from '../project/projectConfig';

type Project = Pick<ProjectConfig, 'name' | 'dir' | 'version' | 'environments' | 'configFile'>;

/**
 * Where an environment's service answers, for its live metrics. A registry environment's is the `url`
 * its config gives (the registry only stores images); without one, its local copy when it is also run
 * here (`run:`). A local environment's is its router's stable loopback URL, once a version is deployed
 * and the router runs. The engine is asked only for an environment served here.
 */
export async function environmentServiceUrl(project: Project, name: string | undefined, engine: () => Promise<Docker>): Promise<string> {
  const environment = environmentOf(project, name);
  const given = configuredServiceUrl(environment);
  if (given) return given;
  if (environment.registry && !environment.run) {
    throw new UserError(
      `${environment.name} deploys to the registry ${environment.registry}, which does not say where its service answers`,
      { file: project.configFile, field: `environments.${environment.name}` },
      `add url: under environments.${environment.name} in modeldeploy.yaml, the address the service answers on (e.g. https://models.example.com/${project.name}); its /metrics is read there`,
    );
  }
  const state = await localEnvironmentState(await engine(), project, environment);
  const deploy = `modeldeploy deploy --env ${environment.name}`;
  if (state.router && !state.router.running) throw new UserError(`the router of ${environment.name} (container ${state.router.id.slice(0, 12)}) is stopped, so nothing answers at ${state.url}`, undefined, `start it with "docker start ${state.router.id.slice(0, 12)}", or deploy again: ${deploy}`);
  if (!state.active) throw new UserError(`nothing is deployed to ${environment.name} in the local Docker engine`, undefined, `deploy a version first: ${deploy}`);
  return state.url;
}

/** The address a registry environment's config gives for its service; a local environment's comes from its router. */
export function configuredServiceUrl(environment: Pick<EnvironmentConfig, 'registry' | 'url'>): string | undefined {
  return environment.registry ? environment.url : undefined;
}
