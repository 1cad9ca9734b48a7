/** Where a user's mistake sits: a file, and when known a 1-based line and column, or a field path. */
export interface SourceLocation {
  file: string;
  line?: number;
  column?: number;
  field?: string;
}

/**
 * A problem the user can fix (bad config, missing file, wrong data). Its message says what is wrong;
 * `location` says where; `hint` says what to do. Shown without a stack trace; the CLI exits 2.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly location?: SourceLocation,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'UserError';
  }

  /** `file:line:col: message (field) hint`, the form editors and CI logs turn into links. */
  format(): string {
    return formatProblem(this.message, this.location, this.hint);
  }
}

/** The user stopped the work (a cancelled progress notification, Ctrl+C). Nothing to report. */
export class CancelledError extends Error {
  constructor() {
    super('Cancelled');
    this.name = 'CancelledError';
  }
}

export function formatProblem(message: string, location?: SourceLocation, hint?: string): string {
  let where = '';
  if (location) {
    where = location.file;
    if (location.line !== undefined) {
      where += `:${location.line}`;
      if (location.column !== undefined) where += `:${location.column}`;
    }
    where += ': ';
  }
  // A line already says where; a field path is for problems that have none.
  const field = location?.field && location.line === undefined ? ` (at ${location.field})` : '';
  return `${where}${message}${field}${hint ? `. ${hint}` : ''}`;
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}
