import type { OipInferenceRequest } from '../oip/oipTypes';
import type { ProjectConfig } from '../project/projectConfig';
import { runInWorker } from '../worker/runInWorker';
import { generateRequest, readRequestFile } from './requestFile';

/**
 * The request a test prediction sends: the given file, else the project's sample, else one made from
 * the model's inputs (inspected on the core worker thread).
 */
export async function projectRequest(project: Pick<ProjectConfig, 'sample' | 'model'>, file?: string, signal?: AbortSignal): Promise<OipInferenceRequest> {
  const chosen = file ?? project.sample;
  if (chosen) return readRequestFile(chosen);
  return generateRequest(await runInWorker('inspect', { file: project.model }, { signal }));
}
