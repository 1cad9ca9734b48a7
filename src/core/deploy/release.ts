import type Docker from 'dockerode';
import { randomBytes } from 'node:crypto';
import { hardenedSpec, startContainer } from '../container/runContainer';
import { CancelledError, UserError } from '../errors';
import { LABEL } from '../packaging/imageLabels';
import { CONTAINER_PORT } from '../packaging/runtimeMetadata';
import type { EnvironmentConfig, ProjectConfig } from '../project/projectConfig';
import { RegistryClient } from '../registry/registryClient';
import { withEnvironmentLock } from './deployLock';
import { decideCanary } from './decideCanary';
import type { MetricsDiff } from './diffTypes';
import { ensureLocal, environmentStatus, statusTrial, type EnvironmentStatus } from './environmentState';
import { GateBlockedError } from './gateBlockedError';
import { checkGates } from './gates';
import { appendHistory, currentUser, readHistory, type HistoryEntry } from './historyLog';
import { holdsProjectModel, type ImageIdentity } from './imageIdentity';
import { removeAbandonedModelReaders } from './imageModel';
import { nothingDeployedError, startLocalTrial, trialRunsError, type TrialPlacement } from './localTrial';
import { environmentPrefix, retireLeftovers, swapLocal, type SwapResult } from './localEnvironment';
import { metricsDiff } from './metricsDiff';
import type { DeployPorts } from './ports';
import { environmentRegistry, historyTag, moveChannel, pushVersion } from './registryEnvironment';
import { shadowCompare } from './shadowCompare';
import { smokeTest, type SmokeResult } from './smokeTest';
import { trialOutcome, type CanaryOutcome, type ShadowOutcome } from './trialOutcome';

export interface ReleaseResult {
  environment: string;
  version: string;
  digest: string;
  /** `<registry>/<name>:<version>`, or the local tag. */
  image: string;
  /** The environment's stable loopback URL, when it serves on this machine. */
  url?: string;
  /** False when the environment already ran this image: nothing changed. */
  changed: boolean;
  diff?: MetricsDiff;
  smoke?: SmokeResult;
  /** From starting the new version to the environment's URL serving it (local environments). */
  swapMs?: number;
  /** A change to a canary: started, promoted or aborted. */
  canary?: CanaryOutcome;
  /** A change to a shadow: started, promoted or aborted. */
  shadow?: ShadowOutcome;
}

export interface ReleaseOptions {
  action: 'deploy' | 'promote';
  /** promote: the environment the image comes from. */
  from?: string;
  /** deploy: start the candidate as a canary with this percentage of the requests, beside the current version. */
  canary?: number;
  /** With `canary`: watch it over the configured window, and roll it back on a regression. */
  analyze?: boolean;
  /** deploy: start the candidate as a shadow beside the current version: it gets a copy of each inference request, the current version answers. */
  shadow?: boolean;
  signal?: AbortSignal;
}

/**
 * Puts an image into an environment, the one path of deploy and promote: diff against what runs there,
 * gates (blocking production, warning elsewhere), approval, a smoke prediction on the new version, then
 * the switch (local router, or registry push and channel tag), or with `canary` a share of the requests
 * beside the current version, or with `shadow` a copy of each request. Every step before the switch leaves
 * the environment as it was; one change per environment at a time, and none while a trial runs there.
 */
