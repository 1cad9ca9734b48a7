import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../errors';
import type { ProjectConfig } from '../project/projectConfig';
import { generateDockerfile, PROJECT_DOCKERFILE } from './dockerfile';

/**
 * Writes the generated Dockerfile into the project for the user to change; builds use it from then
 * on. Never overwrites one that is there unless asked.
 */
export function ejectDockerfile(project: Pick<ProjectConfig, 'dir'>, options: { force?: boolean } = {}): string {
  const file = path.join(project.dir, PROJECT_DOCKERFILE);
  if (fs.existsSync(file) && !options.force) throw new UserError('the project already has a Dockerfile', { file }, 'edit it, delete it to go back to the generated one, or eject with --force to overwrite it');
  fs.writeFileSync(file, generateDockerfile());
  return file;
}
