import type { SourceLocation } from '../errors';

/** Messages between a caller and the core worker thread, typed in one place for both sides. */
export type WorkerRequest = { task: string; args: unknown };

/** From the caller to a running task. */
export type WorkerControl = { type: 'cancel' };

export type WorkerEvent =
  | { type: 'progress'; value: unknown }
  | { type: 'result'; value: unknown }
  | { type: 'error'; error: SerializedError };

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  location?: SourceLocation;
  hint?: string;
  /** ConfigError's problems, when there are any. */
  problems?: unknown[];
  configFile?: string;
}
