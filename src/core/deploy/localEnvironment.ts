import { createHash, randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { hardenedSpec, startContainer, type StartedContainer } from '../container/runContainer';
import { reasonOf, statusOf } from '../engine/dockerEngine';
import { CancelledError, UserError } from '../errors';
import { containerHealthcheck } from '../packaging/healthProbe';
import { LABEL } from '../packaging/imageLabels';
import { CONTAINER_PORT, IMAGE_ROOT, ROUTER_STATE_DIR } from '../packaging/runtimeMetadata';
import type { EnvironmentConfig, ProjectConfig } from '../project/projectConfig';
import { RouterAdmin, ROUTER_ADMIN_PORT, type ShadowCompare } from './routerAdmin';

export const ENVIRONMENT_ROLE = 'environment';
export const ROUTER_ROLE = 'router';
const ENVIRONMENT_LABEL = 'modeldeploy.environment';

/** How long the old version gets to finish the requests it was given before it is stopped anyway. */
const DRAIN_TIMEOUT_MS = 30_000;

type Project = Pick<ProjectConfig, 'name' | 'dir' | 'version'>;

/** The names of an environment's engine objects: one per project folder and environment. */
export function environmentPrefix(project: Pick<ProjectConfig, 'name' | 'dir'>, environment: string): string {
  return `modeldeploy-${project.name}-${createHash('sha256').update(project.dir).digest('hex').slice(0, 8)}-${environment}`;
}

/**
 * The environment's stable loopback port: `run.port`, else one derived from the project folder and the
 * environment name, so it stays the same across deploys, rollbacks and router restarts.
 */
export function environmentPort(project: Pick<ProjectConfig, 'name' | 'dir'>, environment: EnvironmentConfig): number {
  if (environment.run?.port) return environment.run.port;
  return 20000 + (createHash('sha256').update(environmentPrefix(project, environment.name)).digest().readUInt32BE(0) % 10000);
}

function labels(project: Project, environment: string, role: string, version?: string): Record<string, string> {
  return { [LABEL.managed]: 'true', [LABEL.project]: project.name, [LABEL.projectDir]: project.dir, [LABEL.role]: role, [ENVIRONMENT_LABEL]: environment, ...(version ? { [LABEL.version]: version } : {}) };
}

/** A version container of a local environment, as its router names it. */
export interface LocalVersion {
  container: string;
  /** The engine's image id. */
  image: string;
  version: string;
  labels: Record<string, string>;
}

/** What a local environment serves now. */
export interface LocalEnvironmentState {
  url: string;
  router?: { id: string; running: boolean; admin?: RouterAdmin };
  active?: LocalVersion;
  /** A candidate served beside the active version with `weight` percent of the requests. */
  canary?: LocalVersion & { weight: number; since: string };
  /** A candidate that gets a copy of each inference request, its answers compared with the active version's. */
  shadow?: LocalVersion & { since: string; compare: ShadowCompare };
  /** False when the router predates canary releases (it does not report one either way). */
  canaries?: boolean;
  /** False when the router predates shadow releases. */
  shadows?: boolean;
}

async function containersOf(docker: Docker, project: Pick<ProjectConfig, 'dir'>, environment: string, role: string): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: [`${LABEL.managed}=true`, `${LABEL.projectDir}=${project.dir}`, `${ENVIRONMENT_LABEL}=${environment}`, `${LABEL.role}=${role}`] } });
}

/** The router's admin client, from the container's published admin port and its token. */
async function routerAdminOf(docker: Docker, id: string): Promise<RouterAdmin | undefined> {
  const info = await docker.getContainer(id).inspect();
  const port = info.NetworkSettings.Ports?.[`${ROUTER_ADMIN_PORT}/tcp`]?.[0]?.HostPort;
  const token = info.Config.Env?.find((e) => e.startsWith('MODELDEPLOY_ROUTER_TOKEN='))?.split('=')[1];
  return info.State.Running && port && token ? new RouterAdmin(`http://127.0.0.1:${port}`, token) : undefined;
}

