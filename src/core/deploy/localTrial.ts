import type Docker from 'dockerode';
import { UserError } from '../errors';
import type { EnvironmentConfig, ProjectConfig } from '../project/projectConfig';
import { localEnvironmentState, retireOthers, startBeside, upstreamOf, type LocalEnvironmentState, type LocalVersion } from './localEnvironment';
import type { RouterAdmin, ShadowCompare } from './routerAdmin';

type Project = Pick<ProjectConfig, 'name' | 'dir' | 'version'>;

/**
 * A trial release runs a candidate beside the version an environment serves, behind its router, until it
 * is promoted or rolled back: a canary gets a share of the requests; a shadow gets a copy of each one,
 * and only the served version's answer reaches the client.
 */
export type TrialKind = 'canary' | 'shadow';

/** How a deploy places its candidate: a share of the requests, or a mirror of them compared with the served answers. */
export type TrialPlacement = { kind: 'canary'; share: number } | { kind: 'shadow'; compare: ShadowCompare };

/** A trial that runs now, as refusals and approvals name it. */
export interface RunningTrial {
  kind: TrialKind;
  version: string;
  /** A canary's percentage of the requests. */
  share?: number;
}

/** A local environment with a version behind a running router that can carry a trial. */
export interface TrialBase {
  admin: RouterAdmin;
  active: LocalVersion;
  url: string;
}

/** The trial of a local environment's state, if one runs. */
export function runningTrial(state: Pick<LocalEnvironmentState, 'canary' | 'shadow'>): (RunningTrial & { container: string }) | undefined {
  if (state.canary) return { kind: 'canary', version: state.canary.version, share: state.canary.weight, container: state.canary.container };
  if (state.shadow) return { kind: 'shadow', version: state.shadow.version, container: state.shadow.container };
  return undefined;
}

/** How the trial is described in messages: "a canary of 2.0.0 ... with 10 % of the requests", "a shadow of 2.0.0". */
export function describeTrial(trial: RunningTrial): string {
  return trial.kind === 'canary' ? `a canary of ${trial.version}` : `a shadow of ${trial.version}`;
}

/** What an environment keeps serving when a change to its trial is not made: for the refusal's hint. */
export function servingBeside(environment: string, active: string, trial: RunningTrial): string {
  const keeps = trial.kind === 'canary' ? `${active} with ${100 - trial.share!} % of the requests and the canary with ${trial.share} %` : `${active} answering every request, with the shadow ${trial.version} beside it`;
  return `${environment} keeps ${keeps}`;
}

/** The trial's marker in approvals and history entries: a canary's share, or `shadow: true`. */
export function trialMarker(trial: RunningTrial): { canary: number } | { shadow: true } {
  return trial.kind === 'canary' ? { canary: trial.share! } : { shadow: true };
}

/** The refusal of a change while a trial runs: it must be decided first. */
export function trialRunsError(environment: string, trial: RunningTrial): UserError {
  const share = trial.kind === 'canary' ? ` with ${trial.share} % of the requests` : ', receiving a copy of every request';
  return new UserError(`${describeTrial(trial)} runs in ${environment}${share}`, undefined, `promote it (modeldeploy promote --${trial.kind} --env ${environment}) or roll it back (modeldeploy rollback --env ${environment}) first`);
}

/** The refusal of a trial where nothing is served to run it beside. */
export function nothingDeployedError(environment: string, kind: TrialKind): UserError {
  return new UserError(`nothing is deployed to ${environment}, so a ${kind} has nothing to run beside`, undefined, `deploy a version first: modeldeploy deploy --env ${environment}`);
}

/**
 * Checks a deploy's trial options before the engine is asked anything: a share from 1 to 99 percent, one
 * kind of trial, an environment served by a router on this machine, and an analysis only of a canary.
 */
export function checkTrialRequest(environment: EnvironmentConfig, options: { canary?: number; shadow?: boolean; analyze?: boolean }): void {
  const share = options.canary;
  if (share !== undefined && options.shadow) throw new UserError('a deploy starts a canary or a shadow, not both', undefined, 'choose one: --canary PERCENT (a share of the requests) or --shadow (a copy of each request)');
  if (options.analyze && share === undefined) throw new UserError('the analysis is of a canary, and this deploy starts none', undefined, `start one with it: modeldeploy deploy --env ${environment.name} --canary PERCENT --analyze`);
  if (share !== undefined) {
    if (!Number.isInteger(share) || share < 1 || share > 99) throw new UserError(`a canary's share is a whole number from 1 to 99 (percent of the requests), not ${share}`);
    requireTrialEnvironment(environment, 'canary');
  }
  if (options.shadow) requireTrialEnvironment(environment, 'shadow');
}

