import { UserError } from '../errors';
import { DECIMAL_NUMBER } from './csvScanner';

/**
 * Maps target values to class indices: by name through the project's labels, else as an integer index.
 * Built once per run so that a wrong value is reported with its line.
 */
export class ClassIndex {
  private readonly byName = new Map<string, number>();

  constructor(
    private readonly dataFile: string,
    private readonly labels: readonly string[] | undefined,
  ) {
    labels?.forEach((label, index) => this.byName.set(label, index));
  }

  indexOf(target: string, line: number, classCount: number): number {
    const named = this.byName.get(target);
    if (named !== undefined) return named;
    const number = DECIMAL_NUMBER.test(target.trim()) ? Number(target) : NaN;
    if (Number.isInteger(number) && number >= 0 && number < classCount) return number;
    const known = this.labels ? `one of the labels (${this.labels.join(', ')}) or` : '';
    throw new UserError(
      `target value "${target}" is not a class: expected ${known} a class index from 0 to ${classCount - 1}`,
      { file: this.dataFile, line },
      this.labels ? 'fix the value or the labels in modeldeploy.yaml' : 'add "labels: [...]" to modeldeploy.yaml to name the classes',
    );
  }
}
