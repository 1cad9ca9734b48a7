import type Docker from 'dockerode';
import { CancelledError, UserError } from '../errors';
import type { ProjectConfig } from '../project/projectConfig';
import { withEnvironmentLock } from './deployLock';
import { environmentOf } from './environments';
import { appendHistory, currentUser } from './historyLog';
import { labelMetrics } from './imageIdentity';
import { promoteLocalCanary, requireCanaryEnvironment } from './localCanary';
import { localEnvironmentState } from './localEnvironment';
import type { DeployPorts } from './ports';
import { tagLocal, type ReleaseResult } from './release';

/**
 * `promote --canary`: the environment's canary gets every request (it passed its smoke prediction, its
 * diff and gates when it started); the version it ran beside finishes its requests and is removed. The
 * environment's approval applies.
 */
export async function promoteCanary(docker: Docker, project: ProjectConfig, environmentName: string | undefined, ports: DeployPorts, signal?: AbortSignal): Promise<ReleaseResult> {
  const environment = environmentOf(project, environmentName);
  requireCanaryEnvironment(environment);
  return withEnvironmentLock(project, environment.name, 'promote', async () => {
    const state = await localEnvironmentState(docker, project, environment);
    const { active, canary } = state;
    if (!canary || !active) throw new UserError(`no canary runs in ${environment.name}, so there is none to promote`, undefined, `start one with: modeldeploy deploy --env ${environment.name} --canary PERCENT`);
    if (environment.approval === 'required' && !(await ports.approve({ environment: environment.name, version: canary.version, digest: canary.image, action: 'promote', canary: canary.weight }))) {
      throw new UserError(`promote of the canary ${canary.version} in ${environment.name} was not approved`, undefined, `${environment.name} keeps ${active.version} with ${100 - canary.weight} % of the requests and the canary with ${canary.weight} %`);
    }
    if (signal?.aborted) throw new CancelledError();
    const when = new Date();
    ports.progress(`sending every request of ${environment.name} to ${canary.version}`);
    const retire = await promoteLocalCanary(docker, project, environment.name, { ...state, canary });
    const image = `${project.name}:${canary.version}`;
    const metrics = labelMetrics(canary.labels);
    await appendHistory(project, { time: when.toISOString(), environment: environment.name, action: 'promote', version: canary.version, digest: canary.image, image, who: currentUser(), url: state.url, canary: canary.weight, ...(metrics ? { metrics } : {}) });
    // Recorded first; then the tags, then the old version drains and goes.
    await tagLocal(docker, project, environment.name, canary.image, when);
    await retire();
    return { environment: environment.name, version: canary.version, digest: canary.image, image, url: state.url, changed: true, canary: { version: canary.version, share: canary.weight, beside: active.version, state: 'promoted' } };
  });
}
