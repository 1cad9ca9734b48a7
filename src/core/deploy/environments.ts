import { UserError } from '../errors';
import type { EnvironmentConfig, ProjectConfig } from '../project/projectConfig';

/** The environment that a name refers to, or a UserError listing the ones the project has. */
export function environmentOf(project: Pick<ProjectConfig, 'environments' | 'configFile'>, name: string | undefined): EnvironmentConfig {
  const names = project.environments.map((e) => e.name);
  if (!name) throw new UserError('which environment?', undefined, `name one with --env: ${names.join(', ')}`);
  const found = project.environments.find((e) => e.name === name);
  if (!found) throw new UserError(`the project has no environment "${name}"`, { file: project.configFile, field: 'environments' }, `choose one of ${names.join(', ')}, or add it under environments: in modeldeploy.yaml`);
  return found;
}

/** Production is the environment whose failing gates block a deploy; the others only warn. */
export function gatesBlock(environment: Pick<EnvironmentConfig, 'name'>): boolean {
  return environment.name === 'production';
}
