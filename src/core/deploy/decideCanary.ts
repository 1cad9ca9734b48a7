import type Docker from 'dockerode';
import { UserError } from '../errors';
import type { EnvironmentConfig, ProjectConfig } from '../project/projectConfig';
import { abortTrial } from './abortTrial';
import { analyzeCanary, type CanaryAnalysis } from './canaryAnalysis';
import { localEnvironmentState, upstreamOf } from './localEnvironment';

/**
 * `deploy --canary N --analyze`, once the canary serves its share: watches the live traffic for the
 * configured window and rolls the canary back when it regressed; otherwise leaves it running. The caller
 * holds the environment's lock, so nothing else changes the environment meanwhile.
 */
export async function decideCanary(docker: Docker, project: ProjectConfig, environment: EnvironmentConfig, options: { signal?: AbortSignal; progress: (message: string) => void }): Promise<{ analysis: CanaryAnalysis; aborted: boolean }> {
  const state = await localEnvironmentState(docker, project, environment);
  const { active, canary } = state;
  const admin = state.router?.admin;
  if (!active || !canary || !admin) throw new UserError(`the canary of ${environment.name} is no longer there to analyse`, undefined, `see what runs with: modeldeploy history --env ${environment.name}`);
  const analysis = await analyzeCanary(admin, { canary: { url: upstreamOf(canary.container), version: canary.version }, current: { url: upstreamOf(active.container), version: active.version } }, project.canary.analysis, options);
  if (analysis.verdict !== 'regression') return { analysis, aborted: false };
  options.progress(`the canary ${canary.version} regressed (${analysis.reasons.join('; ')}): rolling it back`);
  await abortTrial(docker, project, environment, { ...state, active });
  return { analysis, aborted: true };
}