/** Reads the environment's router, the version it routes to and the canary beside it. */
export async function localEnvironmentState(docker: Docker, project: Project, environment: EnvironmentConfig): Promise<LocalEnvironmentState> {
  const url = `http://127.0.0.1:${environmentPort(project, environment)}`;
  const [router] = await containersOf(docker, project, environment.name, ROUTER_ROLE);
  if (!router) return { url };
  const admin = await routerAdminOf(docker, router.Id);
  const published = router.Ports.find((p) => p.PrivatePort === CONTAINER_PORT && p.PublicPort)?.PublicPort;
  const state: LocalEnvironmentState = { url: published ? `http://127.0.0.1:${published}` : url, router: { id: router.Id, running: router.State === 'running', admin } };
  const upstream = admin ? await admin.upstream().catch(() => undefined) : undefined;
  if (!upstream) return state;
  state.canaries = upstream.canary !== undefined;
  state.shadows = upstream.shadow !== undefined;
  // A router that points at a container that is gone serves nothing there.
  state.active = upstream.url ? await versionAt(docker, upstream.url) : undefined;
  const canary = upstream.canary ? await versionAt(docker, upstream.canary.url) : undefined;
  if (canary && upstream.canary) state.canary = { ...canary, weight: upstream.canary.weight, since: upstream.canary.since };
  const shadow = upstream.shadow ? await versionAt(docker, upstream.shadow.url) : undefined;
  if (shadow && upstream.shadow) state.shadow = { ...shadow, since: upstream.shadow.since, compare: upstream.shadow.compare };
  return state;
}

/** The version container behind an upstream URL (`http://<container>:<port>`), if it is there. */
async function versionAt(docker: Docker, upstream: string): Promise<LocalVersion | undefined> {
  const name = new URL(upstream).hostname;
  try {
    const container = await docker.getContainer(name).inspect();
    const image = await docker.getImage(container.Image).inspect();
    const imageLabels = image.Config?.Labels ?? {};
    return { container: name, image: image.Id, version: imageLabels[LABEL.version] ?? '?', labels: imageLabels };
  } catch {
    return undefined;
  }
}

/** Where the router reaches a version container. */
export function upstreamOf(container: string): string {
  return `http://${container}:${CONTAINER_PORT}`;
}

/** Creates the environment's network unless it exists; true when this call created it. */
async function ensureNetwork(docker: Docker, name: string, project: Project, environment: string): Promise<boolean> {
  const existing = await docker.listNetworks({ filters: { name: [name] } });
  if (existing.some((n) => n.Name === name)) return false;
  try {
    await docker.createNetwork({ Name: name, Driver: 'bridge', Labels: labels(project, environment, 'network') });
    return true;
  } catch (error) {
    if (statusOf(error) === 409) return false;
    const reason = reasonOf(error);
    // Each network takes an address range from the engine's pools, and the default pools hold about 30.
    const hint = /address pool|non-overlapping/i.test(reason)
      ? 'the Docker engine has no address range left for another network (each local environment has one): remove the networks nothing uses with `docker network prune`, or give the engine more ranges with "default-address-pools" in its daemon.json'
      : undefined;
    throw new UserError(`cannot create the network ${name}: ${reason}`, undefined, hint);
  }
}

export interface SwapResult {
  url: string;
  container: string;
  previous?: string;
  /** From starting the new version to the environment's URL serving it. */
  swapMs: number;
  /**
   * Retires the versions the switch replaced (after their in-flight requests, which can take a while). The
   * caller records the switch first, so that a process killed while the old version drains leaves a
   * history that says what the environment serves; the next deploy retires what it left.
   */
  retire: () => Promise<void>;
}

/** A new version's container, started beside what serves and past its check. */
export interface StartedVersion {
  /** Its container name, which is also its host name on the environment's network. */
  name: string;
  /** Where the router reaches it. */
  upstream: string;
  network: string;
}

interface StartOptions {
  check: (url: string) => Promise<void>;
  signal?: AbortSignal;
  progress?: (message: string) => void;
}

/**
 * Starts `image` beside the version that serves now (`before`), waits until it is ready and has passed
 * `check` (the smoke prediction), then calls `serve` to put it in front of clients. Any failure up to and
 * including `serve` removes the new container and leaves the environment as it was.
 */