export function release(docker: Docker, project: ProjectConfig, environment: EnvironmentConfig, candidate: ImageIdentity, ports: DeployPorts, options: ReleaseOptions): Promise<ReleaseResult> {
  const { canary: share } = options;
  const trialKind = share !== undefined ? 'canary' : options.shadow ? 'shadow' : undefined;
  return withEnvironmentLock(project, environment.name, options.action, async () => {
    const { signal } = options;
    await removeAbandonedModelReaders(docker);
    const status = await environmentStatus(docker, project, environment, ports.credentials);
    const running = statusTrial(status);
    if (running) throw trialRunsError(environment.name, running);
    const deployed = status.current;
    if (trialKind) {
      if (!deployed || !status.serving) throw nothingDeployedError(environment.name, trialKind);
      if (deployed.imageId === candidate.imageId) throw new UserError(`${environment.name} runs ${candidate.version} already, so a ${trialKind} of it would be compared with itself`, undefined, `a ${trialKind} is another version: change the model or its version, then build it`);
    }
    if (deployed && deployed.imageId === candidate.imageId && status.serving !== false) {
      ports.progress(`${environment.name} already runs ${candidate.version} (${deployed.digest.slice(0, 19)}): nothing to change`);
      await settleInterruptedSwitch(docker, project, environment, { ...status, current: deployed }, ports);
      return { environment: environment.name, version: candidate.version, digest: deployed.digest, image: status.current?.image ?? candidate.image, url: status.url, changed: false };
    }
    const diff = await metricsDiff(docker, project, environment, candidate, deployed, { ensureLocal: ensureLocal(docker, ports.credentials, signal), signal, progress: ports.progress });
    checkVerdict(diff, ports);
    if (environment.approval === 'required' && !(await ports.approve({ environment: environment.name, version: candidate.version, digest: candidate.digest, action: options.action, diff, canary: share, ...(options.shadow ? { shadow: true } : {}) }))) {
      throw new UserError(`${options.action} of ${candidate.version} to ${environment.name} was not approved`, undefined, `${environment.name} keeps ${deployed?.version ?? 'serving nothing'}`);
    }
    if (signal?.aborted) throw new CancelledError();
    const sameModel = await holdsProjectModel(candidate, project);
    let smoke: SmokeResult | undefined;
    // The smoke prediction, then the latency gate on what it measured: both before anything switches.
    const check = async (url: string) => {
      smoke = await smokeTest(project, url, { sameModel, signal });
      const latencyGate = project.gates.latency_p95_ms;
      if (!latencyGate) return;
      const checks = checkGates({ latency_p95_ms: latencyGate }, { latency_p95_ms: smoke.latencyP95Ms }, undefined);
      const row = diff.rows.find((r) => r.name === 'latency_p95_ms');
      if (row) Object.assign(row, { candidate: smoke.latencyP95Ms, checks, verdict: checks.some((c) => c.verdict === 'fail') ? 'fail' : 'pass' });
      const failures = checks.filter((c) => c.verdict === 'fail').map((c) => c.reason);
      if (failures.length) {
        diff.gates = { ...diff.gates, passed: false, failures: [...diff.gates.failures, ...failures] };
        checkVerdict(diff, ports);
      }
    };
    const when = new Date();
    const result: ReleaseResult = { environment: environment.name, version: candidate.version, digest: candidate.digest, image: candidate.image, changed: true, diff };
    // A registry environment copies an image from another registry registry-to-registry; one that also
    // serves here (a local environment, or `run:`) needs it in the engine.
    const servesHere = !environment.registry || environment.run !== undefined;
    const localRef = candidate.localRef ?? (servesHere ? await ensureLocal(docker, ports.credentials, signal)(candidate) : undefined);
    let switched: SwapResult | undefined;
    const switchHere = async () => {
      if (trialKind) {
        const placement: TrialPlacement = share !== undefined ? { kind: 'canary', share } : { kind: 'shadow', compare: await shadowCompare(project) };
        const started = await startLocalTrial(docker, project, environment, localRef!, candidate.version, placement, { check, signal, progress: ports.progress });
        Object.assign(result, { url: started.url, swapMs: started.swapMs }, trialOutcome({ kind: placement.kind, version: candidate.version, share }, started.beside, 'running'));
        return;
      }
      switched = await swapLocal(docker, project, environment, localRef!, candidate.version, { check, signal, progress: ports.progress });
      Object.assign(result, { url: switched.url, swapMs: switched.swapMs });
    };
    if (environment.registry) {
      if (localRef && !servesHere) await smokeInScratchContainer(docker, project, environment, localRef, check, { signal, progress: ports.progress, version: candidate.version });
      const registry = environmentRegistry(project, environment, ports.credentials);
      result.digest = localRef
        ? (await pushVersion(docker, registry, { ...candidate, localRef }, ports.credentials, { signal, progress: ports.progress, platform: project.image.platform })).digest
        : await registry.client.copyImage({ client: new RegistryClient(hostOf(candidate.image), { credentials: ports.credentials }), repository: repositoryOf(candidate.image), reference: candidate.digest }, registry.target.repository, candidate.version);
      result.image = `${registry.target.host}/${registry.target.repository}:${candidate.version}`;
      if (signal?.aborted) throw new CancelledError();
      // The copy on this machine switches after the push is verified and before the channel tag moves.
      if (servesHere) await switchHere();
      await moveChannel(registry, environment.name, result.digest, when);
    } else {
      await switchHere();
      result.image = `${project.name}:${candidate.version}`;
    }
    result.smoke = smoke;
    await appendHistory(project, historyEntry(result, options, when));
    // The switch is recorded at once (a process killed from here on leaves a history that says what
    // serves); then the local tags, then the old version drains and goes.
    if (switched) {
      await tagLocal(docker, project, environment.name, localRef!, when);
      await switched.retire();
    }
    if (result.canary && options.analyze) {
      const { analysis, aborted } = await decideCanary(docker, project, environment, { signal, progress: ports.progress });
      result.canary = { ...result.canary, analysis, state: aborted ? 'aborted' : 'running' };
    }
    return result;
  });
}

