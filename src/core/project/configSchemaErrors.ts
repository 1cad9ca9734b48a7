import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Document, LineCounter } from 'yaml';
import { configSchemaValidator } from './configSchemaValidator';
import { didYouMean } from './didYouMean';
import { type ConfigProblem, fieldName } from './configProblem';
import { rangeOfKey, rangeOfPath } from './yamlPositions';

let validator: ValidateFunction | undefined;
function validate(value: unknown): ErrorObject[] {
  validator ??= configSchemaValidator();
  return validator(value) ? [] : [...(validator.errors ?? [])];
}

/** Checks the parsed YAML against the JSON Schema; every problem gets a message, a place and a hint. */
export function schemaProblems(value: unknown, doc: Document, lineCounter: LineCounter): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const seen = new Set<string>();
  for (const error of validate(value)) {
    const problem = toProblem(error, doc, lineCounter);
    if (!problem) continue;
    const key = `${problem.line}:${problem.column}:${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  return dropRequiredExplainedByTypo(problems).sort((a, b) => a.line - b.line || a.column - b.column);
}

/** `modle:` is one mistake, not two: when a misspelt key suggests a missing required one, keep only the typo. */
function dropRequiredExplainedByTypo(problems: ConfigProblem[]): ConfigProblem[] {
  const suggested = new Set(problems.filter((p) => p.message.startsWith('unknown key') && p.hint?.startsWith('did you mean')).map((p) => fieldOf(p.field, p.hint!)));
  return problems.filter((p) => !(p.message.startsWith('missing required key') && suggested.has(p.field ?? '')));
}

function fieldOf(typoField: string | undefined, hint: string): string {
  const suggestion = /did you mean "([^"]+)"/.exec(hint)?.[1] ?? '';
  const parent = typoField?.includes('.') ? typoField.slice(0, typoField.lastIndexOf('.') + 1) : '';
  return parent + suggestion;
}

function toProblem(error: ErrorObject, doc: Document, lineCounter: LineCounter): ConfigProblem | undefined {
  const path = pointerToPath(error.instancePath);
  const field = fieldName(path);
  const subject = field ? `"${field}"` : 'the config';
  const propertyName = (error as ErrorObject & { propertyName?: string }).propertyName;

  if (propertyName !== undefined) {
    // An error about a key's name (gates, environments): point at the key.
    if (error.keyword === 'propertyNames') return undefined; // the nested error says it better
    const range = rangeOfKey(doc, lineCounter, path, propertyName);
    const allowed = (error.parentSchema as { enum?: string[] } | undefined)?.enum;
    const custom = (error.parentSchema as { patternErrorMessage?: string } | undefined)?.patternErrorMessage;
    const suggestion = allowed ? didYouMean(propertyName, allowed) : undefined;
    return {
      ...range,
      severity: 'error',
      field: fieldName([...path, propertyName]),
      message: `unknown ${field ? `${field} key` : 'key'} "${propertyName}"${custom ? `: ${custom}` : ''}`,
      hint: suggestion ? `did you mean "${suggestion}"?` : allowed ? `use one of: ${allowed.join(', ')}` : undefined,
    };
  }

  switch (error.keyword) {
    case 'additionalProperties': {
      const name = String((error.params as { additionalProperty: string }).additionalProperty);
      const known = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const suggestion = didYouMean(name, known);
      return {
        ...rangeOfKey(doc, lineCounter, path, name),
        severity: 'error',
        field: fieldName([...path, name]),
        message: `unknown key "${name}"${field ? ` in "${field}"` : ''}`,
        hint: suggestion ? `did you mean "${suggestion}"?` : `allowed keys: ${known.join(', ')}`,
      };
    }
    case 'required': {
      const missing = String((error.params as { missingProperty: string }).missingProperty);
      return {
        ...rangeOfPath(doc, lineCounter, path, true),
        severity: 'error',
        field: fieldName([...path, missing]),
        message: `missing required key "${missing}"${field ? ` in "${field}"` : ''}`,
        hint: `add "${missing}:"${field ? ` under "${field}"` : ' at the top level'}`,
      };
    }
    case 'type': {
      const expected = String((error.params as { type: string }).type);
      return {
        ...rangeOfPath(doc, lineCounter, path),
        severity: 'error',
        field,
        message: `${subject} must be ${article(expected)} ${expected}, not ${describe(error.data)}`,
        hint: expected === 'string' && typeof error.data === 'number' ? 'put the value in quotes' : undefined,
      };
    }
    case 'enum': {
      const allowed = (error.params as { allowedValues: unknown[] }).allowedValues.map(String);
      const suggestion = typeof error.data === 'string' ? didYouMean(error.data, allowed) : undefined;
      return {
        ...rangeOfPath(doc, lineCounter, path),
        severity: 'error',
        field,
        message: `${subject} must be one of ${allowed.join(', ')}, not ${describe(error.data)}`,
        hint: suggestion ? `did you mean "${suggestion}"?` : undefined,
      };
    }
    case 'pattern': {
      const custom = (error.parentSchema as { patternErrorMessage?: string } | undefined)?.patternErrorMessage;
      return { ...rangeOfPath(doc, lineCounter, path), severity: 'error', field, message: `${subject} ${custom ?? error.message}, not ${describe(error.data)}` };
    }
    case 'uniqueItems': {
      const { i, j } = error.params as { i: number; j: number };
      return { ...rangeOfPath(doc, lineCounter, [...path, i]), severity: 'error', field, message: `${subject} lists ${describe((error.data as unknown[])[i])} twice (items ${j + 1} and ${i + 1})` };
    }
    default:
      return { ...rangeOfPath(doc, lineCounter, path), severity: 'error', field, message: `${subject} ${error.message ?? 'is invalid'}` };
  }
}

function pointerToPath(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function describe(value: unknown): string {
  if (value === null) return 'null (an empty value)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  // Escaped and cut short, so a newline or a very long value cannot break the one-line message.
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value);
  return `${typeof value} ${String(value)}`;
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}