export async function startBeside<T>(docker: Docker, project: Project, environment: EnvironmentConfig, before: LocalEnvironmentState, image: string, version: string, options: StartOptions, serve: (started: StartedVersion) => Promise<T>): Promise<T> {
  const prefix = environmentPrefix(project, environment.name);
  const network = `${prefix}-net`;
  const createdNetwork = await ensureNetwork(docker, network, project, environment.name);
  const name = `${prefix}-${version.replace(/[^a-zA-Z0-9_.-]/g, '_')}-${randomBytes(3).toString('hex')}`;
  options.progress?.(`starting ${version} beside ${before.active ? before.active.version : 'nothing'} in ${environment.name}`);
  let candidate: StartedContainer | undefined;
  try {
    candidate = await startContainer(docker, hardenedSpec({ name, image, labels: labels(project, environment.name, ENVIRONMENT_ROLE, version), publish: { [CONTAINER_PORT]: undefined }, network }), { signal: options.signal });
    options.progress?.(`smoke prediction on ${version}`);
    await options.check(candidate.url);
    if (options.signal?.aborted) throw new CancelledError();
    // Healthy and checked, it is one of the environment's versions from now on: the engine brings it back
    // after a crash, a reboot or a daemon restart, as it does the router. Not before: a candidate that
    // fails at start must stay down for the deploy to see it fail.
    await docker.getContainer(candidate.id).update({ RestartPolicy: { Name: 'unless-stopped' } });
    return await serve({ name, upstream: upstreamOf(name), network });
  } catch (error) {
    if (candidate) await docker.getContainer(candidate.id).remove({ force: true }).catch(() => undefined);
    // A failed first deploy takes its network away too: each network holds one of the engine's few address ranges.
    if (createdNetwork) await docker.getNetwork(network).remove().catch(() => undefined);
    throw error;
  }
}

/**
 * Blue-green: starts `image` beside the version that serves now, waits until it is ready and has passed
 * `check` (the smoke prediction), and only then switches the environment's router to it; `retire` then
 * lets the old version finish its requests and removes it. Any failure before the switch removes the new
 * container and leaves the environment as it was.
 */
export async function swapLocal(docker: Docker, project: Project, environment: EnvironmentConfig, image: string, version: string, options: StartOptions): Promise<SwapResult> {
  const started = performance.now();
  const before = await localEnvironmentState(docker, project, environment);
  const { name, url } = await startBeside(docker, project, environment, before, image, version, options, async ({ name, upstream, network }) => {
    options.progress?.(`switching ${environment.name} to ${version}`);
    return { name, url: await routeTo(docker, project, environment, before, image, network, upstream) };
  });
  const swapMs = performance.now() - started;
  const previous = before.active?.container;
  return { url, container: name, previous, swapMs, retire: () => retireOthers(docker, project, environment.name, [name], before.router?.admin) };
}