/** Refuses a trial of an environment that is not served by a router on this machine alone. */
export function requireTrialEnvironment(environment: EnvironmentConfig, kind: TrialKind): void {
  if (!environment.registry) return;
  const what = kind === 'canary' ? 'splits' : 'mirrors';
  throw new UserError(
    `${environment.name} deploys to the registry ${environment.registry}, so it cannot run a ${kind}`,
    undefined,
    `a ${kind} needs a local environment, whose router ${what} the requests: use one without registry: in modeldeploy.yaml (staging and production by default)`,
  );
}

/** What a trial starts beside: the version a running router serves, on a router that has trials of this kind. Else a UserError that says what to do. */
export function trialBase(state: LocalEnvironmentState, environment: string, kind: TrialKind): TrialBase {
  const admin = state.router?.admin;
  if (!admin || !state.active) throw nothingDeployedError(environment, kind);
  if ((kind === 'canary' ? state.canaries : state.shadows) === false) {
    throw new UserError(
      `the router of ${environment} predates ${kind} releases`,
      undefined,
      `remove it (docker rm -f ${state.router!.id.slice(0, 12)}) and deploy again: the next deploy starts a router that has them`,
    );
  }
  const running = runningTrial(state);
  if (running) throw trialRunsError(environment, running);
  return { admin, active: state.active, url: state.url };
}

export interface StartedTrial {
  url: string;
  container: string;
  /** The version it runs beside. */
  beside: string;
  /** From starting the container to the router sending it requests. */
  swapMs: number;
}

/**
 * Starts `image` beside the version the environment serves, waits until it is ready and has passed
 * `check` (the smoke prediction), and only then gives it its share of the requests or their copies. Any
 * failure before that removes it: the environment keeps serving its version to every client.
 */
export async function startLocalTrial(
  docker: Docker,
  project: Project,
  environment: EnvironmentConfig,
  image: string,
  version: string,
  placement: TrialPlacement,
  options: { check: (url: string) => Promise<void>; signal?: AbortSignal; progress?: (message: string) => void },
): Promise<StartedTrial> {
  const started = performance.now();
  const before = await localEnvironmentState(docker, project, environment);
  const base = trialBase(before, environment.name, placement.kind);
  // What a killed trial start or abort left running unrouted goes first.
  await retireOthers(docker, project, environment.name, [base.active.container], base.admin);
  return startBeside(docker, project, environment, before, image, version, options, async ({ name, upstream }) => {
    if (placement.kind === 'canary') {
      options.progress?.(`sending ${placement.share} % of ${environment.name}'s requests to ${version}`);
      await base.admin.setCanary(upstream, placement.share);
    } else {
      options.progress?.(`mirroring ${environment.name}'s inference requests to ${version}; clients get ${base.active.version}'s answers`);
      await base.admin.setShadow(upstream, placement.compare);
    }
    return { url: base.url, container: name, beside: base.active.version, swapMs: performance.now() - started };
  });
}

/**
 * Promotes the trial's version: the router sends it every request from now on (which ends the canary or
 * the shadow). Resolves with `retire`, which lets the replaced version finish its requests and removes it
 * (the caller records the change first).
 */
export async function promoteLocalTrial(docker: Docker, project: Project, environment: string, state: LocalEnvironmentState, trial: LocalVersion): Promise<() => Promise<void>> {
  const admin = state.router!.admin!;
  await admin.switchTo(upstreamOf(trial.container));
  return () => retireOthers(docker, project, environment, [trial.container], admin);
}

/**
 * Aborts the trial: the router sends every request from now on to the active version alone. Resolves with
 * `retire`, which lets the trial's version finish its requests and removes it (the caller records the change first).
 */
export async function abortLocalTrial(docker: Docker, project: Project, environment: string, state: LocalEnvironmentState & { active: LocalVersion }, kind: TrialKind): Promise<() => Promise<void>> {
  const admin = state.router!.admin!;
  await (kind === 'canary' ? admin.clearCanary() : admin.clearShadow());
  return () => retireOthers(docker, project, environment, [state.active.container], admin);
}
