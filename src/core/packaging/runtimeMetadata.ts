import type { InputProfile } from '../drift/inputProfile';

/** The metadata file baked into the image's last layer and read by the runtime at start. */
export interface RuntimeMetadata {
  name?: string;
  version?: string;
  /** The model file, relative to the metadata file. */
  model?: string;
  labels?: string[];
  maxBodyBytes?: number;
  port?: number;
  batching?: { windowMs?: number; maxRows?: number; enabled?: boolean };
  /** The validated input's bins, from the project's validation: live rows are counted into them for input drift. */
  inputProfile?: InputProfile;
}

/** Where the runtime listens inside the container. */
export const CONTAINER_PORT = 8080;

/** Where the image keeps the runtime, the model and the metadata file. */
export const IMAGE_ROOT = '/opt/modeldeploy';

/**
 * A folder of the image owned by the runtime's user, where an environment's router mounts a volume for its
 * saved routes: an empty volume mounted there takes the folder's owner, so the non-root router can write it.
 */
export const ROUTER_STATE_DIR = `${IMAGE_ROOT}/router-state`;
