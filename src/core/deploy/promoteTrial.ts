import type Docker from 'dockerode';
import { CancelledError, UserError } from '../errors';
import type { ProjectConfig } from '../project/projectConfig';
import { withEnvironmentLock } from './deployLock';
import { environmentOf } from './environments';
import { appendHistory, currentUser } from './historyLog';
import { labelMetrics } from './imageIdentity';
import { localEnvironmentState } from './localEnvironment';
import { promoteLocalTrial, requireTrialEnvironment, runningTrial, servingBeside, trialMarker, type TrialKind } from './localTrial';
import type { DeployPorts } from './ports';
import { tagLocal, type ReleaseResult } from './release';
import { trialOutcome } from './trialOutcome';

/**
 * `promote --canary` or `promote --shadow`: the environment's trial version gets every request (it passed
 * its smoke prediction, its diff and gates when it started); the version it ran beside finishes its
 * requests and is removed. The environment's approval applies.
 */
export async function promoteTrial(docker: Docker, project: ProjectConfig, environmentName: string | undefined, kind: TrialKind, ports: DeployPorts, signal?: AbortSignal): Promise<ReleaseResult> {
  const environment = environmentOf(project, environmentName);
  requireTrialEnvironment(environment, kind);
  return withEnvironmentLock(project, environment.name, 'promote', async () => {
    const state = await localEnvironmentState(docker, project, environment);
    const { active } = state;
    const trial = state[kind];
    const running = runningTrial(state);
    if (!trial || !active || running?.kind !== kind) throw new UserError(`no ${kind} runs in ${environment.name}, so there is none to promote`, undefined, `start one with: modeldeploy deploy --env ${environment.name} ${kind === 'canary' ? '--canary PERCENT' : '--shadow'}`);
    const marker = trialMarker(running);
    if (environment.approval === 'required' && !(await ports.approve({ environment: environment.name, version: trial.version, digest: trial.image, action: 'promote', ...marker }))) {
      throw new UserError(`promote of the ${kind} ${trial.version} in ${environment.name} was not approved`, undefined, servingBeside(environment.name, active.version, running));
    }
    if (signal?.aborted) throw new CancelledError();
    const when = new Date();
    ports.progress(`sending every request of ${environment.name} to ${trial.version}`);
    const retire = await promoteLocalTrial(docker, project, environment.name, state, trial);
    const image = `${project.name}:${trial.version}`;
    const metrics = labelMetrics(trial.labels);
    await appendHistory(project, { time: when.toISOString(), environment: environment.name, action: 'promote', version: trial.version, digest: trial.image, image, who: currentUser(), url: state.url, ...marker, ...(metrics ? { metrics } : {}) });
    // Recorded first; then the tags, then the old version drains and goes.
    await tagLocal(docker, project, environment.name, trial.image, when);
    await retire();
    return { environment: environment.name, version: trial.version, digest: trial.image, image, url: state.url, changed: true, ...trialOutcome(running, active.version, 'promoted') };
  });
}
