import type Docker from 'dockerode';
import { UserError } from '../errors';
import type { ProjectConfig } from '../project/projectConfig';
import { environmentOf } from './environments';
import { environmentStatus } from './environmentState';
import type { DeployPorts } from './ports';
import { release, type ReleaseResult } from './release';

/**
 * Copies the exact image that one environment runs into another (staging to production by default): no
 * rebuild, so what was tested is what ships. The target's gates and approval apply.
 */
export async function promote(docker: Docker, project: ProjectConfig, from: string, to: string, ports: DeployPorts, signal?: AbortSignal): Promise<ReleaseResult> {
  if (from === to) throw new UserError(`cannot promote ${from} to itself`, undefined, 'name two environments: --from staging --to production');
  const source = environmentOf(project, from);
  const target = environmentOf(project, to);
  const status = await environmentStatus(docker, project, source, ports.credentials);
  if (!status.current) throw new UserError(`nothing is deployed to ${from}, so there is nothing to promote`, undefined, `deploy to ${from} first: modeldeploy deploy --env ${from}`);
  return release(docker, project, target, status.current, ports, { action: 'promote', from, signal });
}
