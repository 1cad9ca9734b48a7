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
  const check = checkProjectConfig(readConfigText(configFile), configFile);
  if (!check.config) throw new ConfigError(configFile, check.problems.filter((p) => p.severity === 'error'));
  return check.config;
}

function readConfigText(configFile: string): string {
  if (fs.statSync(configFile).isDirectory()) {
    throw new UserError(`${CONFIG_FILE_NAME} in ${path.dirname(configFile)} is a folder, not a file`, { file: configFile }, `rename or remove that folder and write the project's config in a file named ${CONFIG_FILE_NAME}`);
  }
  try {
    return fs.readFileSync(configFile, 'utf8');
  } catch (error) {
    throw new UserError(`cannot read ${CONFIG_FILE_NAME}: ${(error as Error).message}`, { file: configFile }, 'check the file\'s permissions');
  }
}
