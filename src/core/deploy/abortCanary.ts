import type Docker from 'dockerode';
import type { EnvironmentConfig, ProjectConfig } from '../project/projectConfig';
import { appendHistory, currentUser } from './historyLog';
import { labelMetrics } from './imageIdentity';
import { abortLocalCanary } from './localCanary';
import type { LocalEnvironmentState, LocalVersion } from './localEnvironment';
import type { ReleaseResult } from './release';

/**
 * Aborts the environment's canary: every request goes to the current version again, the change is
 * recorded as a rollback (to the current version, from the canary's digest), then the canary finishes
 * the requests it was given and is removed. The caller holds the environment's lock.
 */
export async function abortCanary(docker: Docker, project: ProjectConfig, environment: EnvironmentConfig, state: LocalEnvironmentState & { active: LocalVersion; canary: NonNullable<LocalEnvironmentState['canary']> }): Promise<ReleaseResult> {
  const { active, canary } = state;
  const when = new Date();
  const retire = await abortLocalCanary(docker, project, environment.name, state);
  const image = `${project.name}:${active.version}`;
  const metrics = labelMetrics(active.labels);
  await appendHistory(project, { time: when.toISOString(), environment: environment.name, action: 'rollback', version: active.version, digest: active.image, image, who: currentUser(), url: state.url, from: canary.image, canary: canary.weight, ...(metrics ? { metrics } : {}) });
  await retire();
  return { environment: environment.name, version: active.version, digest: active.image, image, url: state.url, changed: true, canary: { version: canary.version, share: canary.weight, beside: active.version, state: 'aborted' } };
}
