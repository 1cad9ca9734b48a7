import { UserError } from '../errors';
import type { ProjectConfig } from '../project/projectConfig';
import { runInWorker, type WorkerOptions } from '../worker/runInWorker';
import { startReader } from './dataBatches';
import { writeMetrics } from './metricsStore';
import type { ValidationProgress, ValidationReport } from './validationReport';

/**
 * Validates the project on a worker thread and stores the report; returns it with where it was written.
 * The data reader thread is started here, beside that thread rather than from it, so both start at once.
 */
export async function validateProject(project: ProjectConfig, options: WorkerOptions<ValidationProgress> = {}): Promise<ValidationReport & { file: string }> {
  if (!project.validation) {
    throw new UserError(
      project.task === 'raw' ? 'a raw project has no metrics to compute' : 'the project has no validation set',
      { file: project.configFile, field: 'validation' },
      project.task === 'raw' ? 'set task to classification or regression' : 'add a "validation:" section with data and target to modeldeploy.yaml',
    );
  }
  const validation = project.validation;
  const reader = startReader({ file: validation.data, target: validation.target, features: validation.features, scale: validation.input.scale });
  let report: ValidationReport;
  try {
    report = await runInWorker('validate', { project, batches: reader.port }, { ...options, transfer: [reader.port] });
  } finally {
    void reader.stop();
  }
  const file = await writeMetrics(project, report);
  return { ...report, file };
}
