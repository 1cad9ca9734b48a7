import * as path from 'node:path';
import { CancelledError, UserError, type SourceLocation } from '../core/errors';
import { GateBlockedError } from '../core/deploy/gateBlockedError';
import { ConfigError } from '../core/project/configProblem';
import { formatDiffMarkdown } from '../core/report/diffReport';
import { locateField } from '../core/project/locateField';

/** Exit codes: 2 for a problem the user can fix, 1 for anything else, 130 when interrupted, 3 below. */
export const EXIT_USER_ERROR = 2;
export const EXIT_INTERNAL_ERROR = 1;
export const EXIT_CANCELLED = 130;
/** A check the command makes failed (the served answer differs from in-process onnxruntime, a gate blocked a deploy). */
export const EXIT_CHECK_FAILED = 3;

/** Paths in messages are shown relative to where the command was run, as compilers do. */
export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

function relativeLocation(location?: SourceLocation): SourceLocation | undefined {
  const located = locateField(location);
  return located && { ...located, file: displayPath(located.file) };
}

/**
 * With --json, every failure also prints one object on stdout, `{"error": {message, location, hint,
 * exitCode}}`, so a script reading stdout never gets nothing or half a text.
 */
export function printJsonError(error: { message: string; location?: SourceLocation; hint?: string; problems?: unknown[] }, exitCode: number, extra: object = {}): void {
  process.stdout.write(`${JSON.stringify({ error: { ...error, exitCode }, ...extra })}\n`);
}

/** Prints an error the way the CLI promises: one clear line per problem, a stack only with --verbose. */
export function reportError(error: unknown, options: { verbose: boolean; json: boolean }): number {
  if (error instanceof CancelledError) {
    if (options.json) printJsonError({ message: 'cancelled' }, EXIT_CANCELLED);
    process.stderr.write('modeldeploy: cancelled\n');
    return EXIT_CANCELLED;
  }
  if (error instanceof GateBlockedError) {
    if (options.json) printJsonError({ message: error.message, hint: error.hint }, EXIT_CHECK_FAILED, { diff: error.diff });
    else process.stdout.write(`${formatDiffMarkdown(error.diff)}\n`);
    process.stderr.write(`error: ${error.format()}\n`);
    return EXIT_CHECK_FAILED;
  }
  if (error instanceof UserError) {
    const text =
      error instanceof ConfigError
        ? new ConfigError(displayPath(error.configFile), error.problems).format()
        : new UserError(error.message, relativeLocation(error.location), error.hint).format();
    if (options.json) {
      const problems = error instanceof ConfigError ? { problems: error.problems } : {};
      printJsonError({ message: error.message, location: locateField(error.location), hint: error.hint, ...problems }, EXIT_USER_ERROR);
    }
    process.stderr.write(`error: ${text.split('\n').join('\nerror: ')}\n`);
    if (options.verbose && error.stack) process.stderr.write(`${error.stack}\n`);
    return EXIT_USER_ERROR;
  }
  const message = error instanceof Error ? error.message : String(error);
  if (options.json) printJsonError({ message: `internal error: ${message}`, hint: 'run again with --verbose for details' }, EXIT_INTERNAL_ERROR);
  process.stderr.write(`internal error: ${message}\n`);
  if (options.verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  else process.stderr.write('run again with --verbose for details\n');
  return EXIT_INTERNAL_ERROR;
}