/**
 * The environment already runs the candidate here. A deploy killed right after its switch may have left
 * the version it replaced running, and (killed before its next step) a switch the history does not
 * record: both are put right, under the lock.
 */
async function settleInterruptedSwitch(docker: Docker, project: ProjectConfig, environment: EnvironmentConfig, status: EnvironmentStatus & { current: ImageIdentity }, ports: DeployPorts): Promise<void> {
  if (environment.registry && !environment.run) return;
  await retireLeftovers(docker, project, environment);
  // A registry environment's history is its history tags; a local one's is the audit trail.
  if (environment.registry) return;
  const [latest] = await readHistory(project, environment.name);
  if (latest?.digest === status.current.digest) return;
  const { version, digest } = status.current;
  ports.progress(`recording ${version} in the history: an interrupted change switched ${environment.name} to it`);
  await appendHistory(project, { time: new Date().toISOString(), environment: environment.name, action: 'deploy', version, digest, image: `${project.name}:${version}`, who: currentUser(), ...(status.url ? { url: status.url } : {}) });
}

function checkVerdict(diff: MetricsDiff, ports: DeployPorts): void {
  if (diff.gates.passed) return;
  if (diff.gates.blocking) throw new GateBlockedError(diff);
  ports.progress(`warning: gates fail (${diff.gates.failures.join('; ')}); ${diff.environment} goes on, production would be blocked`);
}

/** `host/repo/sub@sha256:...` -> `host`. */
function hostOf(image: string): string {
  return image.split('/')[0];
}

/** `host/repo/sub@sha256:...` -> `repo/sub`. */
function repositoryOf(image: string): string {
  return image.split('@')[0].split('/').slice(1).join('/');
}

/**
 * Before a push, the new version answers its smoke prediction in a container of its own (hardened,
 * loopback only), removed afterwards (or by the next deploy, when this one was killed): what reaches the
 * registry has been seen to work.
 */
async function smokeInScratchContainer(docker: Docker, project: ProjectConfig, environment: EnvironmentConfig, image: string, check: (url: string) => Promise<void>, options: { signal?: AbortSignal; progress: (message: string) => void; version: string }): Promise<void> {
  const prefix = `${environmentPrefix(project, environment.name)}-smoke-`;
  // One left by a deploy that was killed before it could remove it: under the lock, no live deploy owns it.
  const leftovers = await docker.listContainers({ all: true, filters: { label: [`${LABEL.project}=${project.name}`, `${LABEL.role}=smoke`] } });
  for (const info of leftovers.filter((c) => c.Names.some((n) => n.startsWith(`/${prefix}`)))) await docker.getContainer(info.Id).remove({ force: true }).catch(() => undefined);
  const name = `${prefix}${randomBytes(3).toString('hex')}`;
  const started = await startContainer(docker, hardenedSpec({ name, image, labels: { [LABEL.managed]: 'true', [LABEL.project]: project.name, [LABEL.role]: 'smoke' }, publish: { [CONTAINER_PORT]: undefined } }), { signal: options.signal });
  try {
    options.progress(`smoke prediction on ${options.version} in a scratch container`);
    await check(started.url);
  } finally {
    await docker.getContainer(started.id).remove({ force: true }).catch(() => undefined);
  }
}

/** A local environment keeps each image it ran under `<name>:<environment>-<time>`, so rollback finds it. */
export async function tagLocal(docker: Docker, project: Pick<ProjectConfig, 'name'>, environment: string, image: string, when: Date): Promise<void> {
  await docker.getImage(image).tag({ repo: project.name, tag: environment });
  await docker.getImage(image).tag({ repo: project.name, tag: historyTag(environment, when) });
}

function historyEntry(result: ReleaseResult, options: ReleaseOptions, when: Date): HistoryEntry {
  const checks = result.diff?.rows.flatMap((row) => row.checks) ?? [];
  const metrics = result.diff && Object.fromEntries(result.diff.rows.filter((r) => r.candidate !== undefined).map((r) => [r.name, r.candidate!]));
  return {
    time: when.toISOString(),
    environment: result.environment,
    action: options.action,
    version: result.version,
    digest: result.digest,
    image: result.image,
    who: currentUser(),
    ...(result.url ? { url: result.url } : {}),
    ...(options.from ? { from: options.from } : {}),
    ...(metrics ? { metrics } : {}),
    gates: checks.map(({ metric, rule, verdict, reason }) => ({ metric, rule, verdict, reason })),
    ...(options.canary !== undefined ? { canary: options.canary } : {}),
    ...(options.shadow ? { shadow: true } : {}),
  };
}
