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
