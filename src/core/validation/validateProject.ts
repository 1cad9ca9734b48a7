import { UserError } from '../errors';
import type { ProjectConfig } from '../project/projectConfig';
import { runInWorker, type WorkerOptions } from '../worker/runInWorker';
import { writeMetrics } from './metricsStore';
import type { ValidationProgress, ValidationReport } from './validationReport';

/** Validates the project on a worker thread and stores the report; returns it with where it was written. */
export async function validateProject(project: ProjectConfig, options: WorkerOptions<ValidationProgress> = {}): Promise<ValidationReport & { file: string }> {
  if (!project.validation) {
    throw new UserError(
      project.task === 'raw' ? 'a raw project has no metrics to compute' : 'the project has no validation set',
      { file: project.configFile, field: 'validation' },
      project.task === 'raw' ? 'set task to classification or regression' : 'add a "validation:" section with data and target to modeldeploy.yaml',
    );
  }
  const report = await runInWorker('validate', { project }, options);
  const file = await writeMetrics(project, report);
  return { ...report, file };
}
