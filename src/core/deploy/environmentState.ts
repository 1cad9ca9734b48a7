import type Docker from 'dockerode';
import { LABEL } from '../packaging/imageLabels';
import type { EnvironmentConfig, ProjectConfig } from '../project/projectConfig';
import type { CredentialSource } from '../registry/credentials';
import type { ImageIdentity } from './imageIdentity';
import { localEnvironmentState } from './localEnvironment';
import type { RunningTrial } from './localTrial';
import { environmentRegistry, pullImage, registryImage } from './registryEnvironment';

/** What an environment runs now and where it answers. */
export interface EnvironmentStatus {
  name: string;
  kind: 'local' | 'registry';
  registry?: string;
  approval: EnvironmentConfig['approval'];
  /** The stable loopback URL of an environment served on this machine. */
  url?: string;
  current?: ImageIdentity;
  /** A local environment whose router is not running serves nothing, whatever it last ran. */
  serving?: boolean;
  /** A candidate served beside `current` with `share` percent of the requests (local environments). */
  canary?: CanaryStatus;
  /** A candidate that gets a copy of each inference request beside `current`, which alone answers (local environments). */
  shadow?: ShadowStatus;
}

/** A canary as an environment's status shows it: the image, its share of the requests, since when. */
export interface CanaryStatus extends ImageIdentity {
  /** Its percentage of the requests; `current` gets the rest. */
  share: number;
  /** When the router started sending it requests (ISO 8601). */
  since: string;
}

/** A shadow as an environment's status shows it: the image, since when it gets its copies. */
export interface ShadowStatus extends ImageIdentity {
  /** When the router started mirroring requests to it (ISO 8601). */
  since: string;
}

/** The trial an environment's status shows, if one runs. */
export function statusTrial(status: Pick<EnvironmentStatus, 'canary' | 'shadow'>): RunningTrial | undefined {
  if (status.canary) return { kind: 'canary', version: status.canary.version, share: status.canary.share };
  if (status.shadow) return { kind: 'shadow', version: status.shadow.version };
  return undefined;
}

/** An image of the local engine as environments know images (the engine's id is its digest). */
export async function localImage(docker: Docker, ref: string): Promise<ImageIdentity | undefined> {
  try {
    const info = await docker.getImage(ref).inspect();
    const labels = info.Config?.Labels ?? {};
    return { version: labels[LABEL.version] ?? '?', digest: info.Id, imageId: info.Id, localRef: info.Id, image: ref, labels };
  } catch {
    return undefined;
  }
}

/** Reads an environment: the registry's channel tag, or the local router's active version. */
export async function environmentStatus(docker: Docker, project: ProjectConfig, environment: EnvironmentConfig, credentials: CredentialSource): Promise<EnvironmentStatus> {
  const base = { name: environment.name, kind: environment.registry ? 'registry' : 'local', registry: environment.registry, approval: environment.approval } as const;
  if (environment.registry) {
    const current = await registryImage(environmentRegistry(project, environment, credentials), environment.name, project.image.platform);
    if (!environment.run) return { ...base, current };
    // Also served here: the registry says what is deployed, the router whether this machine serves it.
    const state = await localEnvironmentState(docker, project, environment);
    return { ...base, current, url: state.url, serving: Boolean(state.router?.running && state.active && state.active.image === current?.imageId) };
  }
  const state = await localEnvironmentState(docker, project, environment);
  const [current, canary, shadow] = await Promise.all([state.active, state.canary, state.shadow].map((version) => (version ? localImage(docker, version.image) : undefined)));
  const named = (image: ImageIdentity) => ({ ...image, image: `${project.name}:${image.version}` });
  return {
    ...base,
    url: state.url,
    current: current && named(current),
    serving: Boolean(state.router?.running && state.active),
    ...(canary && state.canary ? { canary: { ...named(canary), share: state.canary.weight, since: state.canary.since } } : {}),
    ...(shadow && state.shadow ? { shadow: { ...named(shadow), since: state.shadow.since } } : {}),
  };
}

/** Makes an image available in the local engine and gives the reference to use there. */
export function ensureLocal(docker: Docker, credentials: CredentialSource, signal?: AbortSignal) {
  return async (identity: ImageIdentity): Promise<string> => identity.localRef ?? pullImage(docker, identity.image, credentials, signal);
}
