import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { ProjectConfig } from '../project/projectConfig';
import type { ValidationReport } from './validationReport';

/** Where a project keeps what the tool produces (metrics, history); a team may commit it. */
export function stateDir(project: Pick<ProjectConfig, 'dir'>): string {
  return path.join(project.dir, '.modeldeploy');
}

export function metricsFile(project: Pick<ProjectConfig, 'dir'>, version: string): string {
  return path.join(stateDir(project), 'metrics', `${version}.json`);
}

/** Writes atomically (temp file + rename) so a reader never sees half a report. */
export async function writeMetrics(project: ProjectConfig, report: ValidationReport): Promise<string> {
  const file = metricsFile(project, report.version);
  await fs.mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temp, `${JSON.stringify(report, null, 2)}\n`);
  await fs.rename(temp, file);
  return file;
}

/** The stored report for a version, or undefined when there is none or it cannot be read. */
export async function readMetrics(project: Pick<ProjectConfig, 'dir'>, version: string): Promise<ValidationReport | undefined> {
  try {
    return JSON.parse(await fs.readFile(metricsFile(project, version), 'utf8')) as ValidationReport;
  } catch {
    return undefined;
  }
}
