import { UserError } from '../errors';
import { ConfigError, type ConfigProblem } from '../project/configProblem';
import type { SerializedError } from './workerProtocol';

/** Errors cross the thread boundary as data; user errors keep their class, location and hint. */
export function serializeError(error: unknown): SerializedError {
  if (error instanceof ConfigError) {
    return { name: error.name, message: error.message, location: error.location, hint: error.hint, problems: error.problems, configFile: error.configFile };
  }
  if (error instanceof UserError) return { name: error.name, message: error.message, location: error.location, hint: error.hint };
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { name: 'Error', message: String(error) };
}

export function deserializeError(data: SerializedError): Error {
  if (data.name === 'ConfigError' && data.configFile && data.problems) return new ConfigError(data.configFile, data.problems as ConfigProblem[]);
  if (data.name === 'UserError') return new UserError(data.message, data.location, data.hint);
  const error = new Error(data.message);
  error.name = data.name;
  if (data.stack) error.stack = data.stack;
  return error;
}
