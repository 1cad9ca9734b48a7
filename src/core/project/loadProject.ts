import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../errors';
import { checkProjectConfig } from './checkProjectConfig';
import { ConfigError } from './configProblem';
import { CONFIG_FILE_NAME, type ProjectConfig } from './projectConfig';

/** Reads and checks `<dir>/modeldeploy.yaml`; throws a ConfigError listing every error. */
export function loadProject(dir: string): ProjectConfig {
  const projectDir = path.resolve(dir);
  const configFile = path.join(projectDir, CONFIG_FILE_NAME);
  if (!fs.existsSync(configFile)) {
    throw new UserError(`no ${CONFIG_FILE_NAME} in ${projectDir}`, { file: projectDir }, 'run "modeldeploy init" or "Model Deploy: Initialize Project" to create one, or pass --project DIR');
  }
  const check = checkProjectConfig(fs.readFileSync(configFile, 'utf8'), configFile);
  if (!check.config) throw new ConfigError(configFile, check.problems.filter((p) => p.severity === 'error'));
  return check.config;
}
