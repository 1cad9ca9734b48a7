import { sha256File } from '../fileHash';
import { LABEL } from '../packaging/imageLabels';
import type { ProjectConfig } from '../project/projectConfig';

/** An image as environments know it: its version, digest and where the engine or a registry has it. */
export interface ImageIdentity {
  version: string;
  /** A registry's manifest digest, or the engine's image id for environments without a registry. */
  digest: string;
  /** The engine's image id (the config blob's digest): the same image has it in the engine and in any registry. */
  imageId: string;
  /** A reference the local engine can use (a tag or an image id), once the image is there. */
  localRef?: string;
  /** Where it lives: `<registry>/<repo>:<version>` or the local tag. */
  image: string;
  labels: Record<string, string>;
}

/** The validation metrics an image carries in its labels, when it was validated before it was built. */
export function labelMetrics(labels: Record<string, string>): Record<string, number> | undefined {
  const text = labels[LABEL.metrics];
  if (!text) return undefined;
  try {
    return JSON.parse(text) as Record<string, number>;
  } catch {
    return undefined;
  }
}

/** Whether the image holds the project's own model file (by the sha256 in its labels). */
export async function holdsProjectModel(identity: Pick<ImageIdentity, 'labels'>, project: Pick<ProjectConfig, 'model'>): Promise<boolean> {
  const sha = identity.labels[LABEL.modelSha256];
  return sha !== undefined && sha === (await sha256File(project.model));
}
