import type Docker from 'dockerode';
import { UserError } from '../errors';
import type { EnvironmentConfig, ProjectConfig } from '../project/projectConfig';
import { localEnvironmentState, retireOthers, startBeside, upstreamOf, type LocalEnvironmentState, type LocalVersion } from './localEnvironment';
import type { RouterAdmin } from './routerAdmin';

type Project = Pick<ProjectConfig, 'name' | 'dir' | 'version'>;

/** A local environment with a version behind a running router that can carry a canary. */
export interface CanaryBase {
  admin: RouterAdmin;
  active: LocalVersion;
  url: string;
}

/** The refusal of a change while a canary runs: it must be decided first. */
export function canaryRunsError(environment: string, canary: { version: string; share: number }): UserError {
  return new UserError(
    `a canary of ${canary.version} runs in ${environment} with ${canary.share} % of the requests`,
    undefined,
    `promote it (modeldeploy promote --canary --env ${environment}) or roll it back (modeldeploy rollback --env ${environment}) first`,
  );
}

/** The refusal of a canary where nothing is served to run it beside. */
export function nothingDeployedError(environment: string): UserError {
  return new UserError(`nothing is deployed to ${environment}, so a canary has nothing to run beside`, undefined, `deploy a version first: modeldeploy deploy --env ${environment}`);
}

/**
 * Checks a deploy's canary options before the engine is asked anything: a share from 1 to 99 percent, an
 * environment served by a router on this machine, and an analysis only of a canary.
 */
export function checkCanaryRequest(environment: EnvironmentConfig, options: { canary?: number; analyze?: boolean }): void {
  const share = options.canary;
  if (share === undefined) {
    if (options.analyze) throw new UserError('the analysis is of a canary, and this deploy starts none', undefined, `start one with it: modeldeploy deploy --env ${environment.name} --canary PERCENT --analyze`);
    return;
  }
  if (!Number.isInteger(share) || share < 1 || share > 99) throw new UserError(`a canary's share is a whole number from 1 to 99 (percent of the requests), not ${share}`);
  requireCanaryEnvironment(environment);
}

/** Refuses a canary of an environment that is not served by a router on this machine alone. */
export function requireCanaryEnvironment(environment: EnvironmentConfig): void {
  if (!environment.registry) return;
  throw new UserError(
    `${environment.name} deploys to the registry ${environment.registry}, so it cannot run a canary`,
    undefined,
    'a canary needs a local environment, whose router splits the requests: use one without registry: in modeldeploy.yaml (staging and production by default)',
  );
}

/** What a canary starts beside: the version a running router serves, on a router that has canaries. Else a UserError that says what to do. */
export function canaryBase(state: LocalEnvironmentState, environment: string): CanaryBase {
  const admin = state.router?.admin;
  if (!admin || !state.active) throw nothingDeployedError(environment);
  if (state.canaries === false) {
    throw new UserError(
      `the router of ${environment} predates canary releases`,
      undefined,
      `remove it (docker rm -f ${state.router!.id.slice(0, 12)}) and deploy again: the next deploy starts a router that has them`,
    );
  }
  if (state.canary) throw canaryRunsError(environment, { version: state.canary.version, share: state.canary.weight });
  return { admin, active: state.active, url: state.url };
}

export interface StartedCanary {
  url: string;
  container: string;
  /** The version it runs beside. */
  beside: string;
  /** From starting the container to the router sending it its share. */
  swapMs: number;
}

/**
 * Starts `image` beside the version the environment serves, waits until it is ready and has passed
 * `check` (the smoke prediction), and only then gives it `weight` percent of the requests. Any failure
 * before that removes it: the environment keeps serving its version to every client.
 */
export async function startLocalCanary(
  docker: Docker,
  project: Project,
  environment: EnvironmentConfig,
  image: string,
  version: string,
  weight: number,
  options: { check: (url: string) => Promise<void>; signal?: AbortSignal; progress?: (message: string) => void },
): Promise<StartedCanary> {
  const started = performance.now();
  const before = await localEnvironmentState(docker, project, environment);
  const base = canaryBase(before, environment.name);
  // What a killed canary start or abort left running unrouted goes first.
  await retireOthers(docker, project, environment.name, [base.active.container], base.admin);
  return startBeside(docker, project, environment, before, image, version, options, async ({ name, upstream }) => {
    options.progress?.(`sending ${weight} % of ${environment.name}'s requests to ${version}`);
    await base.admin.setCanary(upstream, weight);
    return { url: base.url, container: name, beside: base.active.version, swapMs: performance.now() - started };
  });
}

/**
 * Promotes the canary: the router sends it every request from now on. Resolves with `retire`, which lets
 * the replaced version finish its requests and removes it (the caller records the change first).
 */
export async function promoteLocalCanary(docker: Docker, project: Project, environment: string, state: LocalEnvironmentState & { canary: LocalVersion }): Promise<() => Promise<void>> {
  const admin = state.router!.admin!;
  await admin.switchTo(upstreamOf(state.canary.container));
  return () => retireOthers(docker, project, environment, [state.canary.container], admin);
}

/**
 * Aborts the canary: the router sends every request from now on to the active version. Resolves with
 * `retire`, which lets the canary finish its requests and removes it (the caller records the change first).
 */
export async function abortLocalCanary(docker: Docker, project: Project, environment: string, state: LocalEnvironmentState & { active: LocalVersion }): Promise<() => Promise<void>> {
  const admin = state.router!.admin!;
  await admin.clearCanary();
  return () => retireOthers(docker, project, environment, [state.active.container], admin);
}
