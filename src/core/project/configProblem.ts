import { UserError } from '../errors';
import type { TextRange } from './yamlPositions';

/** One problem in a `modeldeploy.yaml`, with where it is, for diagnostics and `file:line:col` output. */
export interface ConfigProblem extends TextRange {
  severity: 'error' | 'warning';
  message: string;
  /** Dotted path of the field, e.g. `validation.input.shape`. */
  field?: string;
  hint?: string;
}

/** Thrown when a project cannot be loaded: carries every problem; its location is the first one's. */
export class ConfigError extends UserError {
  constructor(
    readonly configFile: string,
    readonly problems: ConfigProblem[],
  ) {
    const first = problems[0];
    super(first.message, { file: configFile, line: first.line, column: first.column, field: first.field }, first.hint);
    this.name = 'ConfigError';
  }

  /** Every error as `file:line:col: message`, one per line. */
  override format(): string {
    return this.problems.map((p) => new UserError(p.message, { file: this.configFile, line: p.line, column: p.column, field: p.field }, p.hint).format()).join('\n');
  }
}

export function fieldName(path: readonly (string | number)[]): string {
  return path.reduce<string>((acc, seg) => (typeof seg === 'number' ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), '');
}