/** Points the router at `upstream`, creating the router when the environment has none running. */
async function routeTo(docker: Docker, project: Project, environment: EnvironmentConfig, before: LocalEnvironmentState, image: string, network: string, upstream: string): Promise<string> {
  if (before.router?.admin) {
    await before.router.admin.switchTo(upstream);
    return before.url;
  }
  if (before.router) await docker.getContainer(before.router.id).remove({ force: true }).catch(() => undefined);
  const token = randomBytes(32).toString('hex');
  const port = environmentPort(project, environment);
  const routes = await freshRoutesVolume(docker, project, environment.name);
  // The router runs from the image being deployed: it carries the router next to the model server.
  const spec = hardenedSpec({
    name: `${environmentPrefix(project, environment.name)}-router`,
    image,
    labels: labels(project, environment.name, ROUTER_ROLE),
    publish: { [CONTAINER_PORT]: port, [ROUTER_ADMIN_PORT]: undefined },
    network,
    cmd: ['node', `${IMAGE_ROOT}/runtime/router.js`],
    env: [
      `MODELDEPLOY_ROUTER_TOKEN=${token}`,
      `MODELDEPLOY_UPSTREAM=${upstream}`,
      `MODELDEPLOY_ROUTER_ENVIRONMENT=${environment.name}`,
      `MODELDEPLOY_ROUTER_PORT=${CONTAINER_PORT}`,
      `MODELDEPLOY_ROUTER_ADMIN_PORT=${ROUTER_ADMIN_PORT}`,
      `MODELDEPLOY_ROUTER_ROUTES_FILE=${ROUTER_STATE_DIR}/routes.json`,
    ],
  });
  // Restarted by the engine after a crash, a reboot or a daemon restart, it routes as its saved routes say.
  spec.HostConfig = { ...spec.HostConfig, RestartPolicy: { Name: 'unless-stopped' }, Mounts: [{ Type: 'volume', Source: routes, Target: ROUTER_STATE_DIR }] };
  // The image's own check asks the traffic port, which the router forwards: it would judge a version
  // rather than the router, and its requests would take a share of a canary's. The router's asks its admin API.
  spec.Healthcheck = containerHealthcheck({ port: 'process.env.MODELDEPLOY_ROUTER_ADMIN_PORT', path: '/healthz', headers: "{authorization:'Bearer '+process.env.MODELDEPLOY_ROUTER_TOKEN}" });
  // The first exposed port is the traffic port; readiness is the admin API answering with the token.
  const started = await startContainer(docker, spec, { port, isReady: async () => (await routerAdminOf(docker, spec.name!).catch(() => undefined))?.healthy() ?? false });
  return started.url;
}

/** The volume of the environment's router's saved routes, emptied: a new router starts from the upstream it is created with. */
async function freshRoutesVolume(docker: Docker, project: Project, environment: string): Promise<string> {
  const name = routesVolumeOf(project, environment);
  await docker.getVolume(name).remove({ force: true }).catch((error: unknown) => {
    if (statusOf(error) !== 404) throw new UserError(`cannot empty the router's volume ${name}: ${reasonOf(error)}`);
  });
  await docker.createVolume({ Name: name, Labels: labels(project, environment, ROUTER_ROLE) });
  return name;
}

function routesVolumeOf(project: Project, environment: string): string {
  return `${environmentPrefix(project, environment)}-router-routes`;
}

/**
 * Removes the environment's version containers but those named in `keep`: the one replaced (after its
 * in-flight requests finish, then a graceful stop) and any left by an interrupted deploy.
 */
export async function retireOthers(docker: Docker, project: Project, environment: string, keep: string[], admin: RouterAdmin | undefined): Promise<void> {
  for (const info of await containersOf(docker, project, environment, ENVIRONMENT_ROLE)) {
    const name = info.Names[0]?.replace(/^\//, '');
    if (name && keep.includes(name)) continue;
    if (admin && info.State === 'running') await admin.waitDrained(upstreamOf(name ?? ''), DRAIN_TIMEOUT_MS).catch(() => undefined);
    const container = docker.getContainer(info.Id);
    if (info.State === 'running') await container.stop({ t: 10 }).catch(() => undefined);
    await container.remove({ force: true }).catch(() => undefined);
  }
}

/** Removes the environment's versions that its router does not route to (neither active nor canary nor shadow): what a killed change left. */
export async function retireLeftovers(docker: Docker, project: Project, environment: EnvironmentConfig): Promise<void> {
  const state = await localEnvironmentState(docker, project, environment);
  const trials = [state.canary, state.shadow].flatMap((trial) => (trial ? [trial.container] : []));
  if (state.active) await retireOthers(docker, project, environment.name, [state.active.container, ...trials], state.router?.admin);
}

/** Stops and removes everything of a local environment: its versions, its router and its network. */
export async function removeLocalEnvironment(docker: Docker, project: Project, environment: string): Promise<number> {
  const all = [...(await containersOf(docker, project, environment, ROUTER_ROLE)), ...(await containersOf(docker, project, environment, ENVIRONMENT_ROLE))];
  for (const info of all) await docker.getContainer(info.Id).remove({ force: true }).catch(() => undefined);
  await docker.getNetwork(`${environmentPrefix(project, environment)}-net`).remove().catch(() => undefined);
  await docker.getVolume(routesVolumeOf(project, environment)).remove({ force: true }).catch(() => undefined);
  return all.length;
}
