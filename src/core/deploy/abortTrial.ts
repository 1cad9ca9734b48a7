import type Docker from 'dockerode';
import type { EnvironmentConfig, ProjectConfig } from '../project/projectConfig';
import { appendHistory, currentUser } from './historyLog';
import { labelMetrics } from './imageIdentity';
import type { LocalEnvironmentState, LocalVersion } from './localEnvironment';
import { abortLocalTrial, runningTrial, trialMarker } from './localTrial';
import type { ReleaseResult } from './release';
import { trialOutcome } from './trialOutcome';

/**
 * Aborts the environment's trial (canary or shadow): every request goes to the current version alone
 * again, the change is recorded as a rollback (to the current version, from the trial's digest), then the
 * trial's version finishes the requests it was given and is removed. The caller holds the environment's lock.
 */
export async function abortTrial(docker: Docker, project: ProjectConfig, environment: EnvironmentConfig, state: LocalEnvironmentState & { active: LocalVersion }): Promise<ReleaseResult> {
  const { active } = state;
  const running = runningTrial(state)!;
  const trial = state[running.kind]!;
  const when = new Date();
  const retire = await abortLocalTrial(docker, project, environment.name, state, running.kind);
  const image = `${project.name}:${active.version}`;
  const metrics = labelMetrics(active.labels);
  await appendHistory(project, { time: when.toISOString(), environment: environment.name, action: 'rollback', version: active.version, digest: active.image, image, who: currentUser(), url: state.url, from: trial.image, ...trialMarker(running), ...(metrics ? { metrics } : {}) });
  await retire();
  return { environment: environment.name, version: active.version, digest: active.image, image, url: state.url, changed: true, ...trialOutcome(running, active.version, 'aborted') };
}
