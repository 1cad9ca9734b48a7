import { readModelBytes, readModelInfo } from '../model/inspectModel';
import type { ProjectConfig } from '../project/projectConfig';
import type { ShadowCompare } from './routerAdmin';

/**
 * What the router compares in a shadow's answers: the output validation scores (`validation.output`, else
 * the model's first tensor output, as validation picks it), read as the project's task says.
 */
export async function shadowCompare(project: Pick<ProjectConfig, 'task' | 'model' | 'validation'>): Promise<ShadowCompare> {
  const named = project.validation?.output;
  if (named) return { output: named, task: project.task };
  const info = readModelInfo(project.model, await readModelBytes(project.model));
  const output = info.outputs.find((o) => o.isTensor)?.name;
  return { ...(output ? { output } : {}), task: project.task };
}
