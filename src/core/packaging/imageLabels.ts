import type { ModelInfo } from '../model/modelInfo';
import type { ProjectConfig } from '../project/projectConfig';
import type { ValidationReport } from '../validation/validationReport';

/** Our label keys. Everything the tool creates carries `managed`, so it can be listed and cleaned. */
export const LABEL = {
  managed: 'modeldeploy.managed',
  project: 'modeldeploy.project',
  /** On containers only: images may be pushed, and a local path says nothing to a registry. */
  projectDir: 'modeldeploy.project.dir',
  version: 'modeldeploy.version',
  modelSha256: 'modeldeploy.model.sha256',
  modelSignature: 'modeldeploy.model.signature',
  metrics: 'modeldeploy.metrics',
  dataSha256: 'modeldeploy.validation.data.sha256',
  dataRows: 'modeldeploy.validation.rows',
  runtimeVersion: 'modeldeploy.runtime.version',
  role: 'modeldeploy.role',
  /** On scratch containers: the process that made them, so one a killed process left can be removed. */
  owner: 'modeldeploy.owner',
} as const;

/** The role label of a project's image. */
export const MODEL_IMAGE_ROLE = 'model';

export interface SourceInfo {
  /** The git commit of the project folder, when it is in a repository. */
  revision?: string;
  /** The repository's remote URL, when it has one. */
  url?: string;
}

/** The model's inputs and outputs, compact: `{"inputs":{"x":"float32[batch,4]"},"outputs":{...}}`. */
export function modelSignature(info: Pick<ModelInfo, 'inputs' | 'outputs'>): string {
  const describe = (tensors: ModelInfo['inputs']) => Object.fromEntries(tensors.map((t) => [t.name, t.isTensor ? `${t.type}[${t.shape.join(',')}]` : t.type]));
  return JSON.stringify({ inputs: describe(info.inputs), outputs: describe(info.outputs) });
}

/**
 * The image's labels: the standard OCI keys, and ours with the model's identity and, when the stored
 * validation was made on this very model file, its metrics and data identity.
 */
export function imageLabels(project: ProjectConfig, model: ModelInfo, validation: ValidationReport | undefined, runtimeVersion: string, source: SourceInfo, created = new Date()): Record<string, string> {
  const labels: Record<string, string> = {
    'org.opencontainers.image.title': project.name,
    'org.opencontainers.image.version': project.version,
    'org.opencontainers.image.created': created.toISOString(),
    ...(source.revision ? { 'org.opencontainers.image.revision': source.revision } : {}),
    ...(source.url ? { 'org.opencontainers.image.source': source.url } : {}),
    [LABEL.managed]: 'true',
    // Set, not inherited: the runtime image it starts from says "runtime".
    [LABEL.role]: MODEL_IMAGE_ROLE,
    [LABEL.project]: project.name,
    [LABEL.version]: project.version,
    [LABEL.modelSha256]: model.sha256,
    [LABEL.modelSignature]: modelSignature(model),
    [LABEL.runtimeVersion]: runtimeVersion,
  };
  if (validation && validation.modelSha256 === model.sha256) {
    labels[LABEL.metrics] = JSON.stringify(validation.metrics);
    labels[LABEL.dataSha256] = validation.dataSha256;
    labels[LABEL.dataRows] = String(validation.rows);
  }
  return labels;
}
