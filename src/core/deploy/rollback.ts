import type Docker from 'dockerode';
import { CancelledError, UserError } from '../errors';
import type { EnvironmentConfig, ProjectConfig } from '../project/projectConfig';
import { abortTrial } from './abortTrial';
import { withEnvironmentLock } from './deployLock';
import { holdsProjectModel, type ImageIdentity } from './imageIdentity';
import { environmentOf } from './environments';
import { environmentStatus, localImage, statusTrial } from './environmentState';
import { environmentHistory, type HistoryView } from './history';
import { appendHistory, currentUser } from './historyLog';
import { localEnvironmentState, swapLocal } from './localEnvironment';
import { describeTrial, runningTrial, servingBeside, trialMarker, type RunningTrial } from './localTrial';
import type { DeployPorts } from './ports';
import { environmentRegistry, moveChannel, pullImage } from './registryEnvironment';
import type { ReleaseResult } from './release';
import { tagLocal } from './release';
import { smokeTest } from './smokeTest';

/**
 * The entry `--to` names (a version, a digest or its first characters), or the one before what runs now.
 * A trial's start is no target: that version never served every request.
 */
function rollbackTarget(history: HistoryView[], currentDigest: string | undefined, to: string | undefined): HistoryView | undefined {
  const served = history.filter((e) => !(e.action === 'deploy' && (e.canary !== undefined || e.shadow)));
  if (to) {
    const digest = to.startsWith('sha256:') ? to : `sha256:${to}`;
    return served.find((e) => e.version === to || e.digest === to || (to.length >= 7 && e.digest.startsWith(digest)));
  }
  return served.find((e) => e.digest !== currentDigest);
}

/**
 * Moves an environment back to an earlier image from its history, without a rebuild: the registry's
 * channel tag is put back on that digest, or the local router switched (blue-green, smoke-tested). While
 * a canary or a shadow runs, a rollback aborts it: every request goes to the current version alone again.
 */
export async function rollback(docker: Docker, project: ProjectConfig, environmentName: string | undefined, to: string | undefined, ports: DeployPorts, signal?: AbortSignal): Promise<ReleaseResult> {
  const environment = environmentOf(project, environmentName);
  return withEnvironmentLock(project, environment.name, 'rollback', async () => {
    const [status, history] = await Promise.all([environmentStatus(docker, project, environment, ports.credentials), environmentHistory(docker, project, environment.name, ports.credentials)]);
    const trial = statusTrial(status);
    if (trial && status.current) return rollBackTrial(docker, project, environment, { current: status.current, trial }, to, ports, signal);
    const target = rollbackTarget(history, status.current?.digest, to);
    if (!target) {
      throw new UserError(to ? `${environment.name}'s history has no version or digest "${to}"` : `${environment.name} has no earlier version to roll back to`, undefined, `see them with: modeldeploy history --env ${environment.name}`);
    }
    if (environment.approval === 'required' && !(await ports.approve({ environment: environment.name, version: target.version, digest: target.digest, action: 'rollback' }))) {
      throw new UserError(`rollback of ${environment.name} to ${target.version} was not approved`, undefined, `${environment.name} keeps ${status.current?.version ?? 'serving nothing'}`);
    }
    if (signal?.aborted) throw new CancelledError();
    const when = new Date();
    const result: ReleaseResult = { environment: environment.name, version: target.version, digest: target.digest, image: target.image, changed: true };
    let switched: { image: string; retire: () => Promise<void> } | undefined;
    if (environment.run || !environment.registry) {
      const ref = environment.registry ? await pullImage(docker, target.image, ports.credentials, signal) : target.digest;
      const image = await localImage(docker, ref);
      if (!image) throw new UserError(`the image of ${target.version} (${target.digest.slice(0, 19)}) is no longer in the Docker engine`, undefined, 'roll back to another entry (--to), or build and deploy that version again');
      const sameModel = await holdsProjectModel(image, project);
      const swap = await swapLocal(docker, project, environment, image.imageId, target.version, { check: async (url) => void (await smokeTest(project, url, { sameModel, signal })), signal, progress: ports.progress });
      Object.assign(result, { url: swap.url, swapMs: swap.swapMs });
      switched = { image: image.imageId, retire: swap.retire };
    }
    if (environment.registry) await moveChannel(environmentRegistry(project, environment, ports.credentials), environment.name, target.digest, when);
    else result.image = `${project.name}:${target.version}`;
    await appendHistory(project, { time: when.toISOString(), environment: environment.name, action: 'rollback', version: target.version, digest: target.digest, image: result.image, who: currentUser(), ...(result.url ? { url: result.url } : {}), ...(status.current ? { from: status.current.digest } : {}), ...(target.metrics ? { metrics: target.metrics } : {}) });
    // The switch is recorded at once; then the local tags, then the old version drains and goes.
    if (switched) {
      await tagLocal(docker, project, environment.name, switched.image, when);
      await switched.retire();
    }
    return result;
  });
}

/** A rollback while a trial runs: the canary or shadow is aborted, and only that (`--to` is refused until it is). */
async function rollBackTrial(docker: Docker, project: ProjectConfig, environment: EnvironmentConfig, running: { current: ImageIdentity; trial: RunningTrial }, to: string | undefined, ports: DeployPorts, signal?: AbortSignal): Promise<ReleaseResult> {
  const { current, trial } = running;
  if (to) throw new UserError(`${describeTrial(trial)} runs in ${environment.name}, so it is rolled back first`, undefined, `roll it back with: modeldeploy rollback --env ${environment.name}; then roll back --to ${to}`);
  if (environment.approval === 'required' && !(await ports.approve({ environment: environment.name, version: current.version, digest: current.digest, action: 'rollback', ...trialMarker(trial) }))) {
    throw new UserError(`rollback of the ${trial.kind} ${trial.version} in ${environment.name} was not approved`, undefined, servingBeside(environment.name, current.version, trial));
  }
  if (signal?.aborted) throw new CancelledError();
  const state = await localEnvironmentState(docker, project, environment);
  if (!state.active || runningTrial(state)?.version !== trial.version) throw new UserError(`the ${trial.kind} of ${environment.name} changed while the rollback read it`, undefined, 'run the rollback again');
  ports.progress(`sending every request of ${environment.name} to ${current.version} alone again; removing the ${trial.kind} ${trial.version}`);
  return abortTrial(docker, project, environment, { ...state, active: state.active });
}
